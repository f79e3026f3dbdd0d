"""The rules of service jobs, each a pure function with its SQL twin beside it.

A page that filters in SQL and a page that decides in Python use the same pair, and
tests/servicejobs/test_rules.py runs both over the same rows and expects the same answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q

from .models import OPEN_STATUSES, JobStatus


def ready_deadline(job, *, tolerance: timedelta) -> datetime | None:
    """The last moment the car may be ready with its schedule promise (5) kept: the promised ready time plus
    the network's ready tolerance (``PromisePolicy.ready_tolerance_minutes``); None while nothing is promised."""
    if job.promised_ready_at is None:
        return None
    return job.promised_ready_at + tolerance


def is_late(job, *, now: datetime, tolerance: timedelta) -> bool:
    """A job is late when its car is not ready yet and the ready deadline (promised time + tolerance) has passed.

    Decided once for the board's count, the card's mark and promise 5: "not ready yet" means the job is still
    open (booked, arrived or in the workshop) with no ready time recorded; a car handed over, cancelled or a
    no-show is never late, whatever was recorded. The deadline itself is strict: exactly at it is not late.
    """
    deadline = ready_deadline(job, tolerance=tolerance)
    return job.status in OPEN_STATUSES and job.ready_at is None and deadline is not None and now > deadline


def late_q(*, now: datetime, tolerance: timedelta) -> Q:
    """The SQL twin of ``is_late``."""
    return Q(status__in=OPEN_STATUSES, ready_at__isnull=True, promised_ready_at__isnull=False,
             promised_ready_at__lt=now - tolerance)


def is_delivered(job) -> bool:
    """A job is delivered when its status says so and the moment of the handover is recorded."""
    return job.status == JobStatus.DELIVERED and job.delivered_at is not None


def delivered_q() -> Q:
    """The SQL twin of ``is_delivered``."""
    return Q(status=JobStatus.DELIVERED, delivered_at__isnull=False)
