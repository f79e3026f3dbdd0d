"""Service Quality KPIs: what each measure counts, computed from the platform's own records.

Every measure is a *set of cases* (promise checks, jobs, calls or complaints falling in one dealer's local
month) and either a condition that a case meets (a share) or a duration (a median). The monthly
figures for a whole network come from one aggregate query per table, grouped by dealer — never a Python
loop over jobs: every promise measure is summed from one count of the month's checks by dealer and promise
(``network_figures``). Every case set binds the dealer and the month on its own table (a promise check carries
its job's arrival time), so a dealer-leading index serves it and a dealer's cost does not grow with the rest of
the network. The same case sets, narrowed to one dealer, are what a scorecard links to.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from django.db import connection, models
from django.db.models import Count, ExpressionWrapper, F, Q
from django.utils.translation import gettext_lazy as _

from complaints.models import CLOSED_STATES, Complaint
from dealer_portal.tenancy.calendar import local_month_q, next_month
from dealer_portal.tenancy.content import shipped_translations
from followups.models import CallKind, CallStatus, FollowUpCall
from followups.rules import reached_in_window_q
from servicejobs.models import JobStatus, PromiseCheck, PromiseCheckStatus, ServiceJob

from .models import FocusArea, Kpi, KpiCategory
from .rules import kpi_value

PERCENT = "percent"
HOURS = "hours"


@dataclass(frozen=True)
class MonthContext:
    """What a measure needs besides the month: the dealers, their zones and the network's complaint limits.

    ``dealer_zones`` gives each dealer's zone (``((dealer_id, zone), ...)``) so the month binds on each row's own
    dealer column; without it, dealers of one zone need nothing more, and dealers of several are joined.
    """

    month: date
    dealer_ids: tuple[int, ...]
    zones: tuple[str, ...]
    first_contact_hours: int
    reply_limit_hours: int
    dealer_zones: tuple[tuple[int, str], ...] = ()

    def month_q(self, field: str) -> Q:
        """Rows of the context's dealers whose ``field`` falls in the month, each in its dealer's zone."""
        if self.dealer_zones:
            return local_month_q(field, self.month, dict(self.dealer_zones))
        if len(set(self.zones)) == 1:
            return local_month_q(field, self.month, dict.fromkeys(self.dealer_ids, self.zones[0]))
        return local_month_q(field, self.month, self.zones)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    unit: str  # PERCENT (a share of cases meeting a condition) or HOURS (a median duration)
    higher_is_better: bool
    record: str  # what a case is, for the scorecard's links: "job", "complaint" or "call"
    cases: Callable[[MonthContext], models.QuerySet]  # the month's cases, all dealers in scope
    met: Callable[[MonthContext], Q] | None = None  # shares: the condition a case meets
    hours: Callable[[MonthContext], models.Expression] | None = None  # medians: the duration of a case
    explanation: str = ""
    promises: tuple[int, ...] = ()  # a promise measure: the promise numbers whose decided checks are its cases
    # The cases' condition on ``cases``' table, where measures of one table are counted in one grouped pass.
    where: Callable[[MonthContext], Q] | None = None


DECIDED = (PromiseCheckStatus.KEPT, PromiseCheckStatus.BROKEN)


def _promise_cases(*numbers: int) -> Callable[[MonthContext], models.QuerySet]:
    def cases(context: MonthContext) -> models.QuerySet:
        # The check's own copy of its job's arrival: the dealer and the month on one table, one index.
        return (PromiseCheck.objects.filter(number__in=numbers, status__in=DECIDED)
                .filter(context.month_q("job_arrived_at")))
    return cases


def _promise_measure(key: str, label, *numbers: int, explanation) -> Measure:
    """A share of a job's promises kept, over those decided (kept or broken), on jobs arrived in the month."""
    return Measure(key, label, PERCENT, True, "job", _promise_cases(*numbers), met=_kept, explanation=explanation,
                   promises=numbers)


def _kept(context: MonthContext) -> Q:
    return Q(status=PromiseCheckStatus.KEPT)


def _delivered_jobs(context: MonthContext) -> models.QuerySet:
    return ServiceJob.objects.filter(status=JobStatus.DELIVERED).filter(context.month_q("delivered_at"))


