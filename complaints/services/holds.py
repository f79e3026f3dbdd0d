"""The weekly on-hold check (PRC b.8): a complaint waiting for an outside cause still needs a follow-up entry
every ``on_hold_followup_days``; when one is missing, its owner and the representative are told."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outbox.services import email_queue

from ..models import Complaint, ComplaintState
from ..rules import hold_followup_missing
from ..selectors import complaints_with_policy

REMIND_EVERY = timedelta(days=7)
HOLD_REMINDER_PURPOSE = "complaints-hold-reminder"


def complaint_hold_remind(complaint: Complaint, *, policy, now: datetime) -> bool:
    """Flag one complaint if its follow-up is missing. Side effects: ``hold_reminded_at`` and emails in the outbox.

    The conditional UPDATE lets only one run in seven days through, however often the check runs.
    """
    if not hold_followup_missing(complaint, policy=policy, now=now):
        return False
    with transaction.atomic():
        claimed = (Complaint.objects.filter(pk=complaint.pk, state=ComplaintState.ON_HOLD)
                   .filter(Q(hold_reminded_at__isnull=True) | Q(hold_reminded_at__lte=now - REMIND_EVERY))
                   .update(hold_reminded_at=now))
        if not claimed:
            return False
        complaint.hold_reminded_at = now
        recipients = {user.email: user for user in (complaint.owner, complaint.representative)
                      if user is not None and user.is_active and user.email}
        last = complaint.last_hold_followup_at or complaint.on_hold_since or complaint.received_at
        for email, user in sorted(recipients.items()):
            with translation.override(user.language):  # each in their own language
                subject = _("Complaint %(reference)s on hold: follow-up entry missing") % {
                    "reference": complaint.reference}
                body = "\n".join([
                    _("Complaint %(reference)s has been on hold for “%(cause)s” with no follow-up entry for "
                      "%(days)s days.")
                    % {"reference": complaint.reference,
                       "cause": complaint.get_hold_cause_display() or _("an outside cause"),
                       "days": (now - last).days},
                    _("Customer: %(customer)s") % {"customer": complaint.customer.name},
                    _("Call the customer or chase the cause, and record the follow-up (at least every %(days)s days).")
                    % {"days": policy.on_hold_followup_days},
                    _("Open it: %(path)s") % {"path": complaint.get_absolute_url()},
                ])
            email_queue(dealer=complaint.dealer, to=email, subject=subject, body=body,
                        purpose=HOLD_REMINDER_PURPOSE, about=complaint)
    return True


def complaints_on_hold_remind(*, now: datetime | None = None) -> int:
    """Flag every complaint of the current tenant scope on hold without a recent follow-up; returns how many.

    Side effects: ``hold_reminded_at`` and an email to the owner and the representative, at most weekly.
    """
    now = now or timezone.now()
    complaints = (Complaint.objects.filter(state=ComplaintState.ON_HOLD)
                  .filter(Q(hold_reminded_at__isnull=True) | Q(hold_reminded_at__lte=now - REMIND_EVERY))
                  .select_related("dealer__network", "customer", "owner", "representative").order_by("pk"))
    return sum(complaint_hold_remind(complaint, policy=policy, now=now)
               for complaint, policy in complaints_with_policy(complaints))
