"""The demo's POE assessments and published monthly rankings: a year in which dealers rise and fall.

Every dealer has a POE *level* that drifts from month to month (a trend of its own, which now and then
turns, plus the month's luck), so ranks move: some dealers climb, some fall. HQ assesses each active
dealer once a month; about one dealer in twenty is not visited in a given month, so "not assessed" shows.
The rankings are then published month by month, oldest first, through ``ranking_publish`` itself, so
Service Quality comes from the demo's own jobs, complaints and calls and the movement arrows are real.
One month is republished after a corrected assessment, as a network admin would. Rows are written with
bulk inserts; the same ``rng`` and "now" give the same figures, and nothing is dated after "now" (a month's
ranking appears once its publication hour has passed).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from dealer_portal.tenancy.calendar import local_date, next_month, previous_month, zone_of
from dealer_portal.tenancy.models import Membership, Role
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
from scoring.models import (
    Assessment,
    AssessmentEvent,
    AssessmentScore,
    AssessmentStatus,
    ChecklistItem,
    ChecklistKind,
    ChecklistTemplate,
    EntryStatus,
    Ranking,
    RankingEntry,
    ScoringPolicy,
)
from scoring.services import (
    assessment_reopen,
    assessment_score,
    assessment_submit,
    kpi_defaults_install,
    ranking_publish,
    shipped_checklists_install,
)

from .bulk import IdBlock, write_rows
from .clock import demo_now

if TYPE_CHECKING:
    from accounts.models import User
    from dealer_portal.tenancy.models import Dealer, Network


NOT_ASSESSED_SHARE = 0.05
NOT_APPLICABLE_SHARE = 0.04
HQ_DRAFTS_NOW = 3  # assessments HQ is scoring this month
REPUBLISH_REASON = "POE of {dealer} corrected after the regional review."
REOPEN_REASON = "The regional review found items {items} scored too low; corrected with the photos of the visit."


@dataclass
class ScoringDemoSummary:
    assessments: int = 0
    rankings: int = 0


def complete_months(today: date, months: int) -> list[date]:
    """The first days of the last ``months`` complete months before ``today``'s, oldest first."""
    first = today.replace(day=1)
    result = []
    for _ in range(months):
        first = previous_month(first)
        result.append(first)
    return result[::-1]


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


class _Standing:
    """One dealer's POE level over the months: a trend of its own that now and then turns, plus luck."""

    def __init__(self, rng: random.Random, section_codes: Sequence[str]):
        self.rng = rng
        self.level = rng.uniform(0.55, 0.93)
        self.trend = rng.gauss(0, 0.02)
        # Every outlet has stronger and weaker areas (stock inventory at one, technicians at another).
        self.bias = {code: rng.gauss(0, 0.06) for code in section_codes}

    def next_month(self) -> None:
        rng = self.rng
        if rng.random() < 0.15:
            self.trend = rng.gauss(0, 0.02)
        self.level = _clamp(self.level + self.trend + rng.gauss(0, 0.035), 0.3, 0.99)
        if self.level in (0.3, 0.99):
            self.trend = -self.trend  # a dealer at the bottom (or top) does not stay pinned there

    def points(self, item: ChecklistItem) -> int:
        share = _clamp(self.level + self.bias[item.section.code] + self.rng.gauss(0, 0.12), 0.0, 1.0)
        return round(share * item.max_points)


def _moment(day: date, minute: int, zone) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone).astimezone(UTC)


def _scores(rng: random.Random, assessment: Assessment, items: Sequence[ChecklistItem], standing: _Standing,
            *, upto: int | None = None) -> list[AssessmentScore]:
    scores = []
    for item in items[:upto]:
        not_applicable = rng.random() < NOT_APPLICABLE_SHARE
        scores.append(AssessmentScore(dealer_id=assessment.dealer_id, assessment=assessment, item=item,
                                      not_applicable=not_applicable,
                                      points=None if not_applicable else standing.points(item)))
    return scores


