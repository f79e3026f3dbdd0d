"""Reads behind the ranking pages: published months and versions, filtered and sorted lines, the quarterly
report of top achievers per region, and the records a KPI counted for one dealer and month.

Everything here reads published snapshots or scoped querysets; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext as _

from complaints.models import Complaint, ComplaintPolicy
from followups.models import FollowUpCall
from servicejobs.models import PromiseCheck, ServiceJob

from .assessments import one_decimal
from .kpis import MEASURES, kpi_cases_for_dealer
from .models import EntryStatus, Ranking, RankingEntry
from .ranking import network_today, ranking_current
from .selectors import kpi_of, ranking_entries

# ?sort= keys of the ranking table and the column each one orders by ("-key": high first).
SORTS = {
    "rank": "rank_network", "dealer": "dealer__name", "region": "region__name", "poe": "poe",
    "service_quality": "service_quality", "speed": "speed", "compliance": "compliance", "overall": "overall",
    "stars": "stars", "region_rank": "rank_region",
}
QUARTERLY_TOP = 3


# --- The monthly ranking ------------------------------------------------------------------------------------


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


def movement_text(entry: RankingEntry) -> str:
    """▲n places gained, ▼n lost, – unchanged, "new" for a dealer ranked for the first time; "" unranked."""
    if entry.rank_network is None:
        return ""
    if entry.previous_rank is None:
        return _("new")
    change = entry.movement
    if change > 0:
        return f"▲{change}"
    if change < 0:
        return f"▼{-change}"
    return "–"


def ranking_lines(ranking: Ranking, *, region_code: str | None = None, stars: int | None = None,
                  sort: str | None = None) -> list[RankingEntry]:
    """The published lines, narrowed to a region and/or a star count, sorted by a column of ``SORTS``.

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
    lines = list(entries)
    for entry in lines:
        entry.movement_text = movement_text(entry)
    return lines


# --- The quarterly report -----------------------------------------------------------------------------------


def quarter_parse(text: str) -> date:
    """``2026-Q3`` → 1 July 2026, or a clear error."""
    year, _sep, quarter = (text or "").strip().upper().partition("-Q")
    if not (year.isdigit() and len(year) == 4 and quarter in {"1", "2", "3", "4"}):
        raise ValidationError({"quarter": _("Give the quarter as YYYY-Qn, for example 2026-Q3.")})
    return date(int(year), 3 * int(quarter) - 2, 1)


def quarter_label(start: date) -> str:
    return f"{start.year}-Q{(start.month - 1) // 3 + 1}"


def quarter_months(start: date) -> list[date]:
    return [start.replace(month=start.month + offset) for offset in range(3)]


def quarter_of(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def last_complete_quarter(today: date) -> date:
    this_quarter = quarter_of(today)
    if this_quarter.month == 1:
        return date(this_quarter.year - 1, 10, 1)
    return this_quarter.replace(month=this_quarter.month - 3)


def quarter_check(start: date, *, network, today: date | None = None) -> date:
    """Refuse a quarter that has not started yet (network time)."""
    if start > quarter_of(today or network_today(network)):
        raise ValidationError({"quarter": _("%(quarter)s is in the future.") % {"quarter": quarter_label(start)}})
    return start


@dataclass
class Achiever:
    """One dealer's quarter: the months it was rated, top-five months, its average overall and best rank."""

    dealer: object
    region: object
    months_rated: int
    top_five: int
    average_overall: Decimal
    best_rank: int
    is_highlighted: bool = False


@dataclass
class RegionAchievers:
    region: object
    achievers: list[Achiever] = field(default_factory=list)


QUARTERLY_RULE = ("Dealers rated at least once in the quarter's current published rankings, ordered by their "
                  "average overall score over the months they were rated (high first); ties go to the dealer "
                  "rated in more months, then to the better best rank in the network, then by dealer code (A–Z). "
                  "The top 3 of each region are highlighted.")


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
            average_overall=one_decimal(sum(line.overall for line in lines) / len(lines)),
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
    """(name, measure key) of the KPI ``code`` as the dealer's month counted it, or None if it did not.

    A published month answers from its snapshot (the KPI set it was computed with); otherwise the
    network's KPIs now.
    """
    ranking = ranking_current(network=dealer.network, month=month)
    entry = ranking.entries.filter(dealer=dealer).first() if ranking else None
    if entry is not None:
        found = next((kpi for kpi in entry.details.get("kpis", []) if kpi.get("code") == code), None)
        found = (found["name"], found["measure"]) if found else None
    else:
        kpi = kpi_of(dealer.network, code)
        found = (kpi.name, kpi.measure) if kpi else None
    if found is None or found[1] not in MEASURES:
        return None
    return found


def _case_date_field(measure_key: str, model) -> str:
    if model is PromiseCheck:
        return "job__arrived_at"
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
    related = {PromiseCheck: ["job", "job__customer"], ServiceJob: ["customer"], Complaint: ["customer"],
               FollowUpCall: ["customer"]}.get(model, [])
    return cases.select_related(*related).order_by(_case_date_field(measure_key, model), "pk")


@dataclass
class CaseRow:
    """One counted record as the KPI page lists it, with the URL name and key of the record's own page."""

    reference: str
    customer: str
    when: datetime | date
    has_time: bool
    met: bool | None
    hours: float | None
    url_name: str
    pk: int
    note: str = ""


def case_row(case, *, measure_key: str) -> CaseRow:
    met = getattr(case, "kpi_met", None)
    duration = getattr(case, "kpi_duration", None)
    hours = round(duration.total_seconds() / 3600, 1) if duration is not None else None
    if isinstance(case, PromiseCheck):
        job = case.job
        return CaseRow(job.number, job.customer.name, job.arrived_at, True, met, hours, "job_detail", job.pk,
                       note=_("promise %(number)s") % {"number": case.number})
    if isinstance(case, ServiceJob):
        return CaseRow(case.number, case.customer.name, case.delivered_at, True, met, hours, "job_detail", case.pk)
    if isinstance(case, FollowUpCall):
        return CaseRow(case.customer.name, case.customer.name, case.window_end, False, met, hours,
                       "followup_call", case.pk, note=case.get_status_display())
    when = case.closed_at if _case_date_field(measure_key, Complaint) == "closed_at" else case.received_at
    return CaseRow(case.reference, case.customer.name, when, True, met, hours, "complaint_detail", case.pk)
