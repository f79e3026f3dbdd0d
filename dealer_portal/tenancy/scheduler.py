"""Is the beat schedule being run? Beat sends a heartbeat task every 30 s and the worker that runs it notes the time.

/healthz reports the answer so that an operator sees at a glance that beat is up and a worker takes scheduled
work. It never fails the health check: the web server is healthy even while beat is down.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache

HEARTBEAT_ENTRY = "scheduler-heartbeat"  # its name in settings.CELERY_BEAT_SCHEDULE
LAST_HEARTBEAT_KEY = "scheduler:last-heartbeat"
LATE_AFTER_BEATS = 4  # a worker busy with long tasks may miss a beat or two before that is worth a look


def heartbeat_interval() -> timedelta:
    return timedelta(seconds=float(settings.CELERY_BEAT_SCHEDULE[HEARTBEAT_ENTRY]["schedule"]))


def scheduler_heartbeat_record(*, now: datetime) -> None:
    """Notes that a worker ran a scheduled task at ``now``. Side effect: the shared cache, without expiry."""
    cache.set(LAST_HEARTBEAT_KEY, now.isoformat(), timeout=None)


def scheduler_status(*, now: datetime) -> dict:
    """``ok`` when a worker ran the heartbeat lately, ``late`` (since when) when not, ``not-seen`` before the first."""
    try:
        last_run = cache.get(LAST_HEARTBEAT_KEY)
    except Exception as error:  # noqa: BLE001 - health reports any failure instead of raising
        return {"scheduler": f"error: {error.__class__.__name__}", "scheduler_last_run": None}
    if last_run is None:
        return {"scheduler": "not-seen", "scheduler_last_run": None}
    late = now - datetime.fromisoformat(last_run) > LATE_AFTER_BEATS * heartbeat_interval()
    return {"scheduler": "late" if late else "ok", "scheduler_last_run": last_run}
