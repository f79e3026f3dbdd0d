"""The daily complaint log (PRC c.3.2): each morning every dealer manager gets their department's complaints."""

from __future__ import annotations

from datetime import datetime, time

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dealer_portal.tenancy.models import Membership, Role

from ..models import ComplaintPolicy, DailyLogDelivery
from ..rules import complaint_clock, duration_words
from ..selectors import DailyLog, daily_log_for

SEND_FROM = time(7, 0)  # local time at the dealer: the log is there when the managers start the day


def _line(complaint, *, policy, zone, now: datetime) -> str:
    clock = complaint_clock(complaint, policy=policy, now=now)
    received = timezone.localtime(complaint.received_at, zone).strftime("%Y-%m-%d %H:%M")
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


def _claim(*, dealer, manager, department: str, day) -> bool:
    try:
        with transaction.atomic():
            _delivery, created = DailyLogDelivery.objects.get_or_create(dealer=dealer, manager=manager,
                                                                        department=department, day=day)
    except IntegrityError:  # a concurrent run claimed it first
        return False
    return created


def daily_log_send(*, dealer, now: datetime | None = None) -> int:
    """Send today's log to each of the dealer's managers once the local morning has come; returns emails sent.

    Side effects: a DailyLogDelivery row per manager and department per local day, claimed before the email
    goes out after commit, so a repeated or retried run sends nothing twice.
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
            if not _claim(dealer=dealer, manager=membership.user, department=membership.department,
                          day=local.date()):
                continue
            log = daily_log_for(department=membership.department, now=now, dealer=dealer)
            subject = _("Complaint log %(day)s · %(dealer)s · %(department)s: %(overdue)s overdue, %(new)s new") % {
                "day": local.date().isoformat(), "dealer": dealer.code,
                "department": membership.get_department_display(), "overdue": len(log.overdue),
                "new": len(log.new)}
            body = daily_log_text(log, policy=policy, zone=dealer.zone, now=now)
            transaction.on_commit(
                lambda subject=subject, body=body, to=membership.user.email: send_mail(subject, body, None, [to]))
        sent += 1
    return sent