def _service_calls(context: MonthContext) -> models.QuerySet:
    # A call counts in the month its window closes; customers who asked not to be called are left out.
    # It is met only if reached on a day of its window (followups.rules.reached_in_window): early calls are not.
    end = next_month(context.month)
    return (FollowUpCall.objects.filter(kind=CallKind.SERVICE, window_end__gte=context.month, window_end__lt=end)
            .exclude(status=CallStatus.NOT_CONTACTED))


def _received_in_month(context: MonthContext) -> Q:
    return context.month_q("received_at")


def _closed_in_month(context: MonthContext) -> Q:
    return Q(state__in=CLOSED_STATES, closed_at__isnull=False) & context.month_q("closed_at")


def _complaints_received(context: MonthContext) -> models.QuerySet:
    return Complaint.objects.filter(_received_in_month(context))


def _complaints_closed(context: MonthContext) -> models.QuerySet:
    return Complaint.objects.filter(_closed_in_month(context))


def _first_contact_in_time(context: MonthContext) -> Q:
    return Q(first_contact_at__isnull=False,
             first_contact_at__lte=F("received_at") + timedelta(hours=context.first_contact_hours))


def _closed_in_time(context: MonthContext) -> Q:
    # Time on hold (waiting for the factory, parts, a warranty decision) does not run the reply clock.
    return Q(closed_at__lte=F("received_at") + F("time_on_hold") + timedelta(hours=context.reply_limit_hours))


def _hours_to_close(context: MonthContext) -> models.Expression:
    return ExpressionWrapper(F("closed_at") - F("received_at") - F("time_on_hold"),
                             output_field=models.DurationField())


MEASURES: dict[str, Measure] = {measure.key: measure for measure in [
    _promise_measure("greeted_on_time", _("Customers greeted within tolerance of their appointment"), 1,
                     explanation=_("Promise 1 on jobs arrived in the month, walk-ins left out.")),
    _promise_measure("reception_with_customer", _("Reception and walk-around with the customer"), 2, 3,
                     explanation=_("Promises 2 and 3 on jobs arrived in the month.")),
    _promise_measure("work_explained", _("Work steps explained with a duration estimate"), 4,
                     explanation=_("Promise 4 on jobs arrived in the month.")),
    _promise_measure("ready_on_time", _("Cars ready by the promised time, or the customer told before"), 5,
                     explanation=_("Promise 5 on jobs arrived in the month.")),
    _promise_measure("done_as_agreed", _("Work done exactly as agreed"), 6,
                     explanation=_("Promise 6 on jobs arrived in the month.")),
    _promise_measure("delivery_explained", _("Work and invoice explained, advice given at delivery"), 7, 8,
                     explanation=_("Promises 7 and 8 on jobs arrived in the month.")),
    Measure("no_repeat_repair", _("Deliveries that were not a repeat repair"), PERCENT, True, "job",
            _delivered_jobs, met=lambda context: Q(repeat_of__isnull=True),
            explanation=_("Jobs delivered in the month that did not come back for the same work within the "
                          "network's repeat window.")),
    Measure("followup_in_window", _("Follow-up calls made within the window"), PERCENT, True, "call",
            _service_calls, met=lambda context: reached_in_window_q(),
            explanation=_("Service follow-up calls whose window closed in the month, met when the customer was "
                          "reached on a day of the window; a call reached before the window opened is not met.")),
    Measure("complaint_first_contact", _("Complaints answered within the first-contact limit"), PERCENT, True,
            "complaint", _complaints_received, met=_first_contact_in_time, where=_received_in_month,
            explanation=_("Complaints received in the month, first contact within the network's limit.")),
    Measure("complaint_closed_in_time", _("Complaints closed within the reply limit"), PERCENT, True,
            "complaint", _complaints_closed, met=_closed_in_time, where=_closed_in_month,
            explanation=_("Complaints closed in the month, within the reply limit plus time on hold.")),
    Measure("complaint_close_hours", _("Median time to close complaints"), HOURS, False, "complaint",
            _complaints_closed, hours=_hours_to_close, where=_closed_in_month,
            explanation=_("Hours from receipt to closing, time on hold left out, for complaints closed in the "
                          "month (lower is better).")),
]}


