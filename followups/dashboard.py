"""Follow-up figures per month (b.3, b.4, c.2): calls made in the window (``rules.reached_in_window``), reach,
satisfaction, complaints."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import CallAnswer, CallStatus, FollowUpCall
from .rules import reached_in_window_q


@dataclass
class MonthFigures:
    start: date
    due: int = 0
    reached: int = 0
    reached_in_window: int = 0
    satisfaction: float | None = None
    complaints: int = 0

    @property
    def reach_percent(self) -> float | None:
        return round(100 * self.reached / self.due, 1) if self.due else None

    @property
    def in_window_percent(self) -> float | None:
        return round(100 * self.reached_in_window / self.due, 1) if self.due else None


@dataclass
class FollowUpFigures:
    months: list[MonthFigures]
    by_advisor: list[tuple[str, int, float | None]] = field(default_factory=list)
    by_consultant: list[tuple[str, int, float | None]] = field(default_factory=list)


def followup_figures(*, months: int = 6, today: date | None = None) -> FollowUpFigures:
    """The current scope's calls for deliveries in the last ``months`` months (not-contacted ones left out)."""
    zone = timezone.get_current_timezone()
    today = today or timezone.localdate()
    first = today.replace(day=1)
    starts = [first]
    while len(starts) < months:
        starts.append((starts[-1] - timedelta(days=1)).replace(day=1))
    starts.reverse()
    since = starts[0]
    since_moment = timezone.make_aware(datetime.combine(since, time.min), zone)
    calls = FollowUpCall.objects.filter(delivered_at__gte=since_moment).exclude(status=CallStatus.NOT_CONTACTED)
    by_start = {start: MonthFigures(start) for start in starts}
    rows = (calls.annotate(month=TruncMonth("delivered_at", tzinfo=zone)).values("month")
            .annotate(due=Count("pk"), reached=Count("pk", filter=Q(status=CallStatus.REACHED)),
                      in_window=Count("pk", filter=reached_in_window_q())))
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        if month in by_start:
            figures = by_start[month]
            figures.due, figures.reached, figures.reached_in_window = row["due"], row["reached"], row["in_window"]
    answers = CallAnswer.objects.filter(answered_at__gte=since_moment)
    for row in (answers.annotate(month=TruncMonth("answered_at", tzinfo=zone)).values("month")
                .annotate(score=Avg("overall"), complaints=Count("pk", filter=Q(complaint__isnull=False)))):
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        if month in by_start:
            by_start[month].satisfaction = round(row["score"], 2)
            by_start[month].complaints = row["complaints"]
    by_advisor = (answers.filter(call__service_job__isnull=False)
                  .values(name=F("call__service_job__advisor__full_name")).annotate(n=Count("pk"), score=Avg("overall"))
                  .order_by("name"))
    by_consultant = (answers.filter(call__sales_handover__isnull=False)
                     .values(name=F("call__sales_handover__sales_consultant__full_name"))
                     .annotate(n=Count("pk"), score=Avg("overall")).order_by("name"))
    return FollowUpFigures(
        months=[by_start[start] for start in starts],
        by_advisor=[(row["name"] or "—", row["n"], round(row["score"], 2)) for row in by_advisor],
        by_consultant=[(row["name"] or "—", row["n"], round(row["score"], 2)) for row in by_consultant],
    )
