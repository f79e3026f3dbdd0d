"""Reads on follow-up calls: the representative's call list for today, in the dealer's local dates."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone

from dealer_portal.tenancy.models import Dealer
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
    totals: dict[str, int] = field(default_factory=dict)  # each part's calls, shown or not


CALL_PARTS = ("last_day", "due_today", "due_soon", "missed")


def _part_of(*, status, window_start, window_end, callback_at, dealer, now) -> str | None:
    """Where a candidate call stands on the list at ``now`` in its dealer's local time: a part of the list,
    ``"outside_hours"`` (due, but the dealer's calling hours are over or not begun), or None (not on it)."""
    local = timezone.localtime(now, dealer.zone)
    today = local.date()
    if status == CallStatus.MISSED:
        return "missed" if window_end >= today - timedelta(days=MISSED_SHOWN_DAYS) else None
    if window_start > today + timedelta(days=SOON_DAYS):
        return None  # not yet soon at this dealer
    if window_start > today:
        return "due_soon"
    if callback_at and callback_at > now:
        return "due_soon"  # the customer asked to be called later
    if not dealer.calling_from <= local.time() < dealer.calling_until:
        return "outside_hours"  # customers are called only within the dealer's calling hours
    return "last_day" if window_end == today else "due_today"


def call_list(*, now=None, shown: dict[str, int] | None = None) -> CallList:
    """Calls due today (callbacks once their time has come), on their last day, coming soon, and lately missed.

    Each call is placed by a light read of the candidates (the columns that place it); then only the calls
    shown — the first ``shown[part]`` of each part, or all of them without ``shown`` — are read whole, in one
    query with their customer, vehicle, job and each job's broken promises, so the representative knows what to
    ask about. ``totals`` counts every part.
    """
    now = now or timezone.now()
    # A day's margin either side in the query; each call is then placed by its own dealer's local date.
    rough_today = now.date()
    candidates = list(
        FollowUpCall.objects
        .filter(Q(status__in=OPEN_CALL_STATUSES, window_start__lte=rough_today + timedelta(days=SOON_DAYS + 1))
                | Q(status=CallStatus.MISSED, window_end__gte=rough_today - timedelta(days=MISSED_SHOWN_DAYS + 1)))
        .order_by("window_end", "pk")
        .values_list("pk", "dealer_id", "status", "window_start", "window_end", "callback_at"))
    dealers = {dealer.pk: dealer for dealer in Dealer.objects.filter(pk__in={row[1] for row in candidates})}
    board = CallList()
    placed: dict[str, list[int]] = {part: [] for part in CALL_PARTS}
    for pk, dealer_id, status, window_start, window_end, callback_at in candidates:
        dealer = dealers[dealer_id]
        part = _part_of(status=status, window_start=window_start, window_end=window_end, callback_at=callback_at,
                        dealer=dealer, now=now)
        if part == "outside_hours":
            if dealer not in board.outside_hours:
                board.outside_hours.append(dealer)
        elif part is not None:
            placed[part].append(pk)
    board.totals = {part: len(pks) for part, pks in placed.items()}
    wanted = {part: pks if shown is None else pks[:shown.get(part, len(pks))] for part, pks in placed.items()}
    ids = [pk for pks in wanted.values() for pk in pks]
    calls = (FollowUpCall.objects
             .select_related("dealer", "customer", "vehicle", "service_job", "service_job__advisor", "sales_handover")
             .prefetch_related(Prefetch("service_job__promise_checks", to_attr="broken_promises",
                                        queryset=PromiseCheck.objects.filter(status=PromiseCheckStatus.BROKEN)
                                        .order_by("number")))
             .in_bulk(ids)) if ids else {}
    for part, pks in wanted.items():
        getattr(board, part).extend(calls[pk] for pk in pks)
    return board
