"""The complaint's clocks (seed 002: a satisfactory reply within the network's limit), as pure functions.

No database access: everything comes from the complaint's own fields and the network's ``ComplaintPolicy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .models import CLOSED_STATES, ComplaintState

ZERO = timedelta(0)


@dataclass(frozen=True)
class ComplaintClock:
    first_contact_due: datetime
    reply_due: datetime
    is_overdue: bool
    overdue_by: timedelta  # zero unless overdue: how far past the earliest missed due time
    paused: bool  # on hold: the reply clock is not running


def hold_time(complaint, *, now: datetime) -> timedelta:
    """Time spent on hold so far, including the hold still running."""
    held = complaint.time_on_hold or ZERO
    if complaint.on_hold_since is not None:
        held += max(now - complaint.on_hold_since, ZERO)
    return held


def complaint_clock(complaint, *, policy, now: datetime) -> ComplaintClock:
    """The first-contact and reply due times of ``complaint`` at ``now``, and whether it is overdue."""
    paused = complaint.state == ComplaintState.ON_HOLD or complaint.on_hold_since is not None
    first_contact_due = complaint.received_at + timedelta(hours=policy.first_contact_hours)
    reply_due = complaint.received_at + timedelta(hours=policy.reply_limit_hours) + hold_time(complaint, now=now)
    late = []
    if complaint.state not in CLOSED_STATES:
        if now > reply_due:
            late.append(now - reply_due)
        if complaint.first_contact_at is None and now > first_contact_due:
            late.append(now - first_contact_due)
    return ComplaintClock(first_contact_due=first_contact_due, reply_due=reply_due, is_overdue=bool(late),
                          overdue_by=max(late, default=ZERO), paused=paused)


def duration_words(value: timedelta) -> str:
    """``2 d 5 h`` / ``5 h 10 min`` / ``10 min``: how late, for people, not to the second."""
    minutes = int(max(value, ZERO).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"
