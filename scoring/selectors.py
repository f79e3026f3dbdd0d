"""Reads of scoring: scorecards (the published snapshot when there is one, a live preview otherwise), the ranking
pages and the quarterly report, the records behind a KPI, assessments and their POE, and checklists.

Everything here reads scoped querysets or published snapshots; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from complaints.models import Complaint, ComplaintPolicy
from dealer_portal.tenancy.calendar import previous_month, quarter_months
from dealer_portal.tenancy.content import localized
from dealer_portal.tenancy.models import Dealer
from dealer_portal.tenancy.scoping import TenantScope
from followups.models import FollowUpCall
from followups.rules import followup_outcome
from servicejobs.models import PromiseCheck, ServiceJob

from .kpis import MEASURES, MonthContext, default_kpis, kpi_cases_for_dealer, network_figures
from .models import (
    Assessment,
    AssessmentScore,
    AssessmentStatus,
    ChecklistItem,
    ChecklistKind,
    ChecklistTemplate,
    EntryStatus,
    Kpi,
    Ranking,
    RankingEntry,
    ScoringPolicy,
)
from .rules import (
    KpiResult,
    Percentage,
    Scorecard,
    exact,
    kpi_score,
    month_check,
    movement_text,
    rating_apply,
    service_quality_apply,
)

# --- KPIs and scorecards ------------------------------------------------------------------------------------


def network_kpis(network) -> list[Kpi]:
    """The network's KPIs, or the default set if it has not configured its own."""
    return list(Kpi.objects.filter(network=network)) or default_kpis(network)


def kpi_of(network, code: str):
    """The network's KPI with ``code`` (configured or default), or None."""
    return next((kpi for kpi in network_kpis(network) if kpi.code == code), None)


def poe_by_dealer(*, dealer_ids, month: date) -> dict[int, tuple[Fraction, list[dict]]]:
    """The dealers' POE for the month (exact; each section's unrounded): submitted HQ POE assessments only, one
    grouped query."""
    rows = (AssessmentScore.objects
            .filter(dealer_id__in=dealer_ids, assessment__month=month, assessment__is_self_assessment=False,
                    assessment__status=AssessmentStatus.SUBMITTED, assessment__template__kind=ChecklistKind.POE,
                    not_applicable=False)
            .order_by()
            .values("dealer_id", "item__section__code", "item__section__title", "item__section__translations",
                    "item__section__position")
            .annotate(achieved=Sum("points"), applicable=Sum("item__max_points"))
            .order_by("dealer_id", "item__section__position"))
    sections: dict[int, list[dict]] = {}
    for row in rows:
        sections.setdefault(row["dealer_id"], []).append({
            "code": row["item__section__code"], "title": row["item__section__title"],
            "translations": row["item__section__translations"] or {},
            "achieved": row["achieved"] or 0, "applicable": row["applicable"],
            "percent": Percentage(row["achieved"] or 0, row["applicable"]).percent,
        })
    result = {}
    for dealer_id, parts in sections.items():
        total = Percentage(sum(part["achieved"] for part in parts), sum(part["applicable"] for part in parts))
        if total.value is not None:
            result[dealer_id] = (total.value, parts)
    return result


def scorecards_compute(*, network, month: date, dealers: list[Dealer]) -> dict[int, Scorecard]:
    """The month's scorecards of ``dealers`` (all of the network's, or one): one query of the promise checks for
    every promise KPI, one per other KPI, one for POE; each bound by the dealers and the month on its own table."""
    policy = ScoringPolicy.objects.for_network(network)
    complaint_policy = ComplaintPolicy.objects.for_network(network)
    context = MonthContext(month=month, dealer_ids=tuple(dealer.pk for dealer in dealers),
                           zones=tuple({dealer.time_zone for dealer in dealers}),
                           dealer_zones=tuple((dealer.pk, dealer.time_zone) for dealer in dealers),
                           first_contact_hours=complaint_policy.first_contact_hours,
                           reply_limit_hours=complaint_policy.reply_limit_hours)
    kpis = network_kpis(network)
    figures = network_figures([MEASURES[kpi.measure] for kpi in kpis], context)
    poe = poe_by_dealer(dealer_ids=context.dealer_ids, month=month)
    cards = {}
    for dealer in dealers:
        card = Scorecard(dealer_id=dealer.pk, month=month.strftime("%Y-%m"))
        if dealer.pk in poe:
            card.poe, card.poe_sections = poe[dealer.pk]
        for kpi in kpis:
            measure = MEASURES[kpi.measure]
            figure = figures[kpi.measure].get(dealer.pk)
            result = KpiResult(code=kpi.code, name=kpi.name, measure=kpi.measure, record=measure.record,
                               unit=measure.unit, focus_area=kpi.focus_area, category=kpi.category,
                               target=float(kpi.target), weight=kpi.weight, translations=kpi.translations or {})
            if figure is not None:
                result.cases, result.met = figure.cases, figure.met
                result.value = None if figure.value is None else exact(figure.value)
                result.enough_data = figure.cases >= policy.min_sample and figure.value is not None
                if result.enough_data:
                    result.score = kpi_score(figure.value, target=kpi.target,
                                             higher_is_better=measure.higher_is_better)
            card.kpis.append(result)
        service_quality_apply(card, min_data_weight_percent=policy.min_data_weight_percent)
        rating_apply(card, policy)
        cards[dealer.pk] = card
    return cards