def poe_template(network: Network) -> ChecklistTemplate:
    """The network's current POE checklist (the shipped one is installed if it has none)."""
    shipped_checklists_install(network=network)
    return ChecklistTemplate.objects.filter(network=network, kind=ChecklistKind.POE, is_current=True).order_by(
        "code").first()


def demo_assessments_build(*, rng: random.Random, template: ChecklistTemplate, dealers: Sequence[Dealer],
                           months: Sequence[date], auditor: User | None, keep_assessed: Dealer | None = None,
                           not_assessed_share: float = NOT_ASSESSED_SHARE) -> tuple[list[Assessment], dict]:
    """Submitted HQ POE assessments of ``dealers`` for each of ``months`` (oldest first), about
    ``not_assessed_share`` of them left unvisited each month (never ``keep_assessed``); returns the
    assessments and each dealer's standing (for later months' drafts).

    Side effects: bulk-inserts Assessment, AssessmentScore and AssessmentEvent rows, dated in the month;
    must run inside ``unscoped()`` (or the network's scope).
    """
    items = list(ChecklistItem.objects.filter(section__template=template).select_related("section")
                 .order_by("section__position", "position"))
    standings = {dealer.pk: _Standing(rng, sorted({item.section.code for item in items})) for dealer in dealers}
    assessments: list[Assessment] = []
    scores: list[AssessmentScore] = []
    candidates = [dealer for dealer in dealers if dealer != keep_assessed]
    for month in months:
        skipped = set()
        if candidates and not_assessed_share:
            count = max(1, round(not_assessed_share * len(dealers)))
            skipped = {dealer.pk for dealer in rng.sample(candidates, min(count, len(candidates)))}
        last_day = (next_month(month) - timedelta(days=1)).day
        for dealer in dealers:
            standing = standings[dealer.pk]
            standing.next_month()
            if dealer.pk in skipped:
                continue
            visit = month.replace(day=rng.randint(min(6, last_day), min(26, last_day)))
            assessment = Assessment(dealer_id=dealer.pk, template=template, month=month, auditor=auditor,
                                    status=AssessmentStatus.SUBMITTED,
                                    submitted_at=_moment(visit, rng.randint(11 * 60, 17 * 60), dealer.zone))
            assessments.append(assessment)
            scores += _scores(rng, assessment, items, standing)
    # Final when written: the visit took the morning, the submission ended it (and is its event's time).
    for assessment in assessments:
        assessment.created_at = assessment.submitted_at - timedelta(hours=3)
    IdBlock(Assessment).assign(assessments)
    for score in scores:
        score.assessment_id = score.assessment.pk
    events = [AssessmentEvent(dealer_id=assessment.dealer_id, assessment_id=assessment.pk, action="submitted",
                              by=auditor, at=assessment.submitted_at) for assessment in assessments]
    for model, rows in ((Assessment, assessments), (AssessmentScore, scores), (AssessmentEvent, events)):
        IdBlock(model).assign(rows)
        write_rows(model, rows)
    return assessments, standings


def _demo_people(network: Network) -> tuple[User | None, User | None, dict[int, User]]:
    """The network's HQ auditor and network admin, and each dealer's first manager."""
    hq = admin = None
    managers: dict[int, User] = {}
    for membership in (Membership.objects.filter(network=network, is_active=True,
                                                 role__in=[Role.HQ_ANALYST, Role.NETWORK_ADMIN, Role.DEALER_MANAGER])
                       .select_related("user").order_by("pk")):
        if membership.role == Role.HQ_ANALYST:
            hq = hq or membership.user
        elif membership.role == Role.NETWORK_ADMIN:
            admin = admin or membership.user
        else:
            managers.setdefault(membership.dealer_id, membership.user)
    return hq, admin, managers


