"""Reading the history: one record's entries (its page's panel) and a network's audit trail (search and export).

Every query goes through the history models' tenant-scoped managers, so a reader sees exactly the history of the
records their scope reaches; nothing here filters by dealer or network by hand.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from complaints.models import Complaint, SolutionProposal
from customers.models import Customer, Vehicle
from dealer_portal.formatting import date_as
from followups.models import CallAnswer, FollowUpCall
from scoring.models import Assessment, AssessmentEvidence, AssessmentScore
from servicejobs.models import PromisedTimeChange, ServiceJob

from .tracking import HISTORY_MODELS

ACTION_LABELS = {
    "insert": pgettext_lazy("a record, in its change history", "created"),
    "update": pgettext_lazy("a record, in its change history", "changed"),
    "delete": pgettext_lazy("a record, in its change history", "deleted"),
}

# A record's page shows the history of the rows that belong to it too: (child model, its link to the record).
RECORD_PARTS: dict[type[models.Model], list[tuple[type[models.Model], str]]] = {
    Customer: [(Vehicle, "customer")],
    ServiceJob: [(PromisedTimeChange, "job")],
    Complaint: [(SolutionProposal, "complaint")],
    Assessment: [(AssessmentScore, "assessment"), (AssessmentEvidence, "assessment")],
    FollowUpCall: [(CallAnswer, "call")],
}

HIDDEN_COLUMNS = {"id"}
# Columns a creation does not need to repeat: the tenant (the page or trail shows it) and the creation time.
CREATION_HIDDEN_COLUMNS = {"dealer_id", "network_id", "created_at"}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass
class HistoryEntry:
    """One event, ready to show or export: when, who, through what, and what changed."""

    at: datetime.datetime
    action: str
    record_type: str
    record_key: str
    record_label: str
    record_id: str
    user_email: str
    via: str
    changes: list[Change] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


def record_types() -> list[tuple[str, str]]:
    """``(key, name)`` of every tracked kind of record, for the trail's filter; the key is the model's label."""
    kinds = [(tracked._meta.label_lower, str(tracked._meta.verbose_name)) for tracked in HISTORY_MODELS]
    return sorted(kinds, key=lambda kind: kind[1].lower())


def tracked_model_for(record_type: str) -> type[models.Model] | None:
    return next((tracked for tracked in HISTORY_MODELS if tracked._meta.label_lower == record_type), None)


# -- values as a reader reads them ---------------------------------------------------------------------------
class _RelatedNames:
    """What the history's foreign keys point to, by name: each related model is read once (in the current scope,
    so a row the reader may not see stays a bare id)."""

    def __init__(self):
        self._wanted: dict[type[models.Model], set] = defaultdict(set)
        self._names: dict[type[models.Model], dict] = {}

    def want(self, tracked_field: models.Field, value) -> None:
        if isinstance(tracked_field, models.ForeignKey) and value not in (None, ""):
            self._wanted[tracked_field.related_model].add(value)

    def load(self) -> None:
        for model, ids in self._wanted.items():
            self._names[model] = {pk: str(row) for pk, row in model._default_manager.in_bulk(sorted(ids)).items()}

    def name(self, tracked_field: models.ForeignKey, value) -> str:
        return self._names.get(tracked_field.related_model, {}).get(value) or f"#{value}"


def _display_value(tracked_field: models.Field, value, names: _RelatedNames) -> str:
    if value is None or value == "":
        return "—"
    if tracked_field.choices:
        return str(dict(tracked_field.flatchoices).get(value, value))
    if isinstance(tracked_field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(tracked_field, models.DateTimeField):
        moment = parse_datetime(str(value))
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment, datetime.UTC)
            return date_as(timezone.localtime(moment), "MEDIUM_DATETIME")
    if isinstance(tracked_field, models.DateField):
        day = parse_date(str(value))
        if day is not None:
            return date_as(day, "SHORT_DATE_FORMAT")
    if isinstance(tracked_field, models.ForeignKey):
        return names.name(tracked_field, value)
    return str(value)


def _raw_changes(event, tracked: type[models.Model]) -> list[tuple[models.Field, object, object]]:
    """(field, before, after) of what the event changed; a creation lists the values it was created with."""
    columns = {f.column: f for f in tracked._meta.concrete_fields}
    if event.pgh_label == "update":
        pairs = [(column, before, after) for column, (before, after) in sorted((event.pgh_diff or {}).items())]
    elif event.pgh_label == "insert":
        kept = {f.column for f in event._meta.concrete_fields}
        pairs = [(column, None, _raw(getattr(event, field.attname, None))) for column, field in columns.items()
                 if column in kept and column not in CREATION_HIDDEN_COLUMNS]
        pairs = [(column, before, after) for column, before, after in pairs if after not in (None, "", [], {})]
    else:
        pairs = []
    return [(columns[column], before, after) for column, before, after in pairs
            if column in columns and column not in HIDDEN_COLUMNS]


def _raw(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _via(context: dict) -> str:
    if context.get("task"):
        return _("task %(name)s (%(id)s)") % {"name": context["task"], "id": context.get("task_id", "")}
    if context.get("command"):
        return _("command %(name)s") % {"name": context["command"]}
    if context.get("url"):
        return f"{context.get('method', '')} {context['url']}".strip()
    return _("database (no context)")


def _entries(events: Iterable[tuple[models.Model, type[models.Model]]]) -> list[HistoryEntry]:
    """The events, ready to read: related rows by name (one query per related model), values as the reader's
    language and time zone write them."""
    names = _RelatedNames()
    raw = []
    for event, tracked in events:
        changes = _raw_changes(event, tracked)
        for tracked_field, before, after in changes:
            names.want(tracked_field, before)
            names.want(tracked_field, after)
        raw.append((event, tracked, changes))
    names.load()
    entries = []
    for event, tracked, changes in raw:
        context = event.pgh_context or {}
        entries.append(HistoryEntry(
            at=event.pgh_created_at, action=event.pgh_label, record_type=str(tracked._meta.verbose_name),
            record_key=tracked._meta.label_lower, record_label=_record_label(event, tracked),
            record_id=str(event.pgh_obj_id), user_email=context.get("email") or "", via=_via(context),
            changes=[Change(field=str(tracked_field.verbose_name), before=_display_value(tracked_field, before, names),
                            after=_display_value(tracked_field, after, names))
                     for tracked_field, before, after in changes],
        ))
    return entries


def _record_label(event, tracked: type[models.Model]) -> str:
    for name in ("number", "name", "vin", "title", "email", "code"):
        if any(f.name == name for f in event._meta.concrete_fields):
            value = getattr(event, name, "")
            if value:
                return str(value)
    return f"#{event.pgh_obj_id}"


def _tagged(events, tracked: type[models.Model]) -> Iterator[tuple[models.Model, type[models.Model]]]:
    """Each event with the model it is the history of (for merging several histories into one stream)."""
    for event in events:
        yield event, tracked


# -- one record ----------------------------------------------------------------------------------------------
def history_for_record(record: models.Model, *, limit: int = 200) -> list[HistoryEntry]:
    """The history of ``record`` and of the rows that belong to it (a customer's cars, an assessment's scores…),
    newest first, as far as the current scope reaches."""
    tracked = type(record)._meta.concrete_model
    event_model = HISTORY_MODELS.get(tracked)
    if event_model is None:
        return []
    streams = [_tagged(event_model.objects.filter(pgh_obj_id=record.pk)[:limit], tracked)]
    for part, link in RECORD_PARTS.get(tracked, []):
        streams.append(_tagged(HISTORY_MODELS[part].objects.filter(**{f"{link}_id": record.pk})[:limit], part))
    merged = heapq.merge(*streams, key=lambda pair: (pair[0].pgh_created_at, pair[0].pgh_id), reverse=True)
    return _entries(itertools.islice(merged, limit))


# -- a network's trail ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrailFilter:
    record_type: str = ""
    user_email: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    text: str = ""


def _text_condition(event_model, text: str) -> Q:
    condition = Q(pgh_diff__icontains=text) | Q(pgh_context__email__icontains=text)
    for event_field in event_model._meta.concrete_fields:
        if isinstance(event_field, models.CharField | models.TextField) and not event_field.name.startswith("pgh_"):
            condition |= Q(**{f"{event_field.name}__icontains": text})
    if text.isdigit():
        condition |= Q(pgh_obj_id=int(text))
    return condition


def _filtered(event_model, trail_filter: TrailFilter):
    events = event_model.objects.all()
    if trail_filter.user_email:
        events = events.filter(pgh_context__email__iexact=trail_filter.user_email)
    zone = timezone.get_current_timezone()
    if trail_filter.date_from:
        start = datetime.datetime.combine(trail_filter.date_from, datetime.time.min, tzinfo=zone)
        events = events.filter(pgh_created_at__gte=start)
    if trail_filter.date_to:
        end = datetime.datetime.combine(trail_filter.date_to + datetime.timedelta(days=1), datetime.time.min,
                                        tzinfo=zone)
        events = events.filter(pgh_created_at__lt=end)
    if trail_filter.text:
        events = events.filter(_text_condition(event_model, trail_filter.text))
    return events.order_by("-pgh_created_at", "-pgh_id")


def _trail_models(trail_filter: TrailFilter) -> Iterable[tuple[type[models.Model], type[models.Model]]]:
    for tracked, event_model in HISTORY_MODELS.items():
        if not trail_filter.record_type or tracked._meta.label_lower == trail_filter.record_type:
            yield tracked, event_model


def trail_entries(trail_filter: TrailFilter, *, limit: int) -> list[HistoryEntry]:
    """The first ``limit`` entries of the audit trail in the current scope that match ``trail_filter``, newest
    first (each history table gives at most ``limit``, and the newest of all are kept)."""
    streams = [_tagged(_filtered(event_model, trail_filter)[:limit], tracked)
               for tracked, event_model in _trail_models(trail_filter)]
    merged = heapq.merge(*streams, key=lambda pair: (pair[0].pgh_created_at, pair[0].pgh_id), reverse=True)
    return _entries(itertools.islice(merged, limit))


def record_history_in_scope(record_type: str, record_id: int, *, limit: int = 500) -> list[HistoryEntry] | None:
    """The history of one record, by type and id, as the current scope reaches it; None if it has none there
    (another network's record is the same as a record that never existed)."""
    tracked = tracked_model_for(record_type)
    if tracked is None:
        return None
    events = list(HISTORY_MODELS[tracked].objects.filter(pgh_obj_id=record_id)[:limit])
    if not events:
        return None
    return _entries((event, tracked) for event in events)