@dataclass
class DealerMonth:
    """A dealer's scorecard for one month, and where it came from."""

    dealer: object
    month: date
    card: dict  # status, poe, service_quality, speed, compliance, overall, stars, poe_sections, focus_areas, kpis
    entry: RankingEntry | None  # the published line (ranks, movement, top five), or None for a live preview
    ranking: Ranking | None

    @property
    def is_published(self) -> bool:
        return self.entry is not None


def _entry_card(entry: RankingEntry) -> dict:
    return {"status": entry.status, "poe": entry.poe, "service_quality": entry.service_quality,
            "speed": entry.speed, "compliance": entry.compliance, "overall": entry.overall, "stars": entry.stars,
            **entry.details}


def _live_card(card: Scorecard) -> dict:
    # The same plain, unrounded figures as a published snapshot, so a page cannot tell them apart.
    return {"status": card.status, **card.figures(), "stars": card.stars, **card.details()}


def dealer_month(*, dealer, month: date) -> DealerMonth:
    """The month's scorecard of ``dealer``: frozen from the current published ranking, else computed now.

    Raises ValidationError for a month in the future.
    """
    month = month_check(month, network=dealer.network)
    ranking = ranking_current(network=dealer.network, month=month)
    entry = ranking.entries.filter(dealer=dealer).first() if ranking else None
    if entry is not None:
        return DealerMonth(dealer=dealer, month=month, card=_entry_card(entry), entry=entry, ranking=ranking)
    card = scorecards_compute(network=dealer.network, month=month, dealers=[dealer])[dealer.pk]
    return DealerMonth(dealer=dealer, month=month, card=_live_card(card), entry=None, ranking=None)


def dealer_trend(*, dealer, until: date, months: int = 12) -> list[RankingEntry]:
    """The dealer's published lines of the last ``months`` months up to ``until`` (oldest first)."""
    first = until.replace(day=1)
    for _step in range(months - 1):
        first = previous_month(first)
    return list(RankingEntry.objects.filter(dealer=dealer, ranking__is_current=True, ranking__month__gte=first,
                                            ranking__month__lte=until)
                .select_related("ranking").order_by("ranking__month"))


def scorecard_min_sample(month: DealerMonth) -> int:
    """The minimum sample the month was computed with: the published ranking's, else the network's now."""
    if month.ranking is not None and "min_sample" in month.ranking.rules:
        return month.ranking.rules["min_sample"]
    return ScoringPolicy.objects.for_network(month.dealer.network).min_sample


# --- The monthly ranking ------------------------------------------------------------------------------------

# ?sort= keys of the ranking table and the column each one orders by ("-key": high first).
SORTS = {
    "rank": "rank_network", "dealer": "dealer__name", "region": "region__name", "poe": "poe",
    "service_quality": "service_quality", "speed": "speed", "compliance": "compliance", "overall": "overall",
    "stars": "stars", "region_rank": "rank_region",
}


def ranking_dealers(network) -> list[Dealer]:
    # Every active dealer of the network is listed, rated or not ("not assessed" is information too).
    return list(Dealer.objects.filter(network=network, is_active=True).select_related("region").order_by("code"))


