"""Writes for a customer's data rights: recording an export, erasing a customer, and the retention period.

An erasure anonymises the customer everywhere and keeps every record about them as an anonymous record, so jobs,
complaints and calls still count in the figures and published rankings do not change: only personal values
(name, phones, email, VIN and plate of their cars) are replaced, in their own fields and in any text at the dealer
that repeats them, files on their records are removed, and the audit history is redacted too when it is kept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.apps import apps as django_apps
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from audit.services import history_redact
from customers.models import Customer, Vehicle
from dealer_portal.tenancy.models import Dealer, DealerOwnedModel
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
from outbox.models import UNSENT_STATUSES, Email, EmailStatus

from .models import REASON_REQUIRED, RETENTION_REASON, ActionKind, DataRightsAction
from .redaction import REDACTED, name_parts, personal_values, redact_json, redact_text
from .selectors import CustomerRecords, customer_erasure, customer_records, customers_inactive_since

# An erased customer's and car's placeholders: unique per dealer (they carry the row's id), and valid values.
ERASED_EMAIL = "erased@example.invalid"
ERASED_VIN_PREFIX = "ERASED"  # + the car's id in 11 digits: 17 characters, none of them I, O or Q
RETENTION_BATCH = 200  # customers erased per dealer and run; the next run goes on


def _erased_name(customer: Customer) -> str:
    return f"#{customer.pk}"


def _erased_vin(vehicle: Vehicle) -> str:
    return f"{ERASED_VIN_PREFIX}{vehicle.pk:011d}"


@transaction.atomic
def customer_export_record(*, customer: Customer, by, records: CustomerRecords) -> DataRightsAction:
    """Record that ``by`` downloaded everything held about ``customer``. Side effects: the DataRightsAction row."""
    return DataRightsAction.objects.create(dealer_id=customer.dealer_id, kind=ActionKind.EXPORT,
                                           customer_id=customer.pk, by=by, counts=records.counts())


def _text_fields(model: type[models.Model]) -> tuple[list[models.Field], list[models.Field]]:
    """The fields of ``model`` that hold free text (and JSON): where a personal value can be written."""
    texts, documents = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.choices:
            continue
        if isinstance(field, models.JSONField):
            documents.append(field)
        elif isinstance(field, models.CharField | models.TextField):
            texts.append(field)
    return texts, documents


def _redacted_changes(row, *, texts, documents, values, words) -> dict:
    changes = {}
    for field in texts:
        before = getattr(row, field.attname) or ""
        after = redact_text(before, values=values, words=words)
        if isinstance(field, models.EmailField) and after != before:
            after = ERASED_EMAIL
        if after != before:
            changes[field.attname] = after[:field.max_length] if field.max_length else after
    for field in documents:
        before = getattr(row, field.attname)
        after = redact_json(before, values=values, words=words)
        if after != before:
            changes[field.attname] = after
    return changes


def _redact_rows(model: type[models.Model], rows, *, values: list[str], words: list[str] = ()) -> int:
    """Replace the personal values in ``rows`` of ``model``, one UPDATE per changed row (no save(): nothing
    else about the row changes, not even its "updated at"). Returns how many rows changed."""
    texts, documents = _text_fields(model)
    changed = 0
    for row in rows:
        changes = _redacted_changes(row, texts=texts, documents=documents, values=values, words=words)
        if changes:
            model._base_manager.filter(pk=row.pk).update(**changes)
            changed += 1
    return changed


def _mentioning(manager, model: type[models.Model], *, values: list[str]):
    """The rows of ``model`` (through ``manager``) with any of ``values`` in any of their text or JSON fields."""
    texts, documents = _text_fields(model)
    rows = manager.all()
    condition = Q(pk__in=[])
    for field in documents:
        rows = rows.annotate(**{f"{field.attname}_as_text": Cast(field.attname, TextField())})
    for value in values:
        for field in texts:
            condition |= Q(**{f"{field.attname}__icontains": value})
        for field in documents:
            condition |= Q(**{f"{field.attname}_as_text__icontains": value})
    return rows.filter(condition) if texts or documents else rows.none()


def _dealer_owned_models() -> list[type[models.Model]]:
    return [model for model in django_apps.get_models() if issubclass(model, DealerOwnedModel)]


def _anonymise_customer(customer: Customer, vehicles: list[Vehicle]) -> None:
    Customer._base_manager.filter(pk=customer.pk).update(
        name=_erased_name(customer), phone="", phone_alt="", email="", contact_consent=False, do_not_contact=True,
        do_not_contact_reason="", updated_at=timezone.now())
    for vehicle in vehicles:
        Vehicle._base_manager.filter(pk=vehicle.pk).update(vin=_erased_vin(vehicle), plate="")


def _remove_files(records: CustomerRecords) -> int:
    """Delete the files attached to the customer's records (after commit: a rolled-back erasure keeps them)."""
    removed = 0
    for model, rows in records.groups.items():
        for field in (f for f in model._meta.concrete_fields if isinstance(f, models.FileField)):
            for row in rows:
                stored = getattr(row, field.attname)
                if not stored:
                    continue
                storage, name = field.storage, str(stored)
                transaction.on_commit(lambda storage=storage, name=name: storage.delete(name), robust=True)
                model._base_manager.filter(pk=row.pk).update(**{field.attname: ""})
                removed += 1
    return removed


