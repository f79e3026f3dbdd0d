"""Reads for a customer's data rights: every record the platform holds about one customer, and who is inactive.

The records are found from the models themselves (every foreign key to ``Customer``, then the rows that belong
to those records), so a model added later that points at a customer is exported and erased without a change here.
Every query runs in the caller's tenant scope through the models' managers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet

from customers.models import Customer
from dealer_portal.tenancy.models import DealerOwnedModel
from outbox.models import Email

from .models import ActionKind, DataRightsAction

# How far below a customer's own records the walk goes (a complaint → its timeline; a call → its answers).
CHILD_DEPTH = 2


@dataclass
class CustomerRecords:
    """One customer and every record about them, grouped by model, in a stable order."""

    customer: Customer
    groups: dict[type[models.Model], list[models.Model]] = field(default_factory=dict)

    def add(self, model: type[models.Model], rows) -> list[models.Model]:
        known = {row.pk for row in self.groups.get(model, [])}
        added = [row for row in rows if row.pk not in known]
        if added:
            self.groups.setdefault(model, []).extend(added)
        return added

    def rows(self) -> Iterator[models.Model]:
        for group in self.groups.values():
            yield from group

    def counts(self) -> dict[str, int]:
        return {model._meta.label_lower: len(rows) for model, rows in self.groups.items()}


def customer_foreign_keys() -> list[models.ForeignKey]:
    """Every foreign key to ``Customer`` in the installed models (the kinds of record that name a customer)."""
    return [relation.remote_field for relation in Customer._meta.related_objects
            if relation.one_to_many or relation.one_to_one]


def _points_at_customer(model: type[models.Model]) -> bool:
    return any(key.model is model for key in customer_foreign_keys())


def _children(model: type[models.Model], parents: list[models.Model]) -> Iterator[tuple[type, QuerySet]]:
    """The rows that belong to ``parents`` through a foreign key, in models that do not name a customer
    themselves (those are read by their own key, so another customer's row is never taken along)."""
    for relation in model._meta.related_objects:
        child = relation.related_model
        if not (relation.one_to_many or relation.one_to_one) or child is Customer or _points_at_customer(child):
            continue
        if not issubclass(child, DealerOwnedModel) or child is DataRightsAction:
            continue
        key = relation.remote_field.name
        yield child, child._default_manager.filter(**{f"{key}__in": [parent.pk for parent in parents]})


def customer_records(customer: Customer) -> CustomerRecords:
    """The customer, their vehicles and every record about them (jobs and their milestones, complaints and their
    timeline, compliments, calls and answers, emails to them or about their records)."""
    records = CustomerRecords(customer=customer)
    level: list[tuple[type, list]] = []
    for key in customer_foreign_keys():
        rows = list(key.model._default_manager.filter(**{key.name: customer}).order_by("pk"))
        level.append((key.model, records.add(key.model, rows)))
    for _depth in range(CHILD_DEPTH):
        below = []
        for model, parents in level:
            if not parents:
                continue
            for child, rows in _children(model, parents):
                below.append((child, records.add(child, rows.order_by("pk"))))
        level = below
    records.add(Email, _customer_emails(customer, records))
    return records


def _customer_emails(customer: Customer, records: CustomerRecords) -> QuerySet[Email]:
    about = Q(pk__in=[])
    for model, rows in records.groups.items():
        about |= Q(about_type=ContentType.objects.get_for_model(model), about_id__in=[row.pk for row in rows])
    if customer.email:
        about |= Q(to__iexact=customer.email)
    return Email.objects.filter(about, dealer=customer.dealer_id).order_by("pk")


def customer_erasure(customer: Customer) -> DataRightsAction | None:
    """The customer's erasure, if they were erased."""
    return DataRightsAction.objects.filter(dealer=customer.dealer_id, customer_id=customer.pk,
                                           kind=ActionKind.ERASE).first()


def customer_actions(customer: Customer) -> QuerySet[DataRightsAction]:
    return DataRightsAction.objects.filter(dealer=customer.dealer_id, customer_id=customer.pk).select_related("by")


def _activity_fields(model: type[models.Model]) -> list[str]:
    """The date-time fields of a record that say something happened (written, changed, received, reached)."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)
            and f.name in ACTIVITY_FIELD_NAMES]


# The moments that count as activity on a customer's records (the rest are promises and schedules).
ACTIVITY_FIELD_NAMES = frozenset({"created_at", "updated_at", "received_at", "reached_at", "answered_at", "at",
                                  "delivered_at", "arrived_at", "closed_at"})


def customers_inactive_since(*, cutoff: datetime) -> QuerySet[Customer]:
    """The customers (in scope) not yet erased with no activity since ``cutoff``: not created or changed, and
    no record about them (job, complaint, compliment, call, handover, vehicle) written or changed since."""
    customers = Customer.objects.filter(created_at__lt=cutoff, updated_at__lt=cutoff).exclude(
        Exists(DataRightsAction.objects.filter(dealer=OuterRef("dealer"), customer_id=OuterRef("pk"),
                                               kind=ActionKind.ERASE)))
    for key in customer_foreign_keys():
        recent = Q(pk__in=[])
        for name in _activity_fields(key.model):
            recent |= Q(**{f"{name}__gte": cutoff})
        customers = customers.exclude(Exists(key.model._default_manager.filter(recent, **{key.name: OuterRef("pk")})))
        for relation in key.model._meta.related_objects:
            child = relation.related_model
            if not relation.one_to_many or not issubclass(child, DealerOwnedModel) or _points_at_customer(child):
                continue
            recent = Q(pk__in=[])
            for name in _activity_fields(child):
                recent |= Q(**{f"{name}__gte": cutoff})
            path = f"{relation.remote_field.name}__{key.name}"
            customers = customers.exclude(Exists(child._default_manager.filter(recent, **{path: OuterRef("pk")})))
    return customers
