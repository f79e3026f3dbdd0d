"""Who and where, for every history row: the request (user id and email, path, method, request id), the Celery
task (name and id) or the management command that made the change.

pghistory sends the context to PostgreSQL at the start of each write statement; the triggers copy it into the
event row (``pgh_context``). On SQLite nothing is recorded (the triggers need PostgreSQL), so nothing is sent.
"""

from __future__ import annotations

import contextlib
import functools
import uuid

import pghistory
from celery import signals as celery_signals
from django.core.handlers.wsgi import WSGIRequest
from django.core.management.base import BaseCommand
from django.db import connection
from pghistory import runtime as pghistory_runtime


def history_recorded() -> bool:
    """Whether this database keeps history: its triggers need PostgreSQL (SQLite, the laptop default, keeps none)."""
    return connection.vendor == "postgresql"


def _user_context(user) -> dict:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user": None, "email": None}
    return {"user": user.pk, "email": user.email}


class _AuditedRequest(WSGIRequest):
    """A request that tells the history who it is as soon as it knows: the API logs a token holder in inside the
    view (DRF sets ``request.user`` on the Django request then), long after the middleware ran."""

    def __setattr__(self, attr, value):
        super().__setattr__(attr, value)
        if attr == "user" and getattr(value, "_meta", None) is not None:
            pghistory.context(**_user_context(value))


class _WritesSeen:
    """An execute wrapper noting whether anything but a SELECT ran (only writes carry the context)."""

    def __init__(self):
        self.seen = False

    def __call__(self, execute, sql, params, many, context):
        if not self.seen:
            text = sql.decode() if isinstance(sql, bytes) else str(sql)
            self.seen = not text.lstrip()[:6].upper().startswith("SELECT")
        return execute(sql, params, many, context)


@contextlib.contextmanager
def recording(**metadata):
    """Run the block inside a history context with ``metadata``. pghistory's settings last until the transaction
    ends, so if the block wrote inside a transaction that stays open (a test's, or a task run eagerly inside
    another), they are cleared after it: they must not be lent to writes that are not the block's."""
    writes = _WritesSeen()
    with connection.execute_wrapper(writes), pghistory.context(**metadata) as history_context:
        yield history_context
    if writes.seen and connection.in_atomic_block and not hasattr(pghistory_runtime._tracker, "value"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('pghistory.context_id', '', true), "
                           "set_config('pghistory.context_metadata', '', true)")


class AuditContextMiddleware:
    """Every write made while answering a request carries the request's user, path, method and id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not history_recorded():
            return self.get_response(request)
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        user = getattr(request, "user", None)
        with recording(**_user_context(user), url=request.path, method=request.method, request_id=request_id):
            if type(request) is WSGIRequest:
                request.__class__ = _AuditedRequest
            return self.get_response(request)


# -- Celery: the task's name and id --------------------------------------------------------------------------
_open_task_contexts: dict[str, tuple[contextlib.ExitStack, dict | None]] = {}


def _task_started(task_id=None, task=None, **_):
    if not history_recorded() or task_id is None:
        return
    # A task run eagerly inside a request or another task adds to that context; what it adds is taken back after.
    outer = getattr(pghistory_runtime._tracker, "value", None)
    saved = dict(outer.metadata) if outer is not None else None
    stack = contextlib.ExitStack()
    stack.enter_context(recording(task=task.name, task_id=task_id))
    _open_task_contexts[task_id] = (stack, saved)


def _task_finished(task_id=None, **_):
    opened = _open_task_contexts.pop(task_id, None)
    if opened is None:
        return
    stack, saved = opened
    if saved is not None:
        outer = pghistory_runtime._tracker.value
        outer.metadata.clear()
        outer.metadata.update(saved)
    stack.close()


# -- Management commands: the command's name ------------------------------------------------------------------
# Schema commands run DDL that must stay a single statement (CREATE INDEX CONCURRENTLY): no context is sent.
SCHEMA_COMMANDS = frozenset({"migrate", "makemigrations", "flush", "sqlflush", "sqlmigrate", "squashmigrations"})


def _with_command_context(execute):
    # Django has no signal for a command's start, so the one entry every command passes through is wrapped.
    @functools.wraps(execute)
    def wrapper(self, *args, **options):
        name = self.__module__.rsplit(".", 1)[-1]
        if not history_recorded() or name in SCHEMA_COMMANDS:
            return execute(self, *args, **options)
        with recording(command=name):
            return execute(self, *args, **options)

    wrapper._audit_command_context = True
    return wrapper


def connect() -> None:
    """Hook the task signals and the command entry (from the app's ready())."""
    celery_signals.task_prerun.connect(_task_started, dispatch_uid="audit_task_started", weak=False)
    celery_signals.task_postrun.connect(_task_finished, dispatch_uid="audit_task_finished", weak=False)
    if not getattr(BaseCommand.execute, "_audit_command_context", False):
        BaseCommand.execute = _with_command_context(BaseCommand.execute)
