"""The follow-up rules, each a pure function with its SQL twin beside it (one test runs both on the same calls).

Two questions are asked of a reached call, and each name says which it answers:

* **Reached in the window** (``reached_in_window``): the Service Quality KPI "follow-up calls made within
  the window", the follow-up figures and the daily call report. The dealer's local date of reaching
  (``reached_on``) lies between ``window_start`` and ``window_end``, both included. A call reached before the
  window opened (day 1 after delivery, say, when the window is days 3–5) is *not* in the window: the standard
  asks for the call in those days, so it counts in the denominator and not in the numerator.
* **Reached by the window's last day** (``reached_by_window_end``): promise 9, "contacted within five days of
  delivery" (the window's last day is the network's ``followup_last_day``, five by default). A call reached
  before the window opened is still within those days, so the promise is kept; its reason says truthfully
  that the customer was reached before the window opened, not "within" it.

Both compare ``reached_on``, the local date the call was reached in the dealer's own time zone, stored on the
row by ``FollowUpCall.mark_reached`` (the one place ``reached_at`` is set), so SQL over dealers in different
time zones gives the same answer as Python.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F, Q
from django.utils import timezone

from dealer_portal.sentences import day_param
from servicejobs.models import PromiseCheckStatus
from servicejobs.promises import FollowUpOutcome
from servicejobs.reasons import Reason

from .models import CallStatus


def reached_in_window(call) -> bool:
    """The customer was reached on a local day from ``window_start`` to ``window_end``, both included."""
    return (call.status == CallStatus.REACHED and call.reached_on is not None
            and call.window_start <= call.reached_on <= call.window_end)


def reached_in_window_q() -> Q:
    """``reached_in_window`` in SQL."""
    return Q(status=CallStatus.REACHED, reached_on__gte=F("window_start"), reached_on__lte=F("window_end"))


def reached_by_window_end(call) -> bool:
    """Promise 9's "within five days": reached on or before the window's last local day, early calls included."""
    return call.status == CallStatus.REACHED and call.reached_on is not None and call.reached_on <= call.window_end


def reached_by_window_end_q() -> Q:
    """``reached_by_window_end`` in SQL."""
    return Q(status=CallStatus.REACHED, reached_on__lte=F("window_end"))


def window_closes_at(call, *, zone: ZoneInfo) -> datetime:
    """The moment the call's window closes: midnight after its last local day (then it is missed)."""
    return timezone.make_aware(datetime.combine(call.window_end + timedelta(days=1), time.min), zone)


def followup_outcome(call, *, zone=None) -> FollowUpOutcome:
    """Promise 9 (service or sales) from a delivery's follow-up call: kept if the customer was reached by the
    window's last day (``reached_by_window_end``). ``zone`` is unused: ``reached_on`` is already local."""
    window = {"start": day_param(call.window_start), "end": day_param(call.window_end)}
    if call.status == CallStatus.REACHED:
        reached = {"day": day_param(call.reached_on), **window}
        if reached_in_window(call):
            return FollowUpOutcome(PromiseCheckStatus.KEPT, Reason("followup_reached_in_window", reached))
        if reached_by_window_end(call):
            return FollowUpOutcome(PromiseCheckStatus.KEPT, Reason("followup_reached_early", reached))
        return FollowUpOutcome(PromiseCheckStatus.BROKEN, Reason("followup_reached_late", reached))
    if call.status == CallStatus.MISSED:
        return FollowUpOutcome(PromiseCheckStatus.BROKEN, Reason("followup_missed", window))
    if call.status == CallStatus.NOT_CONTACTED:
        return FollowUpOutcome(PromiseCheckStatus.NOT_APPLICABLE, Reason.verbatim(call.not_contacted_reason))
    return FollowUpOutcome(PromiseCheckStatus.PENDING, Reason("followup_due", window))