def _this_month_build(*, rng: random.Random, template: ChecklistTemplate, dealers: Sequence[Dealer], today: date,
                      now: datetime, auditor: User | None, managers: dict[int, User], standings: dict) -> int:
    """This month so far: HQ scoring a few dealers, one dealer's self-assessment submitted, another's started
    (none begun before the month did, or later than "now" allows)."""
    month = today.replace(day=1)
    items = list(ChecklistItem.objects.filter(section__template=template).select_related("section")
                 .order_by("section__position", "position"))
    hq_visits = rng.sample(list(dealers[1:]) or list(dealers), min(HQ_DRAFTS_NOW, max(len(dealers) - 1, 1)))
    drafts = [(dealer, False, auditor, AssessmentStatus.DRAFT) for dealer in hq_visits]
    drafts.append((dealers[0], True, managers.get(dealers[0].pk), AssessmentStatus.SUBMITTED))
    if len(dealers) > 1:
        drafts.append((dealers[-1], True, managers.get(dealers[-1].pk), AssessmentStatus.DRAFT))
    assessments, scores = [], []
    started: dict[int, datetime] = {}
    for dealer, is_self, by, status in drafts:
        begun = _moment(month.replace(day=rng.randint(1, today.day)), rng.randint(9 * 60, 10 * 60), dealer.zone)
        # A submitted one took two hours; a draft was begun a little while ago at the latest.
        begun = min(begun, now - timedelta(hours=2, minutes=5) if status == AssessmentStatus.SUBMITTED
                    else now - timedelta(minutes=10))
        if begun < _moment(month, 7 * 60, dealer.zone):
            continue  # the month has only just begun
        assessment = Assessment(dealer_id=dealer.pk, template=template, month=month, is_self_assessment=is_self,
                                auditor=by, status=status,
                                submitted_at=begun + timedelta(hours=2) if status == AssessmentStatus.SUBMITTED
                                else None)
        assessments.append(assessment)
        done = None if status == AssessmentStatus.SUBMITTED else rng.randint(1, max(1, len(items) - 2))
        scores += _scores(rng, assessment, items, standings[dealer.pk], upto=done)
        started[id(assessment)] = begun
    if not assessments:
        return 0
    for assessment in assessments:  # created when the work began
        assessment.created_at = started[id(assessment)]
    IdBlock(Assessment).assign(assessments)
    for score in scores:
        score.assessment_id = score.assessment.pk
    events = [AssessmentEvent(dealer_id=a.dealer_id, assessment_id=a.pk, action="submitted", by=a.auditor,
                              at=a.submitted_at) for a in assessments if a.status == AssessmentStatus.SUBMITTED]
    for model, rows in ((Assessment, assessments), (AssessmentScore, scores), (AssessmentEvent, events)):
        IdBlock(model).assign(rows)
        write_rows(model, rows)
    return len(assessments)


def _published_on(network: Network, month: date, *, day: int = 1, hour: int) -> datetime:
    return datetime.combine(next_month(month).replace(day=day), time(hour), tzinfo=zone_of(network))


def _correction(*, rng: random.Random, network: Network, month: date, today: date, hq: User | None,
                admin: User | None, dealer_names: dict[int, str]) -> Ranking | None:
    """A rated dealer's POE of ``month`` is reopened by the network admin, two items re-scored, resubmitted,
    and the month republished with the reason (version 2): what the regional review sometimes brings."""
    rated = list(RankingEntry.objects.filter(ranking__network=network, ranking__month=month,
                                             ranking__is_current=True, status=EntryStatus.RATED)
                 .order_by("dealer__code").values_list("dealer_id", flat=True))
    if not rated:
        return None
    dealer_id = rng.choice(rated)
    assessment = Assessment.objects.get(dealer_id=dealer_id, month=month, is_self_assessment=False,
                                        template__kind=ChecklistKind.POE)
    lowest = sorted((score for score in assessment.scores.select_related("item__section")
                     if not score.not_applicable and score.points < score.item.max_points),
                    key=lambda score: (score.points - score.item.max_points, score.item.code))[:2]
    if not lowest:
        return None
    codes = ", ".join(score.item.code for score in lowest)
    reopened = assessment_reopen(assessment=assessment, by=admin, reason=REOPEN_REASON.format(items=codes),
                                 is_network_admin=True)
    for score in lowest:
        assessment_score(assessment=reopened, item=score.item, points=score.item.max_points,
                         comment="Corrected after the regional review.")
    assessment_submit(assessment=reopened, by=hq)
    ranking, _published = ranking_publish(network=network, month=month, by=admin, republish=True,
                                          is_network_admin=True, today=today,
                                          reason=REPUBLISH_REASON.format(dealer=dealer_names[dealer_id]))
    # Dated in the following month, when the review took place.
    review = _published_on(network, month, day=9, hour=10)
    events = list(AssessmentEvent.objects.filter(assessment=assessment).order_by("pk"))
    for event, minutes in zip(events[-2:], (0, 40), strict=True):
        AssessmentEvent.objects.filter(pk=event.pk).update(at=review + timedelta(minutes=minutes))
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=review + timedelta(minutes=40))
    Ranking.objects.filter(pk=ranking.pk).update(published_at=review + timedelta(hours=1))
    return ranking


