"""Writes on follow-up calls that are not about scheduling: what the clock decides."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from .models import OPEN_CALL_STATUSES, CallStatus, FollowUpCall


@transaction.atomic
def followups_mark_missed(*, dealer, now: datetime | None = None) -> int:
    """Calls whose window has passed (in the dealer's local dates) and were never reached become missed.

    Side effects: the jobs' promise 9 is re-evaluated (broken). Idempotent: a second run finds none.
    """
    from servicejobs.services import job_promises_refresh, promise_policy_for

    today = timezone.localtime(now or timezone.now(), dealer.zone).date()
    due = FollowUpCall.objects.filter(dealer=dealer, status__in=OPEN_CALL_STATUSES, window_end__lt=today)
    call_ids = list(due.values_list("pk", flat=True))
    missed = FollowUpCall.objects.filter(pk__in=call_ids, status__in=OPEN_CALL_STATUSES).update(
        status=CallStatus.MISSED)
    policy = promise_policy_for(dealer.network)
    for call in FollowUpCall.objects.filter(pk__in=call_ids, service_job__isnull=False).select_related(
            "service_job", "service_job__dealer"):
        job_promises_refresh(call.service_job, policy=policy)
    return missed
