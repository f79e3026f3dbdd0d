"""Reads on follow-up calls: the representative's call list for today, in the dealer's local dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from servicejobs.models import PromiseCheck, PromiseCheckStatus

from .models import OPEN_CALL_STATUSES, CallStatus, FollowUpCall

SOON_DAYS = 2
MISSED_SHOWN_DAYS = 14


@dataclass
class CallList:
    outside_hours: list = field(default_factory=list)  # dealers whose calling hours are over (or not begun)
    due_today: list = field(default_factory=list)
    last_day: list = field(default_factory=list)
    due_soon: list = field(default_factory=list)
    missed: list = field(default_factory=list)


def call_list(*, now=None) -> CallList:
    """Calls due today (callbacks once their time has come), on their last day, coming soon, and lately missed.

    One query, with each job's broken promises, so the representative knows what to ask about.
    """
    now = now or timezone.now()
    # A day's margin either side in the query; each call is then placed by its own dealer's local date.
    rough_today = now.date()
    calls = (FollowUpCall.objects
             .filter(Q(status__in=OPEN_CALL_STATUSES, window_start__lte=rough_today + timedelta(days=SOON_DAYS + 1))
                     | Q(status=CallStatus.MISSED, window_end__gte=rough_today - timedelta(days=MISSED_SHOWN_DAYS + 1)))
             .select_related("dealer", "customer", "vehicle", "service_job", "service_job__advisor",
                             "sales_handover")
             .prefetch_related(Prefetch("service_job__promise_checks", to_attr="broken_promises",
                                        queryset=PromiseCheck.objects.filter(status=PromiseCheckStatus.BROKEN)
                                        .order_by("number")))
             .order_by("window_end", "pk"))
    board = CallList()
    for call in calls:
        local = timezone.localtime(now, call.dealer.zone)
        today = local.date()
        if call.status == CallStatus.MISSED:
            if call.window_end >= today - timedelta(days=MISSED_SHOWN_DAYS):
                board.missed.append(call)
        elif call.window_start > today + timedelta(days=SOON_DAYS):
            continue  # not yet soon at this dealer
        elif call.window_start > today:
            board.due_soon.append(call)
        elif call.callback_at and call.callback_at > now:
            board.due_soon.append(call)  # the customer asked to be called later
        elif not call.dealer.calling_from <= local.time() < call.dealer.calling_until:
            # Customers are called only within the dealer's calling hours.
            if call.dealer not in board.outside_hours:
                board.outside_hours.append(call.dealer)
        elif call.window_end == today:
            board.last_day.append(call)
        else:
            board.due_today.append(call)
    return board
