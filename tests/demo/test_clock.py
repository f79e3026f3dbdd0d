"""The demo's history runs up to the moment it is built: whatever the hour, in whichever of its time zones,
nothing that happened is recorded later than that moment. Only what is planned may lie ahead."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from dealer_portal.tenancy.scoping import unscoped

from .conftest import clock_freeze

pytestmark = pytest.mark.django_db

# Times that are promises or plans, not records: an appointment, a promised ready time (and its changes),
# when to call a customer back, when an invitation expires.
PLANNED = {
    ("servicejobs", "servicejob"): {"appointment_at", "promised_ready_at", "original_promised_ready_at"},
    ("servicejobs", "promisedtimechange"): {"previous_at", "new_at"},
    ("followups", "followupcall"): {"callback_at"},
    ("followups", "callattempt"): {"callback_at"},
    ("accounts", "invitation"): {"expires_at"},
}

HISTORY_APPS = {"audit", "pghistory"}


def _recorded_after(now: datetime) -> dict[str, int]:
    """Every recorded moment of every model later than ``now``: "app.model.field" → how many rows."""
    late = {}
    for model in apps.get_models():
        if model._meta.app_label in HISTORY_APPS or not model._meta.managed:
            continue  # history says when a row was really written (the database's clock), not the demo's story
        planned = PLANNED.get((model._meta.app_label, model._meta.model_name), set())
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateTimeField) and field.name not in planned:
                count = model._base_manager.filter(**{f"{field.name}__gt": now}).count()
                if count:
                    late[f"{model._meta.label}.{field.name}"] = count
    return late


@pytest.mark.parametrize("moment", [
    datetime(2026, 11, 25, 0, 30, tzinfo=ZoneInfo("America/Tijuana")),  # just after midnight in the west
    datetime(2026, 11, 25, 0, 5, tzinfo=ZoneInfo("America/Cancun")),  # … and in the east
    datetime(2026, 11, 24, 23, 50, tzinfo=ZoneInfo("America/Mexico_City")),  # the day's last minutes
    datetime(2026, 12, 1, 0, 10, tzinfo=ZoneInfo("America/Mexico_City")),  # a new month, last one not yet ranked
    datetime(2026, 11, 1, 0, 40, tzinfo=ZoneInfo("America/Tijuana")),  # the night the clocks go back
], ids=["tijuana-00:30", "cancun-00:05", "mexico-city-23:50", "first-of-month-00:10", "clock-change-night"])
def test_nothing_is_recorded_after_the_moment_the_demo_is_built(monkeypatch, moment):
    now = clock_freeze(monkeypatch, moment)
    call_command("seed_demo", "--dealers", "6", "--months", "1")
    with unscoped():
        assert _recorded_after(now) == {}
