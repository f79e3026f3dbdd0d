"""When a follow-up call is due, and creating it: every kind of call is built by ``followup_call_new`` (window
and contact consent) and saved by ``followup_call_create``, whichever event schedules it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Vehicle

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


RECHECK_WINDOW_DAYS = 2


def recheck_window(closed_at: datetime, zone: ZoneInfo, *, recheck_days: int) -> tuple[date, date]:
    """A re-check's local dates: from ``recheck_days`` after the complaint closed, for three days."""
    start = closed_at.astimezone(zone).date() + timedelta(days=recheck_days)
    return start, start + timedelta(days=RECHECK_WINDOW_DAYS)


def followup_call_new(*, kind: str, customer, delivered_at: datetime, window: tuple[date, date],
                      **links) -> FollowUpCall:
    """An unsaved call of any kind, in ``window``, with the customer's contact consent applied: a customer who
    asked not to be called or never agreed to be gets a call "not to be contacted", with the reason.

    ``links`` are the dealer and what the call follows (``dealer``, ``vehicle``, ``service_job``,
    ``sales_handover``, ``complaint``; instances or ``*_id``), given to the model as they are. Pure: the demo's
    bulk inserts build their calls here too; everything else saves through ``followup_call_create``.
    """
    call = FollowUpCall(kind=kind, customer=customer, delivered_at=delivered_at, window_start=window[0],
                        window_end=window[1], **links)
    reason = not_contacted_reason(customer)
    if reason:
        call.status, call.not_contacted_reason = CallStatus.NOT_CONTACTED, reason
    return call


# What makes a call the same call again (the model's unique constraints), by kind.
_SAME_CALL = {
    CallKind.SERVICE: ("dealer", "service_job"),
    CallKind.SALES: ("dealer", "sales_handover"),
    CallKind.RECHECK: ("dealer", "complaint", "delivered_at"),
    CallKind.ANNIVERSARY: ("dealer", "vehicle", "delivered_at"),
}


def followup_call_create(*, kind: str, customer, delivered_at: datetime, window: tuple[date, date],
                         **links) -> tuple[FollowUpCall, bool]:
    """Create a call of any kind (built by ``followup_call_new``, so consent always applies); idempotent.

    Side effects: the call row. Call inside the transaction of the event it follows; if that event's call
    already exists (a retry, a second worker), the existing call is returned with ``created`` False.
    """
    call = followup_call_new(kind=kind, customer=customer, delivered_at=delivered_at, window=window, **links)
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError:
        fields = [FollowUpCall._meta.get_field(name).attname for name in _SAME_CALL[kind]]
        return FollowUpCall.objects.get(kind=kind, **{field: getattr(call, field) for field in fields}), False
    return call, True


def followup_schedule_for_job(job, *, policy) -> FollowUpCall:
    """The service follow-up of a handed-over job; call inside the handover's transaction (idempotent)."""
    window = call_window(job.delivered_at, job.dealer.zone, first_day=policy.followup_first_day,
                         last_day=policy.followup_last_day)
    return followup_call_create(kind=CallKind.SERVICE, customer=job.customer, delivered_at=job.delivered_at,
                                window=window, dealer=job.dealer, vehicle=job.vehicle, service_job=job)[0]


def followup_schedule_for_handover(handover, *, policy) -> FollowUpCall:
    """The sales follow-up of a new-car handover; call inside the handover's transaction (idempotent)."""
    window = call_window(handover.delivered_at, handover.dealer.zone, first_day=policy.followup_first_day,
                         last_day=policy.followup_last_day)
    return followup_call_create(kind=CallKind.SALES, customer=handover.customer, delivered_at=handover.delivered_at,
                                window=window, dealer=handover.dealer, vehicle=handover.vehicle,
                                sales_handover=handover)[0]


def followup_schedule_recheck(complaint, *, policy) -> FollowUpCall:
    """A re-check call some days after a complaint closed satisfied; call inside the closing transaction."""
    window = recheck_window(complaint.closed_at, complaint.dealer.zone, recheck_days=policy.recheck_days)
    return followup_call_create(kind=CallKind.RECHECK, customer=complaint.customer, delivered_at=complaint.closed_at,
                                window=window, dealer=complaint.dealer, vehicle=complaint.vehicle,
                                complaint=complaint)[0]


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
            window = (anniversary, anniversary + timedelta(days=ANNIVERSARY_WINDOW_DAYS))
            # Already scheduled (by an earlier run or another worker) is not created again.
            _, made = followup_call_create(kind=CallKind.ANNIVERSARY, customer=vehicle.customer, delivered_at=moment,
                                           window=window, dealer=dealer, vehicle=vehicle)
            created += made
    return created
