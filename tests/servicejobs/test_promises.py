"""Each service promise rule, on plain job records (no database): the nine promises as the seed states them."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from servicejobs.models import JobStatus, PromiseCheckStatus
from servicejobs.promises import (
    FollowUpOutcome,
    Policy,
    evaluate_sales_promises,
    evaluate_service_promises,
)
from servicejobs.reasons import Reason

KEPT, BROKEN, NA, PENDING = (PromiseCheckStatus.KEPT, PromiseCheckStatus.BROKEN, PromiseCheckStatus.NOT_APPLICABLE,
                             PromiseCheckStatus.PENDING)
NINE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def job(**overrides):
    """A job delivered with every promise kept: a 09:00 appointment, greeted at once, ready on time."""
    values = {
        "status": JobStatus.DELIVERED, "appointment_at": NINE, "arrived_at": NINE - minutes(3),
        "greeted_at": NINE + minutes(1), "reception_with_customer": True, "walkaround_at": NINE + minutes(5),
        "walkaround_with_customer": True, "work_explained_at": NINE + minutes(8), "estimated_duration_minutes": 120,
        "promised_ready_at": NINE + minutes(180), "work_started_at": NINE + minutes(15), "done_as_agreed": True,
        "extra_work_authorised_at": None, "ready_at": NINE + minutes(170), "invoice_explained": True,
        "advice_given": True, "delivered_at": NINE + minutes(200), "handover_with_customer": True, "number": "RO-1",
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def results(record, **kwargs):
    kwargs.setdefault("now", NINE + timedelta(days=1))
    return {r.number: r for r in evaluate_service_promises(record, **kwargs)}


def change(previous, new, told):
    return SimpleNamespace(previous_at=previous, new_at=new, customer_told_at=told)


def test_a_job_done_right_keeps_eight_promises_and_waits_for_the_call():
    outcome = results(job())
    assert {n: r.status for n, r in outcome.items()} == {**dict.fromkeys(range(1, 9), KEPT), 9: PENDING}
    assert outcome[1].reason == "Greeted 1 min after the 09:00 appointment."
    assert outcome[5].reason == "Ready 10 min before the promised 2 Mar 12:00."


def test_greeting_late_beyond_the_networks_tolerance_breaks_promise_one():
    outcome = results(job(greeted_at=NINE + minutes(14)))
    assert outcome[1].status == BROKEN
    assert outcome[1].reason == "Greeted 14 min after the 09:00 appointment."


def test_greeting_tolerance_is_the_networks_setting():
    late = job(greeted_at=NINE + minutes(14))
    assert results(late, policy=Policy(greeting_tolerance=minutes(15)))[1].status == KEPT
    assert results(job(greeted_at=NINE + minutes(5)))[1].status == KEPT
    assert results(job(greeted_at=NINE + minutes(6)))[1].status == BROKEN


def test_a_customer_who_comes_late_is_measured_from_their_arrival():
    outcome = results(job(arrived_at=NINE + minutes(25), greeted_at=NINE + minutes(27)))
    assert outcome[1].status == KEPT
    assert outcome[1].reason == "The customer came 25 min late; greeted 2 min after their arrival."


def test_walk_in_has_no_appointment_promise():
    outcome = results(job(appointment_at=None))
    assert outcome[1].status == NA
    assert "Walk-in" in outcome[1].reason
    assert outcome[2].status == KEPT


def test_no_show_and_cancelled_jobs_make_every_promise_not_applicable():
    for status, reason in ((JobStatus.NO_SHOW, "did not come"), (JobStatus.CANCELLED, "cancelled")):
        outcome = results(job(status=status, arrived_at=None, greeted_at=None))
        assert all(r.status == NA for r in outcome.values())
        assert reason in outcome[1].reason


def test_booked_job_before_its_appointment_is_pending():
    booked = job(status=JobStatus.BOOKED, arrived_at=None, greeted_at=None, reception_with_customer=None,
                 walkaround_at=None, work_explained_at=None, promised_ready_at=None, work_started_at=None,
                 ready_at=None, done_as_agreed=None, delivered_at=None, invoice_explained=None,
                 advice_given=None, handover_with_customer=None)
    outcome = results(booked, now=NINE - minutes(30))
    assert all(r.status == PENDING for r in outcome.values())
    assert outcome[1].reason == "Appointment at 09:00."


def test_an_arrived_customer_not_greeted_within_tolerance_breaks_promise_one():
    waiting = job(status=JobStatus.ARRIVED, greeted_at=None)
    assert results(waiting, now=NINE + minutes(2))[1].status == PENDING
    assert results(waiting, now=NINE + minutes(20))[1].status == BROKEN


def test_reception_or_handover_without_the_customer_breaks_promise_two():
    assert results(job(reception_with_customer=False))[2].status == BROKEN
    assert "handed over without" in results(job(handover_with_customer=False))[2].reason


def test_walkaround_after_work_started_or_without_customer_breaks_promise_three():
    assert results(job(walkaround_at=NINE + minutes(30)))[3].reason == "The walk-around came after work had started."
    assert results(job(walkaround_with_customer=False))[3].status == BROKEN
    assert results(job(walkaround_at=None))[3].reason == "Work started without a walk-around with the customer."


def test_work_explained_with_duration_before_work_keeps_promise_four():
    assert results(job())[4].reason == "Work steps explained; estimated 2h 00min."
    assert results(job(work_explained_at=NINE + minutes(20)))[4].status == BROKEN
    assert results(job(estimated_duration_minutes=None))[4].status == BROKEN


def test_ready_after_the_promised_time_breaks_promise_five():
    outcome = results(job(ready_at=NINE + minutes(195)))
    assert outcome[5].status == BROKEN
    assert outcome[5].reason == "Ready 15 min after the promised 2 Mar 12:00."
    assert results(job(ready_at=NINE + minutes(195)), policy=Policy(ready_tolerance=minutes(15)))[5].status == KEPT


def test_promise_changed_before_the_original_time_and_kept_keeps_promise_five():
    moved = job(promised_ready_at=NINE + minutes(240), ready_at=NINE + minutes(230))
    outcome = results(moved, changes=[change(NINE + minutes(180), NINE + minutes(240), NINE + minutes(120))])
    assert outcome[5].status == KEPT
    assert "changed 1× and told in time" in outcome[5].reason


def test_promise_changed_after_the_original_time_had_passed_breaks_promise_five():
    moved = job(promised_ready_at=NINE + minutes(240), ready_at=NINE + minutes(230))
    outcome = results(moved, changes=[change(NINE + minutes(180), NINE + minutes(240), NINE + minutes(190))])
    assert outcome[5].status == BROKEN
    assert "told only at 2 Mar 12:10, after it had passed" in outcome[5].reason


def test_no_promised_time_at_all_breaks_promise_five_once_ready():
    assert results(job(promised_ready_at=None))[5].reason == "No ready time was ever promised to the customer."


def test_open_job_past_its_promised_time_shows_broken_at_once():
    open_job = job(status=JobStatus.IN_WORKSHOP, ready_at=None, delivered_at=None, done_as_agreed=None)
    assert results(open_job, now=NINE + minutes(100))[5].status == PENDING
    assert results(open_job, now=NINE + minutes(200))[5].status == BROKEN


def test_extra_work_authorised_by_the_customer_keeps_promise_six():
    authorised = job(done_as_agreed=False, extra_work_authorised_at=NINE + minutes(60))
    assert results(authorised)[6].status == KEPT
    assert results(job(done_as_agreed=False))[6].status == BROKEN


def test_a_repeat_repair_breaks_the_earlier_jobs_promise_six():
    outcome = results(job(), repeated_by=SimpleNamespace(number="RO-9"))
    assert outcome[6].status == BROKEN
    assert outcome[6].reason == "The car came back for the same work (job RO-9)."


def test_invoice_and_advice_are_checked_at_handover():
    outcome = results(job(invoice_explained=False, advice_given=False))
    assert outcome[7].status == BROKEN and outcome[8].status == BROKEN
    ready = results(job(status=JobStatus.READY, delivered_at=None, invoice_explained=None, advice_given=None))
    assert ready[7].status == PENDING and ready[8].status == PENDING


def test_promise_nine_comes_from_the_follow_up_seam():
    outcome = results(job(), followup=FollowUpOutcome(KEPT, Reason.verbatim("Reached on day 4: satisfied.")))
    assert outcome[9].status == KEPT
    assert outcome[9].reason == "Reached on day 4: satisfied."


@pytest.mark.parametrize(("promised", "faultless", "introduced", "expected"), [
    (date(2026, 3, 2), True, True, {7: KEPT, 8: KEPT}),
    (date(2026, 3, 1), True, True, {7: BROKEN, 8: KEPT}),
    (date(2026, 3, 3), False, True, {7: KEPT, 8: BROKEN}),
    (date(2026, 3, 3), True, False, {7: KEPT, 8: BROKEN}),
])
def test_sales_promises_measured_from_the_handover(promised, faultless, introduced, expected, settings):
    handover = SimpleNamespace(promised_delivery_date=promised, delivered_at=datetime(2026, 3, 2, 17, tzinfo=UTC),
                               delivered_faultless=faultless, introduction_given=introduced)
    outcome = {r.number: r.status for r in evaluate_sales_promises(handover)}
    assert outcome == {**expected, 9: PENDING}


def test_a_handover_without_a_ready_time_is_judged_by_the_handover():
    """A DMS import may record only the handover: the car was ready by then at the latest, and is never late."""
    early = job(ready_at=None, delivered_at=NINE + minutes(170))
    assert results(early)[5].status == KEPT
    assert results(early)[5].reason.endswith("no ready time was recorded.")
    assert results(job(ready_at=None, delivered_at=NINE + minutes(200)))[5].status == BROKEN
