"""The escalation ladder for complaints past their reply limit: dealer manager → regional manager → HQ."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from outbox.services import email_queue

from ..models import CLOSED_STATES, Complaint, EntryKind, TimelineEntry
from ..rules import TOP_LEVEL, duration_words, is_late_on_reply, next_escalation_due, paused_q, reply_due
from ..selectors import complaints_with_policy, escalation_recipients
from ..timeline import LEVEL_NAMES, SystemWords, entry_body_fields

ESCALATION_PURPOSE = "complaints-escalation"


def complaint_escalate(complaint: Complaint, *, policy, now: datetime) -> bool:
    """Climb one rung if due. Side effects: the level, a timeline entry, and emails to that level in the outbox.

    Only a complaint late on its satisfactory reply climbs (``rules.is_late_on_reply``), when the ladder says
    (``rules.next_escalation_due``); the conditional UPDATE on the current level makes a second run (or a
    concurrent one) a no-op.
    """
    if not is_late_on_reply(complaint, policy=policy, now=now):
        return False
    due = next_escalation_due(complaint, policy=policy, now=now)
    if due is None or now < due:
        return False
    current = complaint.escalation_level
    level = current + 1
    with transaction.atomic():
        claimed = Complaint.objects.filter(pk=complaint.pk, escalation_level=current).exclude(
            Q(state__in=CLOSED_STATES) | paused_q()).update(escalation_level=level, escalated_at=now)
        if not claimed:
            return False
        complaint.escalation_level, complaint.escalated_at = level, now
        overdue = now - reply_due(complaint, policy=policy, now=now)
        recipients = escalation_recipients(complaint, level)
        # Written by a beat task and read by people of several languages: stored as what it says.
        said = SystemWords("escalated", {"level": level, "late_minutes": int(overdue.total_seconds() // 60),
                                         "names": [str(user) for user in recipients]})
        TimelineEntry.objects.create(dealer_id=complaint.dealer_id, complaint=complaint, kind=EntryKind.ESCALATION,
                                     at=now, **entry_body_fields(said))
        for user in recipients:
            with translation.override(user.language):  # each in their own language
                subject = _("Complaint %(reference)s escalated to you (level %(level)s)") % {
                    "reference": complaint.reference, "level": level}
                body = "\n".join([
                    _("Complaint %(reference)s at %(dealer)s has had no satisfactory reply in time.") % {
                        "reference": complaint.reference, "dealer": complaint.dealer},
                    _("Customer: %(customer)s") % {"customer": complaint.customer.name},
                    _("Overdue by: %(late)s") % {"late": duration_words(overdue)},
                    _("Escalation level: %(level)s (%(who)s)") % {"level": level, "who": LEVEL_NAMES[level]},
                    _("Open it: %(path)s") % {"path": complaint.get_absolute_url()},
                ])
            email_queue(dealer=complaint.dealer, to=user.email, subject=subject, body=body,
                        purpose=ESCALATION_PURPOSE, about=complaint)
    return True


def complaints_escalate(*, now: datetime | None = None) -> int:
    """Escalate every due complaint of the current tenant scope by one rung; returns how many climbed.

    Side effects: per escalation, the new level, a timeline entry and emails in the outbox (sent after commit).
    """
    now = now or timezone.now()
    complaints = (Complaint.objects.exclude(Q(state__in=CLOSED_STATES) | paused_q())
                  .filter(escalation_level__lt=TOP_LEVEL)
                  .select_related("dealer__network", "customer").order_by("pk"))
    return sum(complaint_escalate(complaint, policy=policy, now=now)
               for complaint, policy in complaints_with_policy(complaints))
