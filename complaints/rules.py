"""Complaint rules as pure functions, each with its SQL twin beside it where SQL needs the same rule: the
clocks and when a complaint is overdue, when the escalation ladder climbs, when an on-hold complaint needs a
follow-up entry, and which managers answer for which complaints.

The rule (seed 002, PRC c.3): a complaint is due a first contact within the network's ``first_contact_hours``
and a satisfactory reply within its ``reply_limit_hours``, both counted from when it was received plus the
time it has spent on hold. It is **overdue** when it is neither closed nor on hold and it is late on first
contact (nobody has contacted the customer and the first-contact due time has passed) or late on the reply
(the reply due time has passed). On hold, both clocks are paused: it is not overdue while it waits, and the
wait is added to both due times when it resumes. No database access here except building ``Q`` objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import DateTimeField, ExpressionWrapper, F, Q, Value
from django.db.models.lookups import LessThan

from dealer_portal.tenancy.models import Department as StaffDepartment

from .durations import duration_words as duration_words  # kept importable from here for views and services
from .models import CLOSED_STATES, ComplaintState, Department

ZERO = timedelta(0)


def hold_time(complaint, *, now: datetime) -> timedelta:
    """Time spent on hold so far: the finished holds (``time_on_hold``) and the one still running."""
    held = complaint.time_on_hold or ZERO
    if complaint.on_hold_since is not None:
        held += max(now - complaint.on_hold_since, ZERO)
    return held


def is_paused(complaint) -> bool:
    """On hold: neither clock runs."""
    return complaint.state == ComplaintState.ON_HOLD or complaint.on_hold_since is not None


def paused_q() -> Q:
    """SQL twin of ``is_paused``."""
    return Q(state=ComplaintState.ON_HOLD) | Q(on_hold_since__isnull=False)


def first_contact_due(complaint, *, policy, now: datetime) -> datetime:
    return complaint.received_at + timedelta(hours=policy.first_contact_hours) + hold_time(complaint, now=now)


def reply_due(complaint, *, policy, now: datetime) -> datetime:
    return complaint.received_at + timedelta(hours=policy.reply_limit_hours) + hold_time(complaint, now=now)


def _due_expression(hours: int) -> ExpressionWrapper:
    # Only complaints that are not paused are compared with it, so the finished holds are all the hold time.
    return ExpressionWrapper(F("received_at") + F("time_on_hold") + Value(timedelta(hours=hours)),
                             output_field=DateTimeField())


def reply_due_expression(*, policy) -> ExpressionWrapper:
    """SQL twin of ``reply_due`` for a complaint that is not on hold (the queue sorts by it)."""
    return _due_expression(policy.reply_limit_hours)


def is_late_on_first_contact(complaint, *, policy, now: datetime) -> bool:
    return (complaint.first_contact_at is None and not complaint.is_closed and not is_paused(complaint)
            and now > first_contact_due(complaint, policy=policy, now=now))


def late_on_first_contact_q(*, policy, now: datetime) -> Q:
    """SQL twin of ``is_late_on_first_contact``."""
    return (Q(first_contact_at__isnull=True) & ~Q(state__in=CLOSED_STATES) & ~paused_q()
            & Q(LessThan(_due_expression(policy.first_contact_hours), now)))


def is_late_on_reply(complaint, *, policy, now: datetime) -> bool:
    return (not complaint.is_closed and not is_paused(complaint)
            and now > reply_due(complaint, policy=policy, now=now))


def late_on_reply_q(*, policy, now: datetime) -> Q:
    """SQL twin of ``is_late_on_reply``."""
    return ~Q(state__in=CLOSED_STATES) & ~paused_q() & Q(LessThan(reply_due_expression(policy=policy), now))


def is_overdue(complaint, *, policy, now: datetime) -> bool:
    """Late on first contact or on the satisfactory reply (see the module's docstring)."""
    return (is_late_on_first_contact(complaint, policy=policy, now=now)
            or is_late_on_reply(complaint, policy=policy, now=now))


def overdue_q(*, policy, now: datetime) -> Q:
    """SQL twin of ``is_overdue``: ``Complaint.objects.filter(overdue_q(policy=..., now=...))``."""
    return late_on_first_contact_q(policy=policy, now=now) | late_on_reply_q(policy=policy, now=now)


@dataclass(frozen=True)
class ComplaintClock:
    first_contact_due: datetime
    reply_due: datetime
    is_overdue: bool
    overdue_by: timedelta  # zero unless overdue: how far past the earliest missed due time
    paused: bool  # on hold: the clocks are not running


def complaint_clock(complaint, *, policy, now: datetime) -> ComplaintClock:
    """The complaint's due times at ``now``, whether it is overdue and by how much (the complaint's page)."""
    first_due = first_contact_due(complaint, policy=policy, now=now)
    reply = reply_due(complaint, policy=policy, now=now)
    late = []
    if is_late_on_first_contact(complaint, policy=policy, now=now):
        late.append(now - first_due)
    if is_late_on_reply(complaint, policy=policy, now=now):
        late.append(now - reply)
    return ComplaintClock(first_contact_due=first_due, reply_due=reply, is_overdue=bool(late),
                          overdue_by=max(late, default=ZERO), paused=is_paused(complaint))


TOP_LEVEL = 3  # the ladder: 1 the dealer's manager, 2 the regional manager, 3 after-sales HQ


def next_escalation_due(complaint, *, policy, now: datetime) -> datetime | None:
    """When the complaint climbs to its next level, or None if it never does (closed, on hold, at the top).

    Level 1 is due at the reply limit (``reply_due``, time on hold excluded); each later level one step after
    the ladder's previous rung and never sooner than one step after the last escalation actually happened
    (a late run climbs one rung, not all).
    """
    if complaint.is_closed or is_paused(complaint) or complaint.escalation_level >= TOP_LEVEL:
        return None
    step = timedelta(hours=policy.escalation_step_hours)
    due = reply_due(complaint, policy=policy, now=now) + step * complaint.escalation_level
    if complaint.escalation_level and complaint.escalated_at:
        due = max(due, complaint.escalated_at + step)
    return due


def hold_followup_missing(complaint, *, policy, now: datetime) -> bool:
    """On hold, and the last follow-up entry (or the hold itself) is older than the policy allows (PRC b.8)."""
    if complaint.state != ComplaintState.ON_HOLD:
        return False
    last = complaint.last_hold_followup_at or complaint.on_hold_since or complaint.received_at
    return now - last > timedelta(days=policy.on_hold_followup_days)


def manager_department(complaint_department: str) -> str:
    """The managers' department that answers for a complaint: "other" has no manager, service takes it."""
    return StaffDepartment.SERVICE if complaint_department == Department.OTHER else complaint_department


def complaint_departments(manager_department: str) -> list[str]:
    """The complaint departments a manager answers for: the converse of ``manager_department``."""
    if manager_department == StaffDepartment.SERVICE:
        return [Department.SERVICE, Department.OTHER]
    return [manager_department]
