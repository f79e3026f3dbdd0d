"""When a follow-up call is due, and creating it with the delivery (pure window arithmetic first)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import CallKind, CallStatus, FollowUpCall


def call_window(delivered_at: datetime, zone: ZoneInfo, *, first_day: int, last_day: int) -> tuple[date, date]:
    """The local dates (in ``zone``) from delivery + ``first_day`` to delivery + ``last_day``, inclusive.

    Counted in calendar days of the dealer's own calendar, so a clock change does not move the window.
    """
    local_day = delivered_at.astimezone(zone).date()
    return local_day + timedelta(days=first_day), local_day + timedelta(days=last_day)


def not_contacted_reason(customer) -> str | None:
    """Why the customer must not be called, or None: asked not to be, or never gave consent."""
    if customer.do_not_contact:
        return customer.do_not_contact_reason or _("The customer asked not to be contacted.")
    if not customer.contact_consent:
        return _("The customer gave no consent to be contacted.")
    return None


def _schedule(*, dealer, policy, kind: str, customer, vehicle, delivered_at: datetime, **delivery) -> FollowUpCall:
    start, end = call_window(delivered_at, dealer.zone, first_day=policy.followup_first_day,
                             last_day=policy.followup_last_day)
    call = FollowUpCall(dealer=dealer, kind=kind, customer=customer, vehicle=vehicle, delivered_at=delivered_at,
                        window_start=start, window_end=end, **delivery)
    reason = not_contacted_reason(customer)
    if reason:
        call.status, call.not_contacted_reason = CallStatus.NOT_CONTACTED, reason
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:
        # Already scheduled for this delivery (a retry): the existing call stands.
        return FollowUpCall.objects.get(dealer=dealer, **delivery)
    return call


def followup_schedule_for_job(job, *, policy) -> FollowUpCall:
    """The service follow-up of a handed-over job; call inside the handover's transaction (idempotent)."""
    return _schedule(dealer=job.dealer, policy=policy, kind=CallKind.SERVICE, customer=job.customer,
                     vehicle=job.vehicle, delivered_at=job.delivered_at, service_job=job)


def followup_schedule_for_handover(handover, *, policy) -> FollowUpCall:
    """The sales follow-up of a new-car handover; call inside the handover's transaction (idempotent)."""
    return _schedule(dealer=handover.dealer, policy=policy, kind=CallKind.SALES, customer=handover.customer,
                     vehicle=handover.vehicle, delivered_at=handover.delivered_at, sales_handover=handover)


def followup_schedule_recheck(complaint, *, policy) -> FollowUpCall:
    """A re-check call some days after a complaint closed satisfied; call inside the closing transaction."""
    closed_at = complaint.closed_at
    start = closed_at.astimezone(complaint.dealer.zone).date() + timedelta(days=policy.recheck_days)
    call = FollowUpCall(dealer=complaint.dealer, kind=CallKind.RECHECK, customer=complaint.customer,
                        vehicle=complaint.vehicle, complaint=complaint, delivered_at=closed_at, window_start=start,
                        window_end=start + timedelta(days=2))
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:
        return FollowUpCall.objects.get(dealer=complaint.dealer, complaint=complaint, delivered_at=closed_at)
    return call


ANNIVERSARY_LOOKAHEAD_DAYS = 7
ANNIVERSARY_WINDOW_DAYS = 6


def _anniversary_in(year: int, handover: date) -> date:
    try:
        return handover.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 2, 28)


def anniversary_contacts_schedule(*, dealer, now: datetime | None = None) -> int:
    """Special-date contacts (c.1): a call for each new car whose purchase anniversary falls in the coming week.

    Idempotent: one contact per car and year (a database constraint); returns how many were created.
    """
    from customers.models import Vehicle

    now = now or timezone.now()
    today = timezone.localtime(now, dealer.zone).date()
    horizon = today + timedelta(days=ANNIVERSARY_LOOKAHEAD_DAYS)
    created = 0
    vehicles = (Vehicle.objects.filter(dealer=dealer, handover_date__isnull=False, handover_date__lt=today)
                .select_related("customer"))
    for vehicle in vehicles.iterator(chunk_size=1000):
        for year in {today.year, horizon.year}:
            anniversary = _anniversary_in(year, vehicle.handover_date)
            if not today <= anniversary <= horizon or anniversary.year <= vehicle.handover_date.year:
                continue
            moment = timezone.make_aware(datetime.combine(anniversary, time.min), dealer.zone)
            if FollowUpCall.objects.filter(dealer=dealer, vehicle=vehicle, kind=CallKind.ANNIVERSARY,
                                           delivered_at=moment).exists():
                continue
            call = FollowUpCall(dealer=dealer, kind=CallKind.ANNIVERSARY, customer=vehicle.customer, vehicle=vehicle,
                                delivered_at=moment, window_start=anniversary,
                                window_end=anniversary + timedelta(days=ANNIVERSARY_WINDOW_DAYS))
            reason = not_contacted_reason(vehicle.customer)
            if reason:
                call.status, call.not_contacted_reason = CallStatus.NOT_CONTACTED, reason
            try:
                with transaction.atomic():
                    call.save()
            except IntegrityError:
                continue  # another run made it first
            created += 1
    return created
