"""Measuring and improving (b.7, b.9, c.3.9, G.4): a dealer's complaint figures month by month.

A fixed handful of aggregate queries whatever the number of complaints; only the closed complaints'
durations are read as values, to give the median and the 90th percentile.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F
from django.db.models.functions import TruncMonth
from django.utils import timezone

from servicejobs.models import JobStatus, ServiceJob

from .models import CLOSED_STATES, Complaint, Compliment, ImprovementPlan, PlanStatus


@dataclass
class Month:
    start: date
    complaints: int = 0
    compliments: int = 0
    jobs: int = 0

    @property
    def per_100_jobs(self) -> Decimal | None:
        return (Decimal(self.complaints * 100) / self.jobs).quantize(Decimal("0.01")) if self.jobs else None


@dataclass
class ComplaintDashboard:
    months: list[Month]
    closed: int = 0
    closed_in_time: int = 0
    median_to_close: timedelta | None = None
    p90_to_close: timedelta | None = None
    pareto: list[tuple[str, int, float]] = field(default_factory=list)  # category, count, cumulative %
    by_department: list[tuple[str, int]] = field(default_factory=list)
    by_advisor: list[tuple[str, int]] = field(default_factory=list)
    open_plans: list[ImprovementPlan] = field(default_factory=list)

    @property
    def closed_in_time_percent(self) -> float | None:
        return round(100 * self.closed_in_time / self.closed, 1) if self.closed else None


def _month_starts(count: int, today: date) -> list[date]:
    first = today.replace(day=1)
    starts = [first]
    while len(starts) < count:
        previous = (starts[-1] - timedelta(days=1)).replace(day=1)
        starts.append(previous)
    return list(reversed(starts))


def _next_month(start: date) -> date:
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def _percentile(values: list[timedelta], share: float) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def complaint_dashboard(*, policy, months: int = 6, today: date | None = None) -> ComplaintDashboard:
    """The current scope's complaints over the last ``months`` calendar months (local time), this one included."""
    zone = timezone.get_current_timezone()
    today = today or timezone.localdate()
    starts = _month_starts(months, today)
    since = timezone.make_aware(datetime.combine(starts[0], time.min), zone)
    until = timezone.make_aware(datetime.combine(_next_month(starts[-1]), time.min), zone)
    by_start = {start: Month(start) for start in starts}

    def monthly(queryset, field_name):
        # Bounded on both sides: a row stored with a mistyped year falls outside every month shown.
        rows = (queryset.filter(**{f"{field_name}__gte": since, f"{field_name}__lt": until})
                .annotate(month=TruncMonth(field_name, tzinfo=zone)).values("month").annotate(n=Count("pk")))
        return {(row["month"].date() if isinstance(row["month"], datetime) else row["month"]): row["n"]
                for row in rows}

    complaints = Complaint.objects.all()
    for start, count in monthly(complaints, "received_at").items():
        by_start[start].complaints = count
    for start, count in monthly(Compliment.objects.all(), "received_at").items():
        by_start[start].compliments = count
    for start, count in monthly(ServiceJob.objects.filter(status=JobStatus.DELIVERED), "delivered_at").items():
        by_start[start].jobs = count
    dashboard = ComplaintDashboard(months=[by_start[start] for start in starts])

    in_period = complaints.filter(received_at__gte=since, received_at__lt=until)
    durations = [closed - received - held for closed, received, held in
                 in_period.filter(state__in=CLOSED_STATES, closed_at__isnull=False)
                 .values_list("closed_at", "received_at", "time_on_hold")]
    limit = timedelta(hours=policy.reply_limit_hours)
    dashboard.closed = len(durations)
    dashboard.closed_in_time = sum(1 for duration in durations if duration <= limit)
    dashboard.median_to_close = statistics.median(durations) if durations else None
    dashboard.p90_to_close = _percentile(durations, 0.9)

    categories = list(in_period.filter(category__isnull=False)
                      .values("category__name", "category__parent__name").annotate(n=Count("pk")).order_by("-n"))
    total, running = sum(row["n"] for row in categories), 0
    for row in categories:
        running += row["n"]
        name = f"{row['category__parent__name']} › {row['category__name']}" if row["category__parent__name"] \
            else row["category__name"]
        dashboard.pareto.append((name, row["n"], round(100 * running / total, 1)))
    dashboard.by_department = [(row["department"], row["n"]) for row in
                               in_period.values("department").annotate(n=Count("pk")).order_by("-n")]
    dashboard.by_advisor = [(row["name"] or row["email"], row["n"]) for row in
                            in_period.filter(service_job__advisor__isnull=False)
                            .values(name=F("service_job__advisor__full_name"), email=F("service_job__advisor__email"))
                            .annotate(n=Count("pk")).order_by("-n")]
    dashboard.open_plans = list(ImprovementPlan.objects.filter(status__in=[PlanStatus.OPEN, PlanStatus.IN_PROGRESS])
                                .select_related("category", "category__parent", "owner"))
    return dashboard
