"""The dealer's promise dashboard: shares of kept promises per promise, per advisor and per week.

Built on the stored PromiseCheck rows with four aggregate queries, whatever the number of jobs; the period binds
on the checks' own copy of their job's arrival, so the dealer's (dealer, arrival) index serves every one.
A share counts only promises that were decided (kept or broken); pending and not-applicable ones
are left out of both sides.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import PromiseCheck, PromiseCheckStatus, ServiceJob
from .promises import SERVICE_PROMISES

BROKEN_PAGE_SIZE = 25  # broken promises a page of the dashboard lists; the view pages ``broken``


@dataclass
class Share:
    kept: int = 0
    broken: int = 0

    @property
    def decided(self) -> int:
        return self.kept + self.broken

    @property
    def percent(self) -> float | None:
        return round(100 * self.kept / self.decided, 1) if self.decided else None


@dataclass
class PromiseDashboard:
    start: date
    end: date
    by_promise: dict[int, Share] = field(default_factory=dict)
    by_advisor: list[tuple[str, dict[int, Share], Share]] = field(default_factory=list)
    by_week: list[tuple[date, dict[int, Share], Share]] = field(default_factory=list)
    broken: QuerySet[PromiseCheck] | list[PromiseCheck] = field(default_factory=list)

    @property
    def overall(self) -> Share:
        return Share(sum(s.kept for s in self.by_promise.values()), sum(s.broken for s in self.by_promise.values()))


def _counts():
    return {"kept": Count("pk", filter=Q(status=PromiseCheckStatus.KEPT)),
            "broken": Count("pk", filter=Q(status=PromiseCheckStatus.BROKEN))}


def promise_dashboard(*, start: date, end: date) -> PromiseDashboard:
    """Jobs whose customer arrived between ``start`` and ``end`` (local dates, both included)."""
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), zone)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone)
    # No ordering: the model's (by job) would join every tenant's jobs into each aggregate.
    checks = PromiseCheck.objects.filter(job_arrived_at__gte=since, job_arrived_at__lt=until).order_by()
    dashboard = PromiseDashboard(start=start, end=end,
                                 by_promise={number: Share() for number in SERVICE_PROMISES})

    for row in checks.values("number").annotate(**_counts()):
        dashboard.by_promise[row["number"]] = Share(row["kept"], row["broken"])

    # Each check's advisor is looked up by its job's key (a join would read every tenant's jobs of the period).
    job = ServiceJob.objects.filter(pk=OuterRef("job_id"))
    by_advisor = checks.annotate(advisor_name=Subquery(job.values("advisor__full_name")[:1]),
                                 advisor_email=Subquery(job.values("advisor__email")[:1]))
    advisors: dict[str, dict[int, Share]] = defaultdict(dict)
    for row in by_advisor.values("number", "advisor_name", "advisor_email").annotate(**_counts()):
        name = row["advisor_name"] or row["advisor_email"] or "—"
        advisors[name][row["number"]] = Share(row["kept"], row["broken"])
    dashboard.by_advisor = [(name, shares, _total(shares)) for name, shares in sorted(advisors.items())]

    weeks: dict[date, dict[int, Share]] = defaultdict(dict)
    weekly = checks.annotate(week=TruncWeek("job_arrived_at", tzinfo=zone)).values("week", "number")
    for row in weekly.annotate(**_counts()):
        week = row["week"].date() if isinstance(row["week"], datetime) else row["week"]
        weeks[week][row["number"]] = Share(row["kept"], row["broken"])
    dashboard.by_week = [(week, shares, _total(shares)) for week, shares in sorted(weeks.items())]

    dashboard.broken = (  # unsliced: the page shows it a page at a time
        checks.filter(status=PromiseCheckStatus.BROKEN)
        .select_related("job", "job__customer", "job__advisor")
        .order_by("-job_arrived_at", "job_id", "number")
    )
    return dashboard


def _total(shares: dict[int, Share]) -> Share:
    return Share(sum(s.kept for s in shares.values()), sum(s.broken for s in shares.values()))
