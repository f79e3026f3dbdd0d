"""The dealer's promise dashboard: shares of kept promises per promise, per advisor and per week.

Built in one grouped pass over the dealer's promise tallies of the period (``tally.py``: a day, advisor and promise a
row, kept by the database with the checks), or over the checks themselves where there are no tallies, whatever the
number of jobs; the broken promises are listed from the checks, bound on their own copy of their job's arrival, so
the dealer's (dealer, arrival) index serves them.
A share counts only promises that were decided (kept or broken); pending and not-applicable ones
are left out of both sides.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import PromiseCheck, PromiseCheckStatus, PromiseTally
from .promises import SERVICE_PROMISES
from .tally import uses_tallies

User = get_user_model()

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
    broken_count: int = 0  # the rows of ``broken``, known from the counts (a page need not count them again)

    @property
    def overall(self) -> Share:
        return Share(sum(s.kept for s in self.by_promise.values()), sum(s.broken for s in self.by_promise.values()))


def promise_dashboard(*, start: date, end: date) -> PromiseDashboard:
    """Jobs whose customer arrived between ``start`` and ``end`` (local dates, both included)."""
    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(start, time.min), zone)
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone)
    # No ordering: the model's (by job) would join every tenant's jobs into each aggregate.
    checks = PromiseCheck.objects.filter(job_arrived_at__gte=since, job_arrived_at__lt=until).order_by()
    dashboard = PromiseDashboard(start=start, end=end,
                                 by_promise={number: Share() for number in SERVICE_PROMISES})

    # One grouped pass by (advisor, week, promise); the three tables are its sums.
    advisors: dict[int | None, dict[int, Share]] = defaultdict(lambda: defaultdict(Share))
    weeks: dict[date, dict[int, Share]] = defaultdict(lambda: defaultdict(Share))
    for row in _buckets(checks, start=start, end=end, zone=zone):
        week = row["week"].date() if isinstance(row["week"], datetime) else row["week"]
        for share in (dashboard.by_promise[row["number"]], advisors[row["advisor"]][row["number"]],
                      weeks[week][row["number"]]):
            share.kept += row["kept"]
            share.broken += row["broken"]

    names: dict[str, dict[int, Share]] = defaultdict(lambda: defaultdict(Share))
    people = {person.pk: person.full_name or person.email
              for person in User.objects.filter(pk__in=[pk for pk in advisors if pk is not None]).only(
                  "full_name", "email")}
    for advisor, shares in advisors.items():  # two advisors of the same name share a line, as they always did
        merged = names[people.get(advisor) or "—"]
        for number, share in shares.items():
            merged[number].kept += share.kept
            merged[number].broken += share.broken
    dashboard.by_advisor = [(name, dict(shares), _total(shares)) for name, shares in sorted(names.items())]
    dashboard.by_week = [(week, dict(shares), _total(shares)) for week, shares in sorted(weeks.items())]

    dashboard.broken_count = dashboard.overall.broken
    dashboard.broken = (  # unsliced: the page shows it a page at a time; the (dealer, status, arrival) index
        checks.filter(status=PromiseCheckStatus.BROKEN)
        .select_related("job", "job__customer", "job__advisor")
        .order_by("-job_arrived_at", "job_id", "number")
    )
    return dashboard


def _buckets(checks: QuerySet[PromiseCheck], *, start: date, end: date, zone):
    """The period's checks counted by (advisor, week, promise): from the tallies where the database keeps them
    (a year is a few thousand rows), else from the checks themselves; a bucket exists where a check does."""
    if uses_tallies():
        rows = (PromiseTally.objects.filter(day__gte=start, day__lte=end).order_by()
                .values("number", advisor_key=F("advisor_id"), week=TruncWeek("day"))
                .annotate(count=Sum("checks"), kept_sum=Sum("kept"), broken_sum=Sum("broken")))
    else:
        rows = (checks.values("number", advisor_key=F("job_advisor_id"),
                              week=TruncWeek("job_arrived_at", tzinfo=zone))
                .annotate(count=Count("pk"), kept_sum=Count("pk", filter=Q(status=PromiseCheckStatus.KEPT)),
                          broken_sum=Count("pk", filter=Q(status=PromiseCheckStatus.BROKEN))))
    for row in rows:
        if row["count"]:
            yield {"advisor": row["advisor_key"], "week": row["week"], "number": row["number"],
                   "kept": row["kept_sum"], "broken": row["broken_sum"]}


def _total(shares: dict[int, Share]) -> Share:
    return Share(sum(s.kept for s in shares.values()), sum(s.broken for s in shares.values()))
