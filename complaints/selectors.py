"""Reads on complaints: the representative's queue, sorted by what is due first."""

from __future__ import annotations

from django.db.models import BooleanField, Case, ExpressionWrapper, IntegerField, Q, QuerySet, When
from django.utils import timezone

from customers.validators import normalize_phone, normalize_vin
from dealer_portal.tenancy.models import DEALER_ROLES, Dealer, Membership, Network

from .models import CLOSED_STATES, Complaint, ComplaintPolicy, ComplaintState
from .rules import overdue_q, paused_q, reply_due_expression

QUEUE_VIEWS = ("mine", "unassigned", "department", "all")


def complaint_queue(*, policy, view: str = "all", user=None, department: str = "", state: str = "",
                    category: int | None = None, severity: str = "", overdue: bool = False, on_hold: bool = False,
                    query: str = "", include_closed: bool = False, now=None) -> QuerySet[Complaint]:
    """The dealer's complaints for the queue, annotated with their reply due time and sorted by it, and
    whether each is overdue (``complaints.rules``).

    The clocks pause on hold, so held complaints sort after the running ones.
    """
    now = now or timezone.now()
    complaints = (Complaint.objects.select_related("customer", "vehicle", "category", "category__parent",
                                                   "representative", "owner")
                  .annotate(reply_due=reply_due_expression(policy=policy),
                            held=Case(When(paused_q(), then=1), default=0, output_field=IntegerField()),
                            closed=Case(When(state__in=CLOSED_STATES, then=1), default=0,
                                        output_field=IntegerField()),
                            overdue=ExpressionWrapper(overdue_q(policy=policy, now=now),
                                                      output_field=BooleanField())))
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
        complaints = complaints.filter(overdue_q(policy=policy, now=now))
    query = query.strip()
    if query:
        condition = Q(reference__icontains=query) | Q(customer__name__icontains=query)
        phone = normalize_phone(query)
        if phone.lstrip("+").isdigit() and len(phone) >= 4:
            condition |= Q(customer__phone__contains=phone)
        condition |= Q(vehicle__plate__iexact=query.replace(" ", "")) | Q(vehicle__vin=normalize_vin(query))
        complaints = complaints.filter(condition)
    return complaints.order_by("closed", "held", "reply_due", "pk")


def complaints_overdue_q(*, now) -> Q:
    """Overdue by each complaint's own network's policy, for a scope that may span networks (the API)."""
    condition = Q(pk__in=[])
    for network in Network.objects.filter(pk__in=Dealer.objects.values("network_id")).order_by("pk"):
        policy = ComplaintPolicy.objects.for_network(network)
        condition |= Q(dealer__network_id=network.pk) & overdue_q(policy=policy, now=now)
    return condition


def representative_summary(*, policy, user, now=None) -> dict:
    """The representative's queue at a glance: their open complaints, how many are overdue, unassigned ones."""
    now = now or timezone.now()
    mine = complaint_queue(policy=policy, view="mine", user=user, now=now)
    return {"mine": mine.count(), "overdue": mine.filter(overdue=True).count(),
            "unassigned": complaint_queue(policy=policy, view="unassigned", now=now).count(),
            "next": list(mine[:5])}


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