def linkable_dealers(network) -> set[int]:
    """The dealers whose scorecards this person may open (a scoped query): HQ every one, a regional manager the
    region's."""
    return set(Dealer.objects.filter(network=network).values_list("pk", flat=True))


def ranking_current(*, network, month: date) -> Ranking | None:
    return Ranking.objects.filter(network=network, month=month, is_current=True).first()


def published_months(network) -> list[date]:
    """Months with a published ranking, latest first."""
    return list(Ranking.objects.filter(network=network, is_current=True).order_by("-month")
                .values_list("month", flat=True))


def ranking_version(*, network, month: date, version: int | None = None) -> Ranking | None:
    """The month's current ranking, or the named version of it."""
    if version is None:
        return ranking_current(network=network, month=month)
    return Ranking.objects.filter(network=network, month=month, version=version).first()


def ranking_versions(*, network, month: date) -> list[Ranking]:
    return list(Ranking.objects.filter(network=network, month=month).select_related("published_by")
                .order_by("version"))


def ranking_entries(ranking: Ranking):
    """The lines of a published ranking in rank order (rated first, then the rest by dealer code)."""
    return (ranking.entries.select_related("dealer", "region")
            .order_by(F("rank_network").asc(nulls_last=True), "dealer__code"))


def ranking_lines(ranking: Ranking, *, region_code: str | None = None, stars: int | None = None,
                  sort: str | None = None):
    """The published lines, narrowed to a region and/or a star count, sorted by a column of ``SORTS``, as a query
    (a page reads its own lines: a network of 2,000 dealers is not read whole to show 50). Read them through
    ``with_movement``.

    Dealers without a rating always come after the rated ones; within equal values, rank order.
    """
    entries = ranking_entries(ranking)
    if region_code:
        entries = entries.filter(region__code=region_code)
    if stars:
        entries = entries.filter(stars=stars)
    if sort and sort.lstrip("-") in SORTS:
        column = F(SORTS[sort.lstrip("-")])
        rated_first = Case(When(status=EntryStatus.RATED, then=Value(0)), default=Value(1),
                           output_field=IntegerField())
        entries = entries.order_by(rated_first, column.desc(nulls_last=True) if sort.startswith("-")
                                   else column.asc(nulls_last=True),
                                   F("rank_network").asc(nulls_last=True), "dealer__code")
    return entries


def with_movement(lines) -> list[RankingEntry]:
    """The lines read, each with the words of its movement since last month."""
    lines = list(lines)
    for entry in lines:
        entry.movement_text = movement_text(entry)
    return lines


# --- The quarterly report -----------------------------------------------------------------------------------

QUARTERLY_TOP = 3
# Marked here, translated where shown (``gettext`` in the view).
QUARTERLY_RULE = gettext_noop("Dealers rated at least once in the quarter's current published rankings, ordered by "
                              "their average overall score over the months they were rated (high first); ties go to "
                              "the dealer rated in more months, then to the better best rank in the network, then by "
                              "dealer code (A–Z). The top 3 of each region are highlighted.")


@dataclass
class Achiever:
    """One dealer's quarter: the months it was rated, top-five months, its average overall and best rank."""

    dealer: object
    region: object
    months_rated: int
    top_five: int
    average_overall: Fraction  # of the unrounded overall scores
    best_rank: int
    is_highlighted: bool = False


@dataclass
class RegionAchievers:
    region: object
    achievers: list[Achiever] = field(default_factory=list)


def quarterly_achievers(*, network, quarter: date) -> list[RegionAchievers]:
    """Top achievers per region from the current published rankings of the quarter's three months.

    A dealer's region is its region in the latest month it was rated. Regions are listed by name.
    """
    entries = (RankingEntry.objects
               .filter(ranking__network=network, ranking__is_current=True,
                       ranking__month__in=quarter_months(quarter), status=EntryStatus.RATED)
               .select_related("dealer", "region", "ranking").order_by("ranking__month"))
    by_dealer: dict[int, list[RankingEntry]] = {}
    for entry in entries:
        by_dealer.setdefault(entry.dealer_id, []).append(entry)
    regions: dict[int, RegionAchievers] = {}
    for lines in by_dealer.values():
        latest = lines[-1]
        achiever = Achiever(
            dealer=latest.dealer, region=latest.region, months_rated=len(lines),
            top_five=sum(1 for line in lines if line.is_top_five),
            average_overall=sum((exact(line.overall) for line in lines), Fraction(0)) / len(lines),
            best_rank=min(line.rank_network for line in lines))
        regions.setdefault(latest.region_id, RegionAchievers(region=latest.region)).achievers.append(achiever)
    result = sorted(regions.values(), key=lambda group: (group.region.name, group.region.code))
    for group in result:
        group.achievers.sort(key=lambda a: (-a.average_overall, -a.months_rated, a.best_rank, a.dealer.code))
        for achiever in group.achievers[:QUARTERLY_TOP]:
            achiever.is_highlighted = True
    return result


