"""The complaint clocks: due times from the network's policy, paused while on hold, overdue only when open."""

from datetime import UTC, datetime, timedelta

from complaints.models import Complaint, ComplaintPolicy, ComplaintState
from complaints.rules import complaint_clock

RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
POLICY = ComplaintPolicy(first_contact_hours=24, reply_limit_hours=72)
H = timedelta(hours=1)


def complaint(**fields):
    values = {"received_at": RECEIVED, "state": ComplaintState.CONFIRMED, "first_contact_at": RECEIVED + H}
    values.update(fields)
    return Complaint(**values)


def test_due_times_come_from_the_policy():
    clock = complaint_clock(complaint(), policy=POLICY, now=RECEIVED + 2 * H)
    assert clock.first_contact_due == RECEIVED + 24 * H
    assert clock.reply_due == RECEIVED + 72 * H
    assert not clock.is_overdue and clock.overdue_by == timedelta(0) and not clock.paused


def test_a_stricter_policy_brings_the_reply_forward():
    clock = complaint_clock(complaint(), policy=ComplaintPolicy(reply_limit_hours=24), now=RECEIVED + 25 * H)
    assert clock.reply_due == RECEIVED + 24 * H
    assert clock.is_overdue and clock.overdue_by == H


def test_past_the_reply_limit_is_overdue_by_the_difference():
    clock = complaint_clock(complaint(), policy=POLICY, now=RECEIVED + 75 * H)
    assert clock.is_overdue
    assert clock.overdue_by == 3 * H


def test_the_clock_pauses_while_on_hold():
    held = complaint(state=ComplaintState.ON_HOLD, on_hold_since=RECEIVED + 10 * H)
    clock = complaint_clock(held, policy=POLICY, now=RECEIVED + 200 * H)
    # 190 hours on hold so far: the reply is due 190 hours later than without the hold, and not yet late.
    assert clock.paused
    assert clock.reply_due == RECEIVED + (72 + 190) * H
    assert not clock.is_overdue


def test_time_held_earlier_still_counts_after_resuming():
    resumed = complaint(time_on_hold=48 * H)
    clock = complaint_clock(resumed, policy=POLICY, now=RECEIVED + 100 * H)
    assert not clock.paused
    assert clock.reply_due == RECEIVED + 120 * H
    assert not clock.is_overdue
    assert complaint_clock(resumed, policy=POLICY, now=RECEIVED + 121 * H).overdue_by == H


def test_earlier_hold_and_a_running_hold_add_up():
    held = complaint(state=ComplaintState.ON_HOLD, time_on_hold=10 * H, on_hold_since=RECEIVED + 50 * H)
    clock = complaint_clock(held, policy=POLICY, now=RECEIVED + 60 * H)
    assert clock.reply_due == RECEIVED + (72 + 10 + 10) * H


def test_a_missing_first_contact_is_overdue_before_the_reply_limit():
    uncontacted = complaint(state=ComplaintState.NEW, first_contact_at=None)
    assert not complaint_clock(uncontacted, policy=POLICY, now=RECEIVED + 23 * H).is_overdue
    clock = complaint_clock(uncontacted, policy=POLICY, now=RECEIVED + 26 * H)
    assert clock.is_overdue and clock.overdue_by == 2 * H
    # The same moment with the customer contacted is on time.
    assert not complaint_clock(complaint(), policy=POLICY, now=RECEIVED + 26 * H).is_overdue


def test_a_closed_complaint_is_never_overdue():
    for state in (ComplaintState.CLOSED_SATISFIED, ComplaintState.CLOSED_UNRESOLVED):
        clock = complaint_clock(complaint(state=state, first_contact_at=None), policy=POLICY,
                                now=RECEIVED + 500 * H)
        assert not clock.is_overdue and clock.overdue_by == timedelta(0)
