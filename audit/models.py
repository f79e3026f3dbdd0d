"""The history of every business record: one append-only event table per tracked model, written by PostgreSQL
triggers (see audit/tracking.py). Each event row keeps the dealer or network of its record, so the audit trail is
scoped by the same TenantManager as the record itself; a record whose tenant is the row itself (a network, a
dealer) is scoped through ``pgh_obj``."""

from accounts.models import Invitation
from complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintPolicy,
    Compliment,
    ImprovementPlan,
    SolutionProposal,
    StandardAnswer,
)
from customers.models import Customer, Vehicle
from dealer_portal.tenancy.models import Dealer, Membership, Network, Region
from dealer_portal.tenancy.scoping import DealerOwnedManager, NetworkOwnedManager, TenantManager
from followups.models import CallAnswer, FollowUpCall, Questionnaire
from scoring.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentScore,
    ChecklistTemplate,
    Kpi,
    Ranking,
    RankingEntry,
    ScoringPolicy,
)
from servicejobs.models import PromisedTimeChange, PromisePolicy, SalesHandover, ServiceJob

from .tracking import history_model


class NetworkItselfManager(TenantManager):
    network_path = "pgh_obj"


class DealerItselfManager(TenantManager):
    dealer_path = "pgh_obj"


# The tenants and who may act where.
NetworkHistory = history_model(Network, manager=NetworkItselfManager)
RegionHistory = history_model(Region, manager=NetworkOwnedManager)
DealerHistory = history_model(Dealer, manager=DealerItselfManager)
MembershipHistory = history_model(Membership, manager=NetworkOwnedManager)
InvitationHistory = history_model(Invitation, manager=NetworkOwnedManager, exclude=("token_hash",))

# Customers and their cars (personal data).
CustomerHistory = history_model(Customer, manager=DealerOwnedManager)
VehicleHistory = history_model(Vehicle, manager=DealerOwnedManager)

# Service jobs: their milestones are the job's own columns; promise moves and handovers beside them.
ServiceJobHistory = history_model(ServiceJob, manager=DealerOwnedManager)
PromisedTimeChangeHistory = history_model(PromisedTimeChange, manager=DealerOwnedManager)
SalesHandoverHistory = history_model(SalesHandover, manager=DealerOwnedManager)
PromisePolicyHistory = history_model(PromisePolicy, manager=NetworkOwnedManager)

# Complaints and compliments.
ComplaintHistory = history_model(Complaint, manager=DealerOwnedManager)
SolutionProposalHistory = history_model(SolutionProposal, manager=DealerOwnedManager)
ComplimentHistory = history_model(Compliment, manager=DealerOwnedManager)
ImprovementPlanHistory = history_model(ImprovementPlan, manager=DealerOwnedManager)
ComplaintPolicyHistory = history_model(ComplaintPolicy, manager=NetworkOwnedManager)
ComplaintCategoryHistory = history_model(ComplaintCategory, manager=NetworkOwnedManager)
StandardAnswerHistory = history_model(StandardAnswer, manager=NetworkOwnedManager)

# Follow-up calls and the customers' answers.
FollowUpCallHistory = history_model(FollowUpCall, manager=DealerOwnedManager)
CallAnswerHistory = history_model(CallAnswer, manager=DealerOwnedManager)
QuestionnaireHistory = history_model(Questionnaire, manager=NetworkOwnedManager)

# Assessments, each item's score and the evidence; KPIs, scoring policies, checklists and rankings.
AssessmentHistory = history_model(Assessment, manager=DealerOwnedManager)
AssessmentScoreHistory = history_model(AssessmentScore, manager=DealerOwnedManager)
AssessmentEvidenceHistory = history_model(AssessmentEvidence, manager=DealerOwnedManager)
ChecklistTemplateHistory = history_model(ChecklistTemplate, manager=NetworkOwnedManager)
KpiHistory = history_model(Kpi, manager=NetworkOwnedManager)
ScoringPolicyHistory = history_model(ScoringPolicy, manager=NetworkOwnedManager)
RankingHistory = history_model(Ranking, manager=NetworkOwnedManager)
RankingEntryHistory = history_model(RankingEntry, manager=DealerOwnedManager)