# --- The records behind a KPI -------------------------------------------------------------------------------


def kpi_on_card(*, dealer, month: date, code: str) -> tuple[str, str] | None:
    """(name in the reader's language, measure key) of the KPI ``code`` as the dealer's month counted it, or
    None if it did not.

    A published month answers from its snapshot (the KPI set it was computed with); otherwise the
    network's KPIs now.
    """
    ranking = ranking_current(network=dealer.network, month=month)
    entry = ranking.entries.filter(dealer=dealer).first() if ranking else None
    if entry is not None:
        found = next((kpi for kpi in entry.details.get("kpis", []) if kpi.get("code") == code), None)
        found = (localized(found, "name"), found["measure"]) if found else None
    else:
        kpi = kpi_of(dealer.network, code)
        found = (localized(kpi, "name"), kpi.measure) if kpi else None
    if found is None or found[1] not in MEASURES:
        return None
    return found


def _case_date_field(measure_key: str, model) -> str:
    if model is PromiseCheck:
        return "job_arrived_at"
    if model is ServiceJob:
        return "delivered_at"
    if model is FollowUpCall:
        return "window_end"
    return "closed_at" if measure_key in {"complaint_closed_in_time", "complaint_close_hours"} else "received_at"


def kpi_cases(*, dealer, month: date, measure_key: str):
    """The records the measure counted for the dealer's month, oldest first, ready to display."""
    policy = ComplaintPolicy.objects.for_network(dealer.network)
    cases = kpi_cases_for_dealer(measure_key, dealer=dealer, month=month,
                                 first_contact_hours=policy.first_contact_hours,
                                 reply_limit_hours=policy.reply_limit_hours)
    model = cases.model
    cases = cases.order_by(_case_date_field(measure_key, model), "pk")
    if model is PromiseCheck:  # the checks' jobs by key: a join would read every tenant's jobs
        return cases.prefetch_related("job", "job__customer")
    return cases.select_related("customer")


@dataclass
class CaseRow:
    """One counted record as the KPI page lists it, with the URL name and key of the record's own page."""

    reference: str
    customer: str
    when: datetime | date
    has_time: bool
    met: bool | None
    hours: float | None  # unrounded
    url_name: str
    pk: int
    note: str = ""


def case_row(case, *, measure_key: str) -> CaseRow:
    met = getattr(case, "kpi_met", None)
    duration = getattr(case, "kpi_duration", None)
    hours = duration.total_seconds() / 3600 if duration is not None else None
    if isinstance(case, PromiseCheck):
        job = case.job
        return CaseRow(job.number, job.customer.name, job.arrived_at, True, met, hours, "job_detail", job.pk,
                       note=_("promise %(number)s") % {"number": case.number})
    if isinstance(case, ServiceJob):
        return CaseRow(case.number, case.customer.name, case.delivered_at, True, met, hours, "job_detail", case.pk)
    if isinstance(case, FollowUpCall):
        # Worded by the follow-up rules, so an early call says it was reached before its window, never "within".
        return CaseRow(case.customer.name, case.customer.name, case.window_end, False, met, hours,
                       "followup_call", case.pk, note=followup_outcome(case).reason)
    when = case.closed_at if _case_date_field(measure_key, Complaint) == "closed_at" else case.received_at
    return CaseRow(case.reference, case.customer.name, when, True, met, hours, "complaint_detail", case.pk)


# --- Assessments --------------------------------------------------------------------------------------------


def assessments_visible(user_scope: TenantScope):
    """Assessments in scope, less HQ's drafts at dealers the person sees only as dealer staff (they see HQ's
    assessment once it is submitted)."""
    assessments = Assessment.objects.all()
    if user_scope.unrestricted:
        return assessments
    hq_side = TenantScope(network_ids=user_scope.network_ids, region_ids=user_scope.region_ids).dealer_q("dealer")
    return assessments.exclude(Q(is_self_assessment=False, status=AssessmentStatus.DRAFT) & ~hq_side)


