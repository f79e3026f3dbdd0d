"""Sending email reliably: queue it with the decision, send it after commit, retry it, and say what happened.

The guarantee: an email queued in a transaction that commits is sent once, or ends failed with its reason.
Two tasks for one row, a task retried after success, or the sweeper re-queuing a row never send it twice:
the send claims the row with a conditional UPDATE first. The one exception is SMTP's own edge: a worker
killed after the server accepted the message but before the row is marked sent (microseconds, since the row
is marked right after the send returns) leaves the lease to expire, and the sweeper sends it again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dealer_portal.tenancy.scoping import unscoped

from . import tasks  # the tasks call back into this module; both refer to each other's names only at call time
from .models import Email, EmailStatus
from .rules import LEASE, MAX_ATTEMPTS, retry_delay

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
ERROR_MAX_LENGTH = 1000


def _queue_send(email: Email) -> None:
    tasks.email_send.delay(email.dealer_id, email.pk)


def email_queue(*, dealer, to: str, subject: str, body: str, purpose: str, about=None,
                from_email: str = "") -> Email:
    """Queue one email to ``to`` inside the caller's transaction (the one that writes the claim).

    Side effects: the Email row; once the transaction commits, a send task. If the broker cannot take the
    task then, the row stays pending and the sweeper queues it.
    """
    now = timezone.now()
    email = Email.objects.create(dealer=dealer, to=to, subject=subject, body=body, purpose=purpose, about=about,
                                 from_email=from_email, created_at=now, next_attempt_at=now)
    transaction.on_commit(lambda: _queue_send(email), robust=True)
    return email


def email_send(*, email_id: int) -> bool:
    """Send one queued email if it is due and nobody else holds it; returns whether it went out now.

    Run outside a transaction (the task does), so the claim is visible to every other worker at once.
    Side effects: claims the row (sending, with a lease), sends it, then marks it sent at once; or records
    the attempt, the error and when to try again, and after MAX_ATTEMPTS marks it failed.
    """
    now = timezone.now()
    lease_until = now + LEASE
    claimed = (Email.objects.filter(pk=email_id, status=EmailStatus.PENDING, next_attempt_at__lte=now)
               .update(status=EmailStatus.SENDING, lease_until=lease_until, attempts=F("attempts") + 1))
    if not claimed:
        return False  # sent already, failed, not due yet, or another worker holds it
    email = Email.objects.get(pk=email_id)
    try:
        EmailMessage(email.subject, email.body, email.from_email or None, [email.to]).send()
    except Exception as error:  # whatever the backend raised is the reason shown, and worth another try
        _record_failure(email, error=error, lease_until=lease_until)
        return False
    Email.objects.filter(pk=email_id).update(status=EmailStatus.SENT, sent_at=timezone.now(), lease_until=None)
    return True


def _record_failure(email: Email, *, error: Exception, lease_until: datetime) -> None:
    reason = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    now = timezone.now()
    if email.attempts >= MAX_ATTEMPTS:
        changes = {"status": EmailStatus.FAILED}
        logger.error("Email %s failed after %s attempts: %s", email.pk, email.attempts, reason)
    else:
        changes = {"status": EmailStatus.PENDING, "next_attempt_at": now + retry_delay(email.attempts)}
        logger.warning("Email %s not sent (attempt %s), retrying: %s", email.pk, email.attempts, reason)
    # Only while this worker still holds the row: after its lease it may belong to another attempt.
    Email.objects.filter(pk=email.pk, status=EmailStatus.SENDING, lease_until=lease_until).update(
        last_error=reason, lease_until=None, **changes)


def emails_retry(*, email_ids) -> int:
    """Give failed emails a fresh round of attempts (an admin's decision once the cause is fixed); returns how many.

    Side effects: those rows pending again with no attempts; a send task for each after commit.
    """
    with transaction.atomic():
        retried = list(Email.objects.filter(pk__in=list(email_ids), status=EmailStatus.FAILED)
                       .select_for_update().values_list("dealer_id", "pk"))
        Email.objects.filter(pk__in=[pk for _dealer_id, pk in retried]).update(
            status=EmailStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
        for dealer_id, email_id in retried:
            transaction.on_commit(lambda dealer_id=dealer_id, email_id=email_id: tasks.email_send.delay(
                dealer_id, email_id), robust=True)
    return len(retried)


def emails_sweep(*, now: datetime | None = None) -> int:
    """Queue a send for every email whose time has come; returns how many were queued.

    Network-wide (beat), so it steps outside the tenant scope on purpose. A row still "sending" after its
    lease lost its worker mid-send: it is handed on (pending again), or failed if it had its last attempt.
    Side effects: those rows' status and reason; one send task per due row of an active dealer.
    """
    now = now or timezone.now()
    lost = _("The worker stopped while sending (lease expired); it may or may not have gone out.")
    with unscoped():
        expired = Email.objects.filter(status=EmailStatus.SENDING, lease_until__lt=now)
        expired.filter(attempts__gte=MAX_ATTEMPTS).update(status=EmailStatus.FAILED, lease_until=None,
                                                          last_error=lost)
        expired.update(status=EmailStatus.PENDING, next_attempt_at=now, lease_until=None, last_error=lost)
        due = list(Email.objects.filter(status=EmailStatus.PENDING, next_attempt_at__lte=now,
                                        dealer__is_active=True)
                   .order_by("next_attempt_at", "pk").values_list("dealer_id", "pk")[:SWEEP_BATCH])
    for dealer_id, email_id in due:
        tasks.email_send.delay(dealer_id, email_id)
    return len(due)
