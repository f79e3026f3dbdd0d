"""Reads on complaints: the representative's queue, the manager's daily log, the figures month by month, and
who works at a dealer and answers for a complaint."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.validators import normalize_phone, normalize_vin
from dealer_portal.tenancy.calendar import month_start, next_month, previous_month
from dealer_portal.tenancy.content import localized
from dealer_portal.tenancy.models import DEALER_ROLES, Dealer, Membership, Network, Role
from outbox.models import Email
from servicejobs.models import JobStatus, ServiceJob

from .models import (
    CLOSED_STATES,
    Complaint,
    ComplaintPolicy,
    ComplaintState,
    Compliment,
    DailyLogDelivery,
    Department,
    ImprovementPlan,
    PlanStatus,
)
from .rules import complaint_departments, is_overdue, manager_department, overdue_q, paused_q, reply_due_expression


class QueueView(models.TextChoices):
    """The queue's tabs: whose complaints it lists."""

    MINE = "mine", _("Mine")
    UNASSIGNED = "unassigned", _("Unassigned")
    DEPARTMENT = "department", _("My department")
    ALL = "all", _("All at the dealer")


def complaint_queue(*, policy, view: str = QueueView.ALL, user=None, department: str = "", state: str = "",
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
    if view == QueueView.MINE and user is not None:
        complaints = complaints.filter(Q(representative=user) | Q(owner=user))
    elif view == QueueView.UNASSIGNED:
        complaints = complaints.filter(representative__isnull=True)
    elif view == QueueView.DEPARTMENT and department:
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
    mine = complaint_queue(policy=policy, view=QueueView.MINE, user=user, now=now)
    return {"mine": mine.count(), "overdue": mine.filter(overdue=True).count(),
            "unassigned": complaint_queue(policy=policy, view=QueueView.UNASSIGNED, now=now).count(),
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


def dealer_representative(dealer) -> object | None:
    """The dealer's customer representative (the longest-serving one if there are several)."""
    membership = (Membership.objects.filter(dealer=dealer, role=Role.CUSTOMER_REPRESENTATIVE, is_active=True,
                                            user__is_active=True)
                  .select_related("user").order_by("created_at", "pk").first())
    return membership.user if membership else None


def works_at(user, dealer) -> bool:
    """Whether ``user`` (or None) actively works at ``dealer`` (a complaint's owner, a praised person)."""
    return user is not None and Membership.objects.filter(
        user=user, dealer=dealer, role__in=sorted(DEALER_ROLES), is_active=True, user__is_active=True).exists()


def complaints_with_policy(complaints) -> Iterator[tuple[Complaint, ComplaintPolicy]]:
    """Each complaint (``select_related("dealer__network")``) with its network's policy, read once per network."""
    policies: dict[int, ComplaintPolicy] = {}
    for complaint in complaints.iterator(chunk_size=500):
        network = complaint.dealer.network
        if network.pk not in policies:
            policies[network.pk] = ComplaintPolicy.objects.for_network(network)
        yield complaint, policies[network.pk]


def escalation_recipients(complaint, level: int) -> list:
    """The active people who answer for ``complaint`` at ``level`` (1 dealer manager, 2 region, 3 HQ)."""
    dealer = complaint.dealer
    memberships = Membership.objects.filter(is_active=True, user__is_active=True, network_id=dealer.network_id)
    if level == 1:
        memberships = memberships.filter(dealer=dealer, role=Role.DEALER_MANAGER,
                                         department=manager_department(complaint.department))
    elif level == 2:
        memberships = memberships.filter(region_id=dealer.region_id, role=Role.REGIONAL_MANAGER)
    else:
        memberships = memberships.filter(dealer__isnull=True, region__isnull=True,
                                         role__in=[Role.HQ_ANALYST, Role.NETWORK_ADMIN])
    users = {m.user_id: m.user for m in memberships.select_related("user").order_by("user__email")}
    return [user for user in users.values() if user.email]


@dataclass
class DailyLog:
    new: list = field(default_factory=list)  # received in the last 24 hours
    open: list = field(default_factory=list)  # neither closed nor on hold
    overdue: list = field(default_factory=list)  # overdue by complaints.rules (never on hold)
    on_hold: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.new or self.open or self.overdue or self.on_hold)


def daily_log_for(*, department: str, now: datetime, dealer=None) -> DailyLog:
    """The log of a manager's ``department`` in the current tenant scope (narrowed to ``dealer`` if given)."""
    since = now - timedelta(days=1)
    complaints = Complaint.objects.filter(Q(received_at__gte=since) | ~Q(state__in=CLOSED_STATES),
                                          department__in=complaint_departments(department))
    if dealer is not None:
        complaints = complaints.filter(dealer=dealer)
    complaints = complaints.select_related("customer", "dealer__network").order_by("received_at", "pk")
    log = DailyLog()
    for complaint, policy in complaints_with_policy(complaints):
        if complaint.received_at >= since:
            log.new.append(complaint)
        if complaint.is_on_hold:
            log.on_hold.append(complaint)
        elif not complaint.is_closed:
            log.open.append(complaint)
            if is_overdue(complaint, policy=policy, now=now):
                log.overdue.append(complaint)
    return log


def daily_log_delivery(*, dealer, manager, department: str, day: date) -> DailyLogDelivery | None:
    """The day's log claimed for ``manager``'s ``department``, with its email (sent, retrying or failed)."""
    return (DailyLogDelivery.objects.filter(dealer=dealer, manager=manager, department=department, day=day)
            .prefetch_related(Prefetch("emails", queryset=Email.objects.select_related("dealer"))).first())


@dataclass
class Month:
    start: date
    complaints: int = 0
    compliments: int = 0
    jobs: int = 0

    @property
    def per_100_jobs(self) -> Decimal | None:
        return (Decimal(self.complaints * 100) / self.jobs).quantize(Decimal("0.01")) if self.jobs else None


@dataclass
class ComplaintDashboard:
    months: list[Month]
    closed: int = 0
    closed_in_time: int = 0
    median_to_close: timedelta | None = None
    p90_to_close: timedelta | None = None
    pareto: list[tuple[str, int, float]] = field(default_factory=list)  # category, count, cumulative %
    by_department: list[tuple[str, int]] = field(default_factory=list)  # the department's name, count
    by_advisor: list[tuple[str, int]] = field(default_factory=list)
    open_plans: list[ImprovementPlan] = field(default_factory=list)

    @property
    def closed_in_time_percent(self) -> float | None:
        return round(100 * self.closed_in_time / self.closed, 1) if self.closed else None


def _month_starts(count: int, today: date) -> list[date]:
    starts = [month_start(today)]
    while len(starts) < count:
        starts.append(previous_month(starts[-1]))
    return list(reversed(starts))


def _percentile(values: list[timedelta], share: float) -> timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def complaint_dashboard(*, policy, months: int = 6, today: date | None = None) -> ComplaintDashboard:
    """The current scope's complaints over the last ``months`` calendar months (local time), this one included.

    A fixed handful of aggregate queries whatever the number of complaints; only the closed complaints'
    durations are read as values, to give the median and the 90th percentile.
    """
    zone = timezone.get_current_timezone()
    today = today or timezone.localdate()
    starts = _month_starts(months, today)
    since = timezone.make_aware(datetime.combine(starts[0], time.min), zone)
    until = timezone.make_aware(datetime.combine(next_month(starts[-1]), time.min), zone)
    by_start = {start: Month(start) for start in starts}

    def monthly(queryset, field_name):
        # Bounded on both sides: a row stored with a mistyped year falls outside every month shown.
        rows = (queryset.filter(**{f"{field_name}__gte": since, f"{field_name}__lt": until})
                .annotate(month=TruncMonth(field_name, tzinfo=zone)).values("month").annotate(n=Count("pk")))
        return {(row["month"].date() if isinstance(row["month"], datetime) else row["month"]): row["n"]
                for row in rows}

    complaints = Complaint.objects.all()
    for start, count in monthly(complaints, "received_at").items():
        by_start[start].complaints = count
    for start, count in monthly(Compliment.objects.all(), "received_at").items():
        by_start[start].compliments = count
    for start, count in monthly(ServiceJob.objects.filter(status=JobStatus.DELIVERED), "delivered_at").items():
        by_start[start].jobs = count
    dashboard = ComplaintDashboard(months=[by_start[start] for start in starts])

    in_period = complaints.filter(received_at__gte=since, received_at__lt=until)
    durations = [closed - received - held for closed, received, held in
                 in_period.filter(state__in=CLOSED_STATES, closed_at__isnull=False)
                 .values_list("closed_at", "received_at", "time_on_hold")]
    limit = timedelta(hours=policy.reply_limit_hours)
    dashboard.closed = len(durations)
    dashboard.closed_in_time = sum(1 for duration in durations if duration <= limit)
    dashboard.median_to_close = statistics.median(durations) if durations else None
    dashboard.p90_to_close = _percentile(durations, 0.9)

    categories = list(in_period.filter(category__isnull=False).values(*CATEGORY_LABEL_FIELDS)
                      .annotate(n=Count("pk")).order_by("-n"))
    total, running = sum(row["n"] for row in categories), 0
    for row in categories:
        running += row["n"]
        dashboard.pareto.append((category_label(row), row["n"], round(100 * running / total, 1)))
    dashboard.by_department = [(Department(row["department"]).label, row["n"]) for row in
                               in_period.values("department").annotate(n=Count("pk")).order_by("-n")]
    dashboard.by_advisor = [(row["name"] or row["email"], row["n"]) for row in
                            in_period.filter(service_job__advisor__isnull=False)
                            .values(name=F("service_job__advisor__full_name"), email=F("service_job__advisor__email"))
                            .annotate(n=Count("pk")).order_by("-n")]
    dashboard.open_plans = list(ImprovementPlan.objects.filter(status__in=[PlanStatus.OPEN, PlanStatus.IN_PROGRESS])
                                .select_related("category", "category__parent", "owner"))
    return dashboard


# What a grouped query needs to name a category in the reader's language (the translations ride on the row).
CATEGORY_LABEL_FIELDS = ("category__name", "category__translations", "category__parent__name",
                         "category__parent__translations")


def category_label(row: dict) -> str:
    """"Area › category" of a row grouped by ``CATEGORY_LABEL_FIELDS``, in the active language."""
    name = localized({"name": row["category__name"], "translations": row["category__translations"]}, "name")
    if not row["category__parent__name"]:
        return name
    area = localized({"name": row["category__parent__name"], "translations": row["category__parent__translations"]},
                     "name")
    return f"{area} › {name}"


def network_complaint_figures(*, today: date) -> tuple[list, list]:
    """HQ's view this year (since 1 January, local time): each dealer in scope with its complaints and how
    many closed, and the network's 15 most frequent categories."""
    year_start = timezone.make_aware(datetime.combine(today.replace(month=1, day=1), time.min))
    next_year = timezone.make_aware(datetime.combine(today.replace(year=today.year + 1, month=1, day=1), time.min))
    complaints = Complaint.objects.filter(received_at__gte=year_start, received_at__lt=next_year)
    per_dealer = {row["dealer"]: row for row in complaints.values("dealer").annotate(
        total=Count("pk"), closed=Count("pk", filter=Q(state__in=CLOSED_STATES)))}
    dealers = [(dealer, per_dealer.get(dealer.pk, {"total": 0, "closed": 0}))
               for dealer in Dealer.objects.select_related("region").order_by("region__name", "name")]
    recurring = list(complaints.filter(category__isnull=False).values(*CATEGORY_LABEL_FIELDS)
                     .annotate(n=Count("pk")).order_by("-n")[:15])
    return dealers, [{**row, "label": category_label(row)} for row in recurring]
