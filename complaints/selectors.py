"""Reads on complaints: the representative's queue, sorted by what is due first."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value, When
from django.db.models import DateTimeField as DateTimeOutput
from django.utils import timezone

from customers.validators import normalize_phone, normalize_vin
from dealer_portal.tenancy.models import DEALER_ROLES, Membership

from .models import CLOSED_STATES, Complaint, ComplaintState

QUEUE_VIEWS = ("mine", "unassigned", "department", "all")


def complaint_queue(*, policy, view: str = "all", user=None, department: str = "", state: str = "",
                    category: int | None = None, severity: str = "", overdue: bool = False, on_hold: bool = False,
                    query: str = "", include_closed: bool = False, now=None) -> QuerySet[Complaint]:
    """The dealer's complaints for the queue, annotated with their reply due time and sorted by it.

    The reply clock pauses on hold, so held complaints sort after the running ones.
    """
    now = now or timezone.now()
    reply_limit = timedelta(hours=policy.reply_limit_hours)
    complaints = (Complaint.objects.select_related("customer", "vehicle", "category", "category__parent",
                                                   "representative", "owner")
                  .annotate(reply_due=ExpressionWrapper(F("received_at") + F("time_on_hold") + Value(reply_limit),
                                                        output_field=DateTimeOutput()),
                            held=Case(When(state=ComplaintState.ON_HOLD, then=1), default=0,
                                      output_field=IntegerField()),
                            closed=Case(When(state__in=CLOSED_STATES, then=1), default=0,
                                        output_field=IntegerField())))
    if view == "mine" and user is not None:
        complaints = complaints.filter(Q(representative=user) | Q(owner=user))
    elif view == "unassigned":
        complaints = complaints.filter(representative__isnull=True)
    elif view == "department" and department:
        complaints = complaints.filter(department=department)
    if not include_closed and state not in CLOSED_STATES:
        complaints = complaints.exclude(state__in=CLOSED_STATES)
    if state:
        complaints = complaints.filter(state=state)
    if category:
        complaints = complaints.filter(Q(category_id=category) | Q(category__parent_id=category))
    if severity:
        complaints = complaints.filter(severity=severity)
    if on_hold:
        complaints = complaints.filter(state=ComplaintState.ON_HOLD)
    if overdue:
        complaints = complaints.filter(reply_due__lt=now).exclude(state__in=[*CLOSED_STATES, ComplaintState.ON_HOLD])
    query = query.strip()
    if query:
        condition = Q(reference__icontains=query) | Q(customer__name__icontains=query)
        phone = normalize_phone(query)
        if phone.lstrip("+").isdigit() and len(phone) >= 4:
            condition |= Q(customer__phone__contains=phone)
        condition |= Q(vehicle__plate__iexact=query.replace(" ", "")) | Q(vehicle__vin=normalize_vin(query))
        complaints = complaints.filter(condition)
    return complaints.order_by("closed", "held", "reply_due", "pk")


def dealer_staff(dealer) -> list:
    """People who work at the dealer (a complaint's representative or owner is chosen among them)."""
    memberships = (Membership.objects.filter(dealer=dealer, role__in=sorted(DEALER_ROLES), is_active=True,
                                             user__is_active=True).select_related("user").order_by("user__full_name"))
    seen, people = set(), []
    for membership in memberships:
        if membership.user_id not in seen:
            seen.add(membership.user_id)
            people.append(membership.user)
    return people