# The default set (DOMAIN.md section 3): every focus area and both categories, weights adding up to 100.
DEFAULT_KPIS = [
    # code, measure, focus area, category, target, weight
    ("greeting", "greeted_on_time", FocusArea.APPOINTMENT, KpiCategory.SPEED, 90, 15),
    ("reception", "reception_with_customer", FocusArea.RECEPTION, KpiCategory.COMPLIANCE, 95, 10),
    ("explanation", "work_explained", FocusArea.RECEPTION, KpiCategory.COMPLIANCE, 95, 5),
    ("ready-on-time", "ready_on_time", FocusArea.SCHEDULE, KpiCategory.SPEED, 90, 20),
    ("as-agreed", "done_as_agreed", FocusArea.WORK_QUALITY, KpiCategory.COMPLIANCE, 98, 10),
    ("no-repeat", "no_repeat_repair", FocusArea.WORK_QUALITY, KpiCategory.COMPLIANCE, 97, 10),
    ("delivery", "delivery_explained", FocusArea.DELIVERY, KpiCategory.COMPLIANCE, 95, 10),
    ("follow-up", "followup_in_window", FocusArea.FOLLOW_UP, KpiCategory.SPEED, 90, 10),
    ("complaint-reply", "complaint_first_contact", FocusArea.FOLLOW_UP, KpiCategory.SPEED, 95, 5),
    ("complaint-close", "complaint_close_hours", FocusArea.FOLLOW_UP, KpiCategory.SPEED, 72, 5),
]


# The default KPIs' names in every platform language, beside the set they name.
DEFAULT_KPI_NAMES: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).resolve().parent / "kpi_names.json").read_text(encoding="utf-8"))


def default_kpis(network) -> list[Kpi]:
    """The default set as unsaved rows of ``network`` (used until the network saves its own): each name in the
    network's default language, with its other content languages as translations."""
    kpis = []
    for position, (code, measure, area, category, target, weight) in enumerate(DEFAULT_KPIS):
        values, translations = shipped_translations(
            {"name": DEFAULT_KPI_NAMES.get(code) or str(MEASURES[measure].label)}, network=network)
        kpis.append(Kpi(network=network, code=code, name=values["name"], translations=translations,
                        measure=measure, focus_area=area, category=category, target=Decimal(target), weight=weight,
                        position=position))
    return kpis


@dataclass(frozen=True)
class Figure:
    """One KPI's raw figure for one dealer and month."""

    cases: int
    met: int | None = None  # shares
    value: Fraction | float | None = None  # the percentage met (exact), or the median in hours


class Median(models.Aggregate):
    """PostgreSQL's exact median of durations, in hours."""

    function = "PERCENTILE_CONT"
    template = "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
    output_field = models.FloatField()


def measure_figures(measure: Measure, context: MonthContext) -> dict[int, Figure]:
    """The measure's figure for each of the context's dealers with at least one case, in one grouped query."""
    cases = measure.cases(context).filter(dealer_id__in=context.dealer_ids).order_by()
    if measure.unit == PERCENT:
        rows = cases.values("dealer_id").annotate(cases=Count("pk"), met=Count("pk", filter=measure.met(context)))
        return {row["dealer_id"]: Figure(cases=row["cases"], met=row["met"],
                                         value=kpi_value(row["met"], row["cases"])) for row in rows}
    duration = measure.hours(context)
    if connection.vendor == "postgresql":
        rows = cases.values("dealer_id").annotate(cases=Count("pk"), median=Median(duration))
        return {row["dealer_id"]: Figure(cases=row["cases"], value=row["median"]) for row in rows}
    # SQLite (laptops without PostgreSQL) has no median aggregate: read the durations, still in one query.
    by_dealer: dict[int, list[float]] = {}
    for dealer_id, value in cases.annotate(kpi_duration=duration).values_list("dealer_id", "kpi_duration"):
        by_dealer.setdefault(dealer_id, []).append(value.total_seconds() / 3600)
    return {dealer_id: Figure(cases=len(values), value=statistics.median(values))
            for dealer_id, values in by_dealer.items()}


def promise_counts(context: MonthContext, numbers: Iterable[int]) -> models.QuerySet:
    """The month's decided checks of the context's dealers counted by dealer, promise and result: the one read of
    the promise checks behind every promise measure (rows ``dealer_id``, ``number``, ``status``, ``checks``)."""
    return (PromiseCheck.objects.filter(dealer_id__in=context.dealer_ids, number__in=sorted(set(numbers)),
                                        status__in=DECIDED)
            .filter(context.month_q("job_arrived_at")).order_by()
            .values("dealer_id", "number", "status").annotate(checks=Count("*")))


def _passes_together(measure: Measure) -> bool:
    """Whether the measure is counted in its table's one grouped pass (medians need PostgreSQL's aggregate)."""
    return measure.where is not None and (measure.unit == PERCENT or connection.vendor == "postgresql")