def _stop_unsent_emails(records: CustomerRecords) -> int:
    """Emails to the customer not yet sent never go: their address is gone."""
    ids = [email.pk for email in records.groups.get(Email, []) if email.status in UNSENT_STATUSES
           and email.to.lower() == records.customer.email.lower()]
    return Email._base_manager.filter(pk__in=ids).update(status=EmailStatus.FAILED,
                                                         last_error="The recipient's data was erased.")


def _history_redact(values: list[str]) -> int:
    """The audit trail keeps before-and-after values: redact them too (case as written, lower and upper case)."""
    variants = {variant for value in values for variant in (value, value.lower(), value.upper())}
    return history_redact(values=sorted(variants), replacement=REDACTED)


@transaction.atomic
def customer_erase(*, customer: Customer, reason: str, by=None) -> DataRightsAction:
    """Anonymise ``customer`` everywhere, keeping every record about them as an anonymous record.

    Their name, phones and email, and the VIN and plate of their cars, are replaced by placeholders; any text at
    the dealer that repeats one of those values (and, in their own records, a word of their name) has it replaced
    by "[…]"; files on their records are removed; unsent emails to them are stopped; the audit history is redacted.
    Erasing an erased customer changes nothing and returns the first erasure. ``reason`` is required.
    Side effects: updates of those rows, the DataRightsAction row (itself audited), file deletion after commit.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": str(REASON_REQUIRED)})
    customer = Customer.objects.select_for_update(of=("self",)).select_related("dealer").get(pk=customer.pk)
    erased = customer_erasure(customer)
    if erased is not None:
        return erased
    records = customer_records(customer)
    vehicles = records.groups.get(Vehicle, [])
    values = personal_values(name=customer.name, phones=[customer.phone, customer.phone_alt], emails=[customer.email],
                             vins=[vehicle.vin for vehicle in vehicles], plates=[vehicle.plate for vehicle in vehicles])
    words = name_parts(customer.name)
    counts = records.counts()
    counts["emails_stopped"] = _stop_unsent_emails(records)
    _anonymise_customer(customer, vehicles)
    redacted = 0
    for model, rows in records.groups.items():
        if model not in (Customer, Vehicle):
            redacted += _redact_rows(model, rows, values=values, words=words)
    # Dealer-wide: staff emails and daily logs repeat the customer's name (the customer is in the caller's scope,
    # so their dealer is too).
    with tenant_scope(TenantScope.for_dealer(customer.dealer)):
        for model in _dealer_owned_models():
            redacted += _redact_rows(model, _mentioning(model._default_manager, model, values=values), values=values)
    redacted += _redact_rows(LogEntry, _mentioning(LogEntry.objects, LogEntry, values=values), values=values)
    counts["texts_redacted"] = redacted
    counts["files_removed"] = _remove_files(records)
    action = DataRightsAction.objects.create(
        dealer_id=customer.dealer_id, kind=ActionKind.ERASE, customer_id=customer.pk, by=by,
        reason=redact_text(reason, values=values, words=words), counts=counts)
    counts["history_redacted"] = _history_redact(values)
    DataRightsAction._base_manager.filter(pk=action.pk).update(counts=counts)
    action.counts = counts
    return action


def customers_retention_erase(*, dealer: Dealer, now: datetime | None = None) -> int:
    """Erase the dealer's customers inactive for longer than the network's retention period (none when the
    network has no period). Each erasure is its own transaction; safe to run twice. Returns how many."""
    days = dealer.network.customer_retention_days
    if not days:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    erased = 0
    with tenant_scope(TenantScope.for_dealer(dealer)):
        for customer in customers_inactive_since(cutoff=cutoff).order_by("pk")[:RETENTION_BATCH]:
            customer_erase(customer=customer, reason=RETENTION_REASON, by=None)
            erased += 1
    return erased

