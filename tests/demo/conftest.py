"""Every demo test builds at one fixed moment unless it says otherwise: a Tuesday, mid-morning in Mexico City.

The demo's history runs up to the moment it is built; a fixed moment makes two builds in one test the same
and keeps the month's end (and the night) out of tests that are not about them.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

BUILT_AT = datetime(2026, 11, 24, 11, 30, tzinfo=ZoneInfo("America/Mexico_City"))


def clock_freeze(monkeypatch, moment: datetime) -> datetime:
    """Stop the clock at ``moment`` for everything that asks ``django.utils.timezone`` the time."""
    frozen = moment.astimezone(UTC)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    return frozen


@pytest.fixture(autouse=True)
def built_at(monkeypatch) -> datetime:
    return clock_freeze(monkeypatch, BUILT_AT)
