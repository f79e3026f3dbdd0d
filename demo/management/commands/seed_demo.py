from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Invitation, User
from complaints.models import (
    Complaint,
    ComplaintCategory,
    Compliment,
    DailyLogDelivery,
    ImprovementPlan,
    SolutionProposal,
    StandardAnswer,
    TimelineEntry,
)
from customers.models import Customer, Vehicle
from dealer_portal.tenancy.models import Dealer, Membership, Network, Region
from dealer_portal.tenancy.scoping import unscoped
from demo.network import DEMO_NETWORK_SLUGS, demo_exists, demo_network_build
from followups.models import CallAnswer, CallAttempt, FollowUpCall
from outbox.models import Email
from scoring.models import Assessment, AssessmentEvent, AssessmentScore, Ranking
from servicejobs.models import JobImport, PromiseCheck, PromisedTimeChange, SalesHandover, ServiceJob


class Command(BaseCommand):
    help = "Build the deterministic demo network (skips if it exists; --reset rebuilds it)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7, help="Random seed: the same seed gives the same data.")
        parser.add_argument("--dealers", type=int, default=40, help="Dealers in the demo network (default 40).")
        parser.add_argument("--months", type=int, default=12,
                            help="Complete months of history (jobs, complaints, calls, POE assessments and "
                                 "published rankings) before this one (default 12).")
        parser.add_argument("--reset", action="store_true", help="Delete the demo networks first.")

    def handle(self, *args, seed, dealers, months, reset, **options):
        if dealers < 2:
            raise CommandError("--dealers must be at least 2.")
        if months < 1:
            raise CommandError("--months must be at least 1.")
        # The seeder writes every tenant's rows: it works outside the tenant scope on purpose.
        with unscoped():
            if reset:
                self._delete_demo()
            elif demo_exists():
                self.stdout.write("The demo network exists already; nothing to do (use --reset to rebuild).")
                return
            summary = demo_network_build(seed=seed, dealers=dealers, months=months)
        self.stdout.write(self.style.SUCCESS(
            f"Demo built: {summary.networks} networks, {summary.regions} regions, {summary.dealers} dealers, "
            f"{summary.users} users, {summary.memberships} memberships, {summary.customers} customers, "
            f"{summary.vehicles} vehicles, {summary.jobs} service jobs, {summary.complaints} complaints, "
            f"{summary.calls} follow-up calls, {summary.assessments} assessments, {summary.rankings} published "
            f"rankings."))

    @staticmethod
    @transaction.atomic
    def _delete_demo() -> None:
        networks = Network.objects.filter(slug__in=DEMO_NETWORK_SLUGS)
        user_ids = list(Membership.objects.filter(network__in=networks).values_list("user_id", flat=True))
        # Follow-up calls point to jobs, handovers and complaints; complaint and service rows protect
        # customers and vehicles: calls first, then complaints, then service rows.
        for model in (CallAnswer, CallAttempt, FollowUpCall):
            model.objects.filter(dealer__network__in=networks).delete()
        for model in (AssessmentEvent, AssessmentScore, Assessment):
            model.objects.filter(dealer__network__in=networks).delete()
        # Published rankings protect their network, dealers and regions: they go (with their lines) first.
        Ranking.objects.filter(network__in=networks).delete()
        for model in (TimelineEntry, SolutionProposal, Complaint, Compliment, ImprovementPlan, DailyLogDelivery):
            model.objects.filter(dealer__network__in=networks).delete()
        # Complaints protect their categories and an area protects its categories: answers, leaves, then areas.
        StandardAnswer.objects.filter(network__in=networks).delete()
        ComplaintCategory.objects.filter(network__in=networks, parent__isnull=False).delete()
        ComplaintCategory.objects.filter(network__in=networks).delete()
        PromiseCheck.objects.filter(dealer__network__in=networks).delete()
        PromisedTimeChange.objects.filter(dealer__network__in=networks).delete()
        ServiceJob.objects.filter(dealer__network__in=networks).delete()
        SalesHandover.objects.filter(dealer__network__in=networks).delete()
        JobImport.objects.filter(dealer__network__in=networks).delete()
        Vehicle.objects.filter(dealer__network__in=networks).delete()
        Customer.objects.filter(dealer__network__in=networks).delete()
        Invitation.objects.filter(network__in=networks).delete()
        Email.objects.filter(dealer__network__in=networks).delete()
        Membership.objects.filter(network__in=networks).delete()
        Dealer.objects.filter(network__in=networks).delete()
        Region.objects.filter(network__in=networks).delete()
        networks.delete()
        User.objects.filter(pk__in=user_ids).delete()
        User.objects.filter(email__endswith="@demo.test").delete()
