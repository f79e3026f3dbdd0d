"""A customer's records as a JSON document (full precision, field names) and as readable sections (the field's
label and its value as a person reads it, in the active language and time zone)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .selectors import CustomerRecords

EXPORT_FORMAT = "dealer-portal-customer-export/1"
# Plumbing every row has, not data about the customer.
HIDDEN_FIELDS = frozenset({"dealer"})


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields
            if field.name not in HIDDEN_FIELDS and not isinstance(field, models.BinaryField)]


def row_as_data(row: models.Model) -> dict:
    """A row's stored values under their field names (a foreign key as its id, a file as its name)."""
    data = {}
    for field in _fields(type(row)):
        value = getattr(row, field.attname)
        data[field.attname] = str(value) if isinstance(field, models.FileField) else value
    return data


def export_document(records: CustomerRecords, *, now: datetime) -> dict:
    customer = records.customer
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now,
        "dealer": {"code": customer.dealer.code, "name": customer.dealer.name},
        "customer": row_as_data(customer),
        "records": {model._meta.label_lower: [row_as_data(row) for row in rows]
                    for model, rows in records.groups.items()},
    }


def export_json(records: CustomerRecords, *, now: datetime) -> str:
    return json.dumps(export_document(records, now=now), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def _shown(row: models.Model, field: models.Field) -> str:
    value = getattr(row, field.attname)
    if value in (None, ""):
        return ""
    if field.choices:
        return str(getattr(row, f"get_{field.name}_display")())
    if field.is_relation:
        return str(getattr(row, field.name))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.localize(timezone.localtime(value))
    if isinstance(value, date | timedelta):
        return formats.localize(value)
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False) if value else ""
    return str(value)


@dataclass
class Section:
    title: str
    records: list[list[tuple[str, str]]]


def _lines(row: models.Model) -> list[tuple[str, str]]:
    lines = []
    for field in _fields(type(row)):
        shown = _shown(row, field)
        if shown:
            lines.append((capfirst(str(field.verbose_name)), shown))
    return lines


def export_sections(records: CustomerRecords) -> list[Section]:
    """The customer, then each kind of record, each record as (label, value) lines without empty values."""
    customer = records.customer
    sections = [Section(title=capfirst(str(type(customer)._meta.verbose_name)), records=[_lines(customer)])]
    for model, rows in records.groups.items():
        sections.append(Section(title=capfirst(str(model._meta.verbose_name_plural)),
                                records=[_lines(row) for row in rows]))
    return sections
