"""The job's state machine: booked → arrived → in workshop → ready → delivered, and what is refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from servicejobs import services
from servicejobs.models import JobStatus, PromiseCheck, PromisedTimeChange, ServiceJob
from tests import factories

pytestmark = pytest.mark.django_db


def step(job, name, **data):
    return services.job_step(job=job, step=name, **data)


def walk_to(job, last: str):
    now = timezone.now()
    plan = [("arrive", {}), ("greet", {}), ("walkaround", {}),
            ("estimate", {"estimated_duration_minutes": 60, "promised_ready_at": now + timedelta(hours=2)}),
            ("start_work", {}), ("ready", {}), ("handover", {})]
    for name, data in plan:
        job = step(job, name, **data)
        if name == last:
            return job
    return job


def test_a_job_moves_through_its_states_in_order(in_dealer, make_job):
    job = make_job()
    assert job.status == JobStatus.BOOKED
    for name, status in (("arrive", JobStatus.ARRIVED), ("start_work", JobStatus.IN_WORKSHOP),
                         ("ready", JobStatus.READY), ("handover", JobStatus.DELIVERED)):
        job = step(job, name)
        assert job.status == status
    assert job.delivered_at >= job.ready_at >= job.arrived_at


@pytest.mark.parametrize(("status_after", "refused_step", "message"), [
    ("booked", "ready", "“Ready” is not possible now: the customer has not arrived yet."),
    ("booked", "handover", "“Handed over” is not possible now: the customer has not arrived yet."),
    ("arrive", "handover", "“Handed over” is not possible now: the car has not gone into the workshop yet."),
    ("start_work", "handover", "“Handed over” is not possible now: the car is still in the workshop."),
    ("handover", "arrive", "“Customer arrived” is not possible now: the car has already been handed over."),
    ("handover", "cancel", "“Cancel” is not possible now: the car has already been handed over."),
])
def test_impossible_moves_are_refused_with_the_reason(in_dealer, make_job, status_after, refused_step, message):
    job = make_job()
    if status_after != "booked":
        job = walk_to(job, status_after)
    before = ServiceJob.objects.values().get(pk=job.pk)
    with pytest.raises(ValidationError) as refused:
        step(job, refused_step, reason="x")
    assert refused.value.messages == [message]
    assert ServiceJob.objects.values().get(pk=job.pk) == before


def test_a_time_in_the_future_is_refused(in_dealer, make_job):
    job = make_job()
    with pytest.raises(ValidationError) as refused:
        step(job, "arrive", at=timezone.now() + timedelta(hours=1))
    assert refused.value.message_dict == {"at": ["This time is in the future."]}


def test_ready_before_the_work_started_is_refused(in_dealer, make_job):
    job = walk_to(make_job(), "start_work")
    with pytest.raises(ValidationError) as refused:
        step(job, "ready", at=job.work_started_at - timedelta(minutes=5))
    assert "cannot be before the start of the work" in refused.value.message_dict["at"][0]


def test_handover_before_ready_time_is_refused(in_dealer, make_job):
    job = walk_to(make_job(), "ready")
    with pytest.raises(ValidationError) as refused:
        step(job, "handover", at=job.ready_at - timedelta(minutes=1))
    assert "cannot be before the car was ready" in refused.value.message_dict["at"][0]


def test_changing_the_promised_time_is_recorded_with_reason_and_when_told(in_dealer, make_job):
    job = walk_to(make_job(), "start_work")
    first = job.promised_ready_at
    later = first + timedelta(hours=1)
    job = step(job, "change_promise", new_promised_at=later, reason="Part arrives at 14:00")
    change = PromisedTimeChange.objects.get(job=job)
    assert (change.previous_at, change.new_at, change.reason) == (first, later, "Part arrives at 14:00")
    assert job.original_promised_ready_at == first and job.promised_ready_at == later
    with pytest.raises(ValidationError) as refused:
        step(job, "change_promise", new_promised_at=later + timedelta(hours=1), reason=" ")
    assert refused.value.message_dict == {"reason": ["Say why the time changes; the customer will ask."]}


def test_estimate_needs_a_duration_and_a_later_ready_time(in_dealer, make_job):
    job = step(make_job(), "arrive")
    with pytest.raises(ValidationError) as refused:
        step(job, "estimate", estimated_duration_minutes=0, promised_ready_at=timezone.now() - timedelta(hours=1))
    assert set(refused.value.message_dict) == {"estimated_duration_minutes", "promised_ready_at"}


def test_no_show_only_after_the_appointment_time(in_dealer, make_job):
    job = make_job(appointment_in=timedelta(hours=2))
    with pytest.raises(ValidationError):
        step(job, "no_show")
    job = make_job(appointment_in=timedelta(minutes=-20))
    assert step(job, "no_show").status == JobStatus.NO_SHOW


def test_every_step_updates_the_stored_promise_checks(in_dealer, make_job):
    job = make_job()
    assert PromiseCheck.objects.filter(job=job).count() == 9
    job = walk_to(job, "handover")
    stored = dict(PromiseCheck.objects.filter(job=job).values_list("number", "status"))
    assert stored == {1: "kept", 2: "kept", 3: "kept", 4: "kept", 5: "kept", 6: "kept", 7: "kept", 8: "kept",
                      9: "pending"}


def test_a_repeat_repair_within_the_networks_window_is_flagged_and_linked(in_dealer, make_job, dealer, advisor):
    first = walk_to(make_job(work_category="repair"), "handover")
    again = services.job_create(dealer=dealer, number="RO-AGAIN", customer=first.customer, vehicle=first.vehicle,
                                advisor=advisor, work_category="repair", appointment_at=timezone.now())
    assert again.repeat_of == first
    assert PromiseCheck.objects.get(job=first, number=6).status == "broken"
    other_work = services.job_create(dealer=dealer, number="RO-TYRES", customer=first.customer,
                                     vehicle=first.vehicle, advisor=advisor, work_category="tyres")
    assert other_work.repeat_of is None


def test_repeat_window_is_the_networks_setting(in_dealer, make_job, dealer, advisor):
    from servicejobs.models import PromisePolicy

    first = walk_to(make_job(work_category="repair"), "handover")
    ServiceJob.objects.filter(pk=first.pk).update(delivered_at=timezone.now() - timedelta(days=20))
    PromisePolicy.objects.create(network=dealer.network, repeat_repair_days=14)
    again = services.job_create(dealer=dealer, number="RO-LATER", customer=first.customer, vehicle=first.vehicle,
                                advisor=advisor, work_category="repair")
    assert again.repeat_of is None


def test_duplicate_job_number_is_refused_with_a_message(in_dealer, make_job):
    make_job(number="RO-7")
    with pytest.raises(ValidationError) as refused:
        make_job(number="RO-7")
    assert refused.value.message_dict["number"] == ["A job with this number already exists at this dealer."]


def test_same_job_number_is_fine_at_another_dealer(make_job, foreign_dealer, in_dealer):
    make_job(number="RO-7")
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=foreign_dealer))
    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope

    with tenant_scope(TenantScope.for_dealer(foreign_dealer)):
        job = services.job_create(dealer=foreign_dealer, number="RO-7", customer=vehicle.customer,
                                  vehicle=vehicle, work_category="maintenance")
    assert job.number == "RO-7"


def test_a_customer_of_another_dealer_is_refused(in_dealer, dealer, other_dealer):
    theirs = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=other_dealer))
    with pytest.raises(ValidationError) as refused:
        services.job_create(dealer=dealer, number="RO-X", customer=theirs.customer, vehicle=theirs,
                            work_category="maintenance")
    assert "Select a valid choice" in refused.value.message_dict["customer"][0]
