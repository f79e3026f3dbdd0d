"""The daily complaint log (PRC c.3.2): each morning every dealer manager gets their department's complaints."""

from __future__ import annotations

from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dealer_portal.formatting import date_as
from dealer_portal.tenancy.models import Membership, Role
from outbox.services import email_queue

from ..models import ComplaintPolicy, DailyLogDelivery
from ..rules import complaint_clock, duration_words
from ..selectors import DailyLog, daily_log_for

DAILY_LOG_PURPOSE = "complaints-daily-log"
SEND_FROM = time(7, 0)  # local time at the dealer: the log is there when the managers start the day


def _line(complaint, *, policy, zone, now: datetime) -> str:
    clock = complaint_clock(complaint, policy=policy, now=now)
    received = date_as(timezone.localtime(complaint.received_at, zone), "MEDIUM_DATETIME")
    parts = [complaint.reference, complaint.customer.name, complaint.get_state_display(),
             _("received %(when)s") % {"when": received}]
    if clock.is_overdue:
        parts.append(_("overdue by %(late)s") % {"late": duration_words(clock.overdue_by)})
    return " · ".join(parts)


def daily_log_text(log: DailyLog, *, policy, zone, now: datetime) -> str:
    """The log as plain text, one section per list, times in the dealer's zone."""
    sections = [(_("New since yesterday"), log.new), (_("Overdue"), log.overdue), (_("Open"), log.open),
                (_("On hold"), log.on_hold)]
    lines = []
    for title, complaints in sections:
        lines.append(f"{title} ({len(complaints)})")
        lines.extend(f"  {_line(complaint, policy=policy, zone=zone, now=now)}" for complaint in complaints)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _claim(*, dealer, manager, department: str, day) -> DailyLogDelivery | None:
    try:
        with transaction.atomic():
            delivery, created = DailyLogDelivery.objects.get_or_create(dealer=dealer, manager=manager,
                                                                       department=department, day=day)
    except IntegrityError:  # a concurrent run claimed it first
        return None
    return delivery if created else None


def daily_log_send(*, dealer, now: datetime | None = None) -> int:
    """Send today's log to each of the dealer's managers once the local morning has come; returns emails queued.

    Side effects: a DailyLogDelivery row per manager and department per local day (the claim, so a repeated or
    retried run queues nothing twice) and, in the same transaction, its email in the outbox, sent after commit
    and retried until it goes out (``delivery.email.delivery_note`` says whether it has).
    """
    now = now or timezone.now()
    local = timezone.localtime(now, dealer.zone)
    if local.time() < SEND_FROM:
        return 0
    memberships = (Membership.objects.filter(dealer=dealer, role=Role.DEALER_MANAGER, is_active=True,
                                             user__is_active=True)
                   .exclude(user__email="").select_related("user").order_by("pk"))
    policy = ComplaintPolicy.objects.for_network(dealer.network)
    sent = 0
    for membership in memberships:
        with transaction.atomic():
            delivery = _claim(dealer=dealer, manager=membership.user, department=membership.department,
                              day=local.date())
            if delivery is None:
                continue
            log = daily_log_for(department=membership.department, now=now, dealer=dealer)
            with translation.override(membership.user.language):  # in the manager's language, whoever runs it
                subject = _("Complaint log %(day)s · %(dealer)s · %(department)s: %(overdue)s overdue, "
                            "%(new)s new") % {
                    "day": local.date().isoformat(), "dealer": dealer.code,
                    "department": membership.get_department_display(), "overdue": len(log.overdue),
                    "new": len(log.new)}
                body = daily_log_text(log, policy=policy, zone=dealer.zone, now=now)
            email_queue(dealer=dealer, to=membership.user.email, subject=subject, body=body,
                        purpose=DAILY_LOG_PURPOSE, about=delivery)
        sent += 1
    return sent
