"""Writes to the history: there is exactly one, erasing a person's values (history is otherwise append-only)."""

from __future__ import annotations

import json

import pgtrigger
from django.db import connection, models, transaction

from .context import history_recorded
from .tracking import HISTORY_MODELS

_TEXT_FIELDS = (models.CharField, models.TextField)  # EmailField, SlugField… are CharFields


def _protect_uris() -> list[str]:
    return [f"{event_model._meta.label}:append_only" for event_model in HISTORY_MODELS.values()]


def _redact_table(cursor, event_model, values: list[str], replacement: str) -> int:
    """One UPDATE of one history table: every text column, and the JSON ones as text, with each value replaced."""
    quote = connection.ops.quote_name
    assignments, conditions, params, where_params = [], [], [], []
    for field in event_model._meta.concrete_fields:
        column = quote(field.column)
        if isinstance(field, _TEXT_FIELDS):
            expression, as_text = column, column
            needles = [(value, replacement) for value in values]
        elif isinstance(field, models.JSONField):
            expression, as_text = f"{column}::text", f"{column}::text"
            # Inside JSON text a value appears JSON-escaped (PostgreSQL keeps non-ASCII characters as they are).
            needles = [(json.dumps(value, ensure_ascii=False)[1:-1], json.dumps(replacement, ensure_ascii=False)[1:-1])
                       for value in values]
        else:
            continue
        for needle, substitute in needles:
            expression = f"replace({expression}, %s, %s)"
            params += [needle, substitute]
            conditions.append(f"strpos({as_text}, %s) > 0")
            where_params.append(needle)
        if isinstance(field, models.JSONField):
            expression = f"({expression})::jsonb"
        assignments.append(f"{column} = {expression}")
    if not assignments:
        return 0
    sql = (f"UPDATE {quote(event_model._meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608 - names are ours
           f"WHERE {' OR '.join(conditions)}")
    cursor.execute(sql, [*params, *where_params])
    return cursor.rowcount


def history_redact(*, values: list[str], replacement: str = "[erased]") -> int:
    """Replace every occurrence of each value (a person's name, phone, email, VIN…) inside every history row:
    the snapshot's text columns, the changed values (``pgh_diff``), the context and any JSON column.

    Side effects: updates history rows, stepping past their append-only trigger on purpose; returns how many
    history rows changed (0 on SQLite, which keeps no history). Substrings count: a name inside a note is replaced.
    """
    values = sorted({value for value in values if value and value.strip()}, key=len, reverse=True)
    if not values or not history_recorded():
        return 0
    changed = 0
    with transaction.atomic(), pgtrigger.ignore(*_protect_uris()), connection.cursor() as cursor:
        for event_model in HISTORY_MODELS.values():
            changed += _redact_table(cursor, event_model, values, replacement)
    return changed