def assessments_with_points(assessments: QuerySet) -> QuerySet:
    """Each assessment's achieved points and applicable maximum (``achieved``, ``applicable_max``), in the same
    query."""
    applicable = Q(scores__not_applicable=False)
    return assessments.annotate(achieved=Sum("scores__points", filter=applicable, default=0),
                                applicable_max=Sum("scores__item__max_points", filter=applicable, default=0))


def assessment_poe(assessment) -> float | None:
    """The POE of an assessment annotated by ``assessments_with_points``."""
    return Percentage(assessment.achieved, assessment.applicable_max).percent


def assessment_result(assessment: Assessment) -> tuple[Percentage, dict[str, Percentage]]:
    """Points achieved over the applicable maximum, in total and per section (not-applicable items left out)."""
    sections: dict[str, list[int]] = {}
    for score in assessment.scores.select_related("item__section"):
        if score.not_applicable:
            continue
        achieved_max = sections.setdefault(score.item.section.title, [0, 0])
        achieved_max[0] += score.points or 0
        achieved_max[1] += score.item.max_points
    per_section = {title: Percentage(*values) for title, values in sections.items()}
    total = Percentage(sum(part.achieved for part in per_section.values()),
                       sum(part.applicable_max for part in per_section.values()))
    return total, per_section


@dataclass
class AssessmentMonth:
    """HQ's month of assessments across a network's dealers: those started (with POE once submitted) and the
    dealers not assessed yet."""

    rows: list[Assessment]
    not_assessed: list[Dealer]


NOT_STARTED = "not_started"  # the assessment list's status filter for dealers without an HQ assessment


def assessment_month(*, network, month: date, region_code: str = "", status: str = "") -> AssessmentMonth:
    """The month's HQ assessments of the active dealers (of one region), in one status, or only the dealers not
    assessed yet (``NOT_STARTED``); no status: both."""
    hq_assessments = Assessment.objects.filter(month=month, is_self_assessment=False)
    dealers = Dealer.objects.filter(network=network, is_active=True).select_related("region")
    if region_code:
        dealers = dealers.filter(region__code=region_code)
    rows = []
    if status != NOT_STARTED:
        assessments = (assessments_with_points(hq_assessments.filter(dealer__in=dealers))
                       .select_related("dealer__region", "template", "auditor")
                       .order_by("dealer__region__name", "dealer__code", "template__code"))
        if status:
            assessments = assessments.filter(status=status)
        rows = list(assessments)
        for assessment in rows:
            assessment.poe = assessment_poe(assessment) if assessment.status == AssessmentStatus.SUBMITTED else None
    not_assessed = []
    if status in ("", NOT_STARTED):
        not_assessed = list(dealers.exclude(pk__in=hq_assessments.values("dealer_id")).order_by("region__name", "code"))
    return AssessmentMonth(rows=rows, not_assessed=not_assessed)


def assessment_items(assessment: Assessment) -> list[ChecklistItem]:
    """The items of the assessment's checklist version, in section and item order."""
    return list(ChecklistItem.objects.filter(section__template_id=assessment.template_id)
                .select_related("section").order_by("section__position", "position"))


# --- Checklists ---------------------------------------------------------------------------------------------


def checklists_with_totals(network) -> QuerySet:
    """Every version of the network's checklists with its number of items and total points."""
    return (ChecklistTemplate.objects.filter(network=network)
            .annotate(items_count=Count("sections__items"), total_points=Sum("sections__items__max_points"))
            .order_by("code", "-version"))


def checklist_export(template: ChecklistTemplate) -> dict:
    """The checklist as plain data (what ``services.checklist_import`` reads back)."""
    return {
        "code": template.code, "kind": template.kind, "name": template.name, "version": template.version,
        "language": template.network.default_language,
        "sections": [
            {"code": section.code, "title": section.title,
             **({"translations": section.translations} if section.translations else {}),
             "items": [{"code": item.code, "text": item.text, "max_points": item.max_points,
                        **({"guidance": item.guidance} if item.guidance else {}),
                        **({"translations": item.translations} if item.translations else {})}
                       for item in section.items.all()]}
            for section in template.sections.prefetch_related("items")
        ],
    }
