"""The follow-up rules, each a pure function (with its SQL twin beside it where a query needs the same rule)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from servicejobs.models import PromiseCheckStatus
from servicejobs.promises import FollowUpOutcome

from .models import CallStatus


def followup_outcome(call, *, zone) -> FollowUpOutcome:
    """Promise 9 (service or sales) from a delivery's follow-up call: kept if the customer was reached inside
    the window (local dates in ``zone``)."""
    window = _("days %(start)s–%(end)s") % {"start": call.window_start.strftime("%d %b"),
                                           "end": call.window_end.strftime("%d %b")}
    if call.status == CallStatus.REACHED:
        reached_day = timezone.localtime(call.reached_at, zone).date()
        if reached_day <= call.window_end:
            return FollowUpOutcome(PromiseCheckStatus.KEPT, _("Customer reached on %(day)s, within %(window)s.") % {
                "day": reached_day.strftime("%d %b"), "window": window})
        return FollowUpOutcome(PromiseCheckStatus.BROKEN, _("Customer reached only on %(day)s, after %(window)s.") % {
            "day": reached_day.strftime("%d %b"), "window": window})
    if call.status == CallStatus.MISSED:
        return FollowUpOutcome(PromiseCheckStatus.BROKEN, _("Not reached within %(window)s.") % {"window": window})
    if call.status == CallStatus.NOT_CONTACTED:
        return FollowUpOutcome(PromiseCheckStatus.NOT_APPLICABLE, call.not_contacted_reason)
    return FollowUpOutcome(PromiseCheckStatus.PENDING, _("Follow-up call due %(window)s.") % {"window": window})