def table_figures(measures: list[Measure], context: MonthContext) -> dict[str, dict[int, Figure]]:
    """The figures of several measures on one table in one grouped pass over the rows any of them counts (each
    measure's aggregates filtered to its own cases): a month's complaints received and closed are read once."""
    model = measures[0].cases(context).model
    wheres = {measure.key: measure.where(context) for measure in measures}
    anywhere = Q()
    for where in wheres.values():
        anywhere |= where
    annotations = {}
    for measure in measures:
        annotations[f"{measure.key}__cases"] = Count("pk", filter=wheres[measure.key])
        if measure.unit == PERCENT:
            annotations[f"{measure.key}__met"] = Count("pk", filter=wheres[measure.key] & measure.met(context))
        else:
            annotations[f"{measure.key}__median"] = Median(measure.hours(context), filter=wheres[measure.key])
    rows = (model.objects.filter(dealer_id__in=context.dealer_ids).filter(anywhere).order_by()
            .values("dealer_id").annotate(**annotations))
    figures: dict[str, dict[int, Figure]] = {measure.key: {} for measure in measures}
    for row in rows:
        for measure in measures:
            cases = row[f"{measure.key}__cases"]
            if not cases:
                continue
            if measure.unit == PERCENT:
                met = row[f"{measure.key}__met"]
                figure = Figure(cases=cases, met=met, value=kpi_value(met, cases))
            else:
                figure = Figure(cases=cases, value=row[f"{measure.key}__median"])
            figures[measure.key][row["dealer_id"]] = figure
    return figures


def network_figures(measures: Iterable[Measure], context: MonthContext) -> dict[str, dict[int, Figure]]:
    """Each measure's figures (by its key) for the context's dealers: the promise measures summed from one grouped
    count of the month's checks, the measures of one table that say their condition (``where``) in one grouped
    pass of that table (``table_figures``), every other measure in its own grouped query (``measure_figures``)."""
    measures = {measure.key: measure for measure in measures}
    promise_measures = [measure for measure in measures.values() if measure.promises]
    together: dict[str, list[Measure]] = {}
    for measure in measures.values():
        if not measure.promises and _passes_together(measure):
            together.setdefault(measure.record, []).append(measure)
    figures = {key: measure_figures(measure, context) for key, measure in measures.items()
               if not measure.promises and not _passes_together(measure)}
    for same_table in together.values():
        figures.update(table_figures(same_table, context))
    if not promise_measures:
        return figures
    decided: dict[tuple[int, int], int] = {}
    kept: dict[tuple[int, int], int] = {}
    for row in promise_counts(context, [number for measure in promise_measures for number in measure.promises]):
        key = (row["dealer_id"], row["number"])
        decided[key] = decided.get(key, 0) + row["checks"]
        if row["status"] == PromiseCheckStatus.KEPT:  # the promise measures' one condition met (``_kept``)
            kept[key] = kept.get(key, 0) + row["checks"]
    dealers = sorted({dealer_id for dealer_id, _number in decided})
    for measure in promise_measures:
        by_dealer = {}
        for dealer_id in dealers:
            cases = sum(decided.get((dealer_id, number), 0) for number in measure.promises)
            if cases:
                met = sum(kept.get((dealer_id, number), 0) for number in measure.promises)
                by_dealer[dealer_id] = Figure(cases=cases, met=met, value=kpi_value(met, cases))
        figures[measure.key] = by_dealer
    return figures


def kpi_cases_for_dealer(measure_key: str, *, dealer, month: date, first_contact_hours: int, reply_limit_hours: int):
    """The records a KPI's measure counted for one dealer and month, annotated ``kpi_met`` (or ``kpi_duration``).

    Promise-based measures give PromiseCheck rows (their ``job`` is the record to link to).
    """
    measure = MEASURES[measure_key]
    context = MonthContext(month=month, dealer_ids=(dealer.pk,), zones=(dealer.time_zone,),
                           first_contact_hours=first_contact_hours, reply_limit_hours=reply_limit_hours,
                           dealer_zones=((dealer.pk, dealer.time_zone),))
    cases = measure.cases(context).filter(dealer_id__in=context.dealer_ids)
    if measure.unit == PERCENT:
        return cases.annotate(kpi_met=ExpressionWrapper(measure.met(context), output_field=models.BooleanField()))
    return cases.annotate(kpi_duration=measure.hours(context))