def demo_rankings_publish(*, rng: random.Random, network: Network, months: Sequence[date], today: date,
                          now: datetime | None = None, hq: User | None = None, admin: User | None = None,
                          correct: date | None = None, dealer_names: dict[int, str] | None = None) -> int:
    """Publish the rankings of ``months`` oldest first, as the monthly task would have on each 1st (a month whose
    publication hour is after ``now`` stays unpublished), and republish ``correct`` after a corrected
    assessment; returns the number of published versions.

    Side effects: writes Ranking and RankingEntry rows (and the correction's assessment events).
    """
    publish_hour = ScoringPolicy.objects.for_network(network).publish_hour
    now = demo_now(now=now, today=today, zone=zone_of(network))
    published = 0
    with tenant_scope(TenantScope.for_network(network.pk)):
        for month in months:
            if _published_on(network, month, hour=publish_hour) > now:
                continue
            ranking, _now = ranking_publish(network=network, month=month, today=today)
            Ranking.objects.filter(pk=ranking.pk).update(published_at=_published_on(network, month,
                                                                                     hour=publish_hour))
            published += 1
            reviewed = month == correct and _published_on(network, month, day=9, hour=11) <= now
            if reviewed and _correction(rng=rng, network=network, month=month, today=today, hq=hq, admin=admin,
                                        dealer_names=dealer_names or {}):
                published += 1
    return published


def demo_scoring_build(*, rng: random.Random, network: Network, dealers: Sequence[Dealer], months: int,
                       today: date | None = None, now: datetime | None = None) -> ScoringDemoSummary:
    """A year (``months``) of the network's POE assessments and published monthly rankings, and this month's
    assessments in progress. ``dealers`` are the network's (inactive ones are not assessed or ranked).

    Side effects: installs the shipped checklists, the default KPI set and the default scoring policy if the
    network has none; writes assessments with their scores and events, and the published rankings; must run
    inside ``unscoped()``.
    """
    summary = ScoringDemoSummary()
    now = demo_now(now=now, today=today, zone=zone_of(network))
    today = local_date(now, zone_of(network))
    template = poe_template(network)
    kpi_defaults_install(network=network)
    ScoringPolicy.objects.get_or_create(network=network)
    active = [dealer for dealer in dealers if dealer.is_active]
    if template is None or not active or months < 1:
        return summary
    hq, admin, managers = _demo_people(network)
    past = complete_months(today, months)
    assessments, standings = demo_assessments_build(rng=rng, template=template, dealers=active, months=past,
                                                    auditor=hq, keep_assessed=active[0])
    summary.assessments = len(assessments)
    summary.assessments += _this_month_build(rng=rng, template=template, dealers=active, today=today, now=now,
                                             auditor=hq, managers=managers, standings=standings)
    # The correction falls a few months back, so the months after it show the republished ranks.
    correct = past[max(0, len(past) - 3)] if len(past) >= 2 else None
    summary.rankings = demo_rankings_publish(rng=rng, network=network, months=past, today=today, now=now, hq=hq,
                                             admin=admin, correct=correct,
                                             dealer_names={dealer.pk: dealer.name for dealer in active})
    return summary
