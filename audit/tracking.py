"""How a business model gets its history: a django-pghistory event model whose PostgreSQL triggers write a
snapshot of the row on every insert, update and delete, whatever wrote it (a page, the API, a task, a bulk
``queryset.update()`` or raw SQL), with the request's or task's context and, for updates, each changed column's
value before and after.

The history tables are append-only (a ``Protect`` trigger refuses UPDATE and DELETE); only
``audit.services.history_redact`` steps past it, explicitly, to erase a person's values.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from django.db import models
from django.utils.translation import gettext_lazy as _
from pghistory.trigger import Event as _EventTrigger

# Columns whose changes are noise in a history (they change on every save).
UNTRACKED_FIELDS = ("updated_at",)

# tracked model -> its event model; filled as audit/models.py declares them.
HISTORY_MODELS: dict[type[models.Model], type[models.Model]] = {}


def history_triggers_uninstall(apps, schema_editor):
    """A history migration's reverse: the triggers go, since they name columns the step back may remove (every
    ``migrate`` installs them again for the models as they are, PGTRIGGER_INSTALL_ON_MIGRATE)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    uris = [f"{tracked._meta.label}:{name}" for tracked in HISTORY_MODELS
            for name in ("insert_insert", "update_update", "delete_delete")]
    pgtrigger.uninstall(*uris, database=schema_editor.connection.alias)


def _changed_values_sql(columns: list[str]) -> str:
    """A JSONB ``{"column": [before, after]}`` of the listed columns that the UPDATE changed."""
    listed = ", ".join(f"'{column}'" for column in columns)  # the model's own column names, never input
    return (
        "(SELECT jsonb_object_agg(old_row.key, jsonb_build_array(old_row.value, new_row.value)) "  # noqa: S608
        "FROM jsonb_each(to_jsonb(OLD)) AS old_row JOIN jsonb_each(to_jsonb(NEW)) AS new_row "
        "ON new_row.key = old_row.key "
        f"WHERE old_row.value IS DISTINCT FROM new_row.value AND old_row.key IN ({listed}))"
    )


class _UpdateWithChangesTrigger(_EventTrigger):
    """pghistory's update trigger, also writing ``pgh_diff``: the changed columns' values before and after, taken
    from OLD and NEW in the trigger itself, so the first change of a row that existed before auditing began is
    still complete."""

    def get_func(self, model):
        func = super().get_func(model)
        table = self.event_model._meta.db_table
        columns = sorted(field.column for field in self.event_model._meta.concrete_fields
                         if field.name in {f.name for f in model._meta.concrete_fields})
        insert_head = f'INSERT INTO "{table}" ('
        sql = func.func
        if insert_head not in sql or " VALUES (" not in sql:  # pragma: no cover - pghistory changed its SQL
            raise RuntimeError("pghistory's event trigger SQL is not the row-level INSERT this module extends")
        sql = sql.replace(insert_head, f'{insert_head}"pgh_diff", ', 1)
        sql = sql.replace(" VALUES (", f" VALUES ({_changed_values_sql(columns)}, ", 1)
        return pgtrigger.Func(sql)


class UpdateWithChanges(pghistory.UpdateEvent):
    """An update event that keeps the before and after value of every changed column."""

    def add_event_trigger(self, event_model):
        pgtrigger.register(
            _UpdateWithChangesTrigger(
                event_model=event_model, label=self.label, name=self.trigger_name, row=self.row,
                operation=self.operation, condition=self.condition, level=self.level,
            )
        )(event_model.pgh_tracked_model)


def history_model(tracked: type[models.Model], *, manager: type[models.Manager], exclude: tuple[str, ...] = (),
                  app_label: str = "audit"):
    """Declare ``<Model>History``, the history of ``tracked`` (in the audit app, or in ``app_label``: an app above
    audit declares its own models' history beside them), scoped by ``manager`` like the row itself; ``exclude``
    names columns never worth keeping (secrets)."""
    name = f"{tracked.__name__}History"
    exclude = [*exclude, *(field for field in UNTRACKED_FIELDS
                           if any(f.name == field for f in tracked._meta.local_fields))]
    event_model = pghistory.create_event_model(
        tracked,
        pghistory.InsertEvent(level=pgtrigger.Row),
        UpdateWithChanges(level=pgtrigger.Row),
        pghistory.DeleteEvent(level=pgtrigger.Row),
        exclude=exclude,
        obj_field=pghistory.ObjForeignKey(related_name="+"),
        context_field=pghistory.ContextJSONField(),
        context_id_field=pghistory.ContextUUIDField(),
        append_only=True,
        model_name=name,
        app_label=app_label,
        attrs={
            "objects": manager(),
            "pgh_diff": models.JSONField(_("changed values"), null=True, blank=True, editable=False),
        },
        meta={
            "ordering": ["-pgh_created_at", "-pgh_id"],
            "indexes": [models.Index(fields=["pgh_obj", "pgh_created_at"], name=f"{name.lower()[:20]}_obj_idx")],
        },
        abstract=False,
    )
    HISTORY_MODELS[tracked] = event_model
    return event_model
