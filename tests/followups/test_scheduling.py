"""Every delivery gets exactly one follow-up call, due in the dealer's local days 3–5."""

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from followups.models import FollowUpCall
from followups.scheduling import call_window, followup_schedule_for_job
from followups.services import followups_mark_missed
from servicejobs.models import PromiseCheck, PromisePolicy
from tests import factories
from tests.servicejobs.test_steps import walk_to


@pytest.mark.parametrize(("delivered_utc", "zone", "expected"), [
    # 23:30 in Monterrey is still the 2nd there, although it is the 3rd in UTC.
    (datetime(2026, 3, 3, 5, 30, tzinfo=UTC), "America/Monterrey", (date(2026, 3, 5), date(2026, 3, 7))),
    # 01:30 in Helsinki is already the 3rd there.
    (datetime(2026, 3, 2, 23, 30, tzinfo=UTC), "Europe/Helsinki", (date(2026, 3, 6), date(2026, 3, 8))),
    # Helsinki leaves summer time on 25 Oct 2026: the window is still three to five calendar days.
    (datetime(2026, 10, 23, 21, 30, tzinfo=UTC), "Europe/Helsinki", (date(2026, 10, 27), date(2026, 10, 29))),
    # Tijuana leaves summer time on 1 Nov 2026.
    (datetime(2026, 10, 31, 20, 0, tzinfo=UTC), "America/Tijuana", (date(2026, 11, 3), date(2026, 11, 5))),
])
def test_the_window_is_days_three_to_five_in_the_dealers_own_calendar(delivered_utc, zone, expected):
    assert call_window(delivered_utc, ZoneInfo(zone), first_day=3, last_day=5) == expected


@pytest.mark.django_db
def test_handing_over_a_job_schedules_its_call_once(in_dealer, make_job):
    job = walk_to(make_job(), "handover")
    call = FollowUpCall.objects.get(service_job=job)
    local_day = timezone.localtime(job.delivered_at, job.dealer.zone).date()
    assert (call.window_start, call.window_end) == (local_day + timedelta(days=3), local_day + timedelta(days=5))
    again = followup_schedule_for_job(job, policy=PromisePolicy(network=job.dealer.network))
    assert again.pk == call.pk
    assert FollowUpCall.objects.count() == 1
    check = PromiseCheck.objects.get(job=job, number=9)
    assert (check.status, check.reason.startswith("Follow-up call due")) == ("pending", True)


@pytest.mark.django_db
def test_the_networks_days_set_the_window(in_dealer, make_job, dealer):
    PromisePolicy.objects.create(network=dealer.network, followup_first_day=2, followup_last_day=7)
    job = walk_to(make_job(), "handover")
    call = FollowUpCall.objects.get(service_job=job)
    assert (call.window_end - call.window_start).days == 5


@pytest.mark.django_db
def test_a_do_not_contact_customer_gets_no_call_and_the_reason_shows(in_dealer, make_job):
    job = make_job()
    job.customer.do_not_contact, job.customer.do_not_contact_reason = True, "Pidió no ser llamado"
    job.customer.save()
    job = walk_to(job, "handover")
    call = FollowUpCall.objects.get(service_job=job)
    assert (call.status, call.not_contacted_reason) == ("not_contacted", "Pidió no ser llamado")
    assert PromiseCheck.objects.get(job=job, number=9).status == "not_applicable"


@pytest.mark.django_db
def test_a_new_car_handover_schedules_its_call(client, manager, dealer):
    from django.urls import reverse

    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    client.force_login(manager)
    delivered = timezone.localtime(timezone=dealer.zone) - timedelta(hours=1)
    client.post(reverse("handover_list", args=[dealer.network.slug, dealer.code]), {
        "vin": vehicle.vin, "promised_delivery_date": delivered.date().isoformat(),
        "delivered_at": delivered.strftime("%Y-%m-%dT%H:%M"), "delivered_faultless": "on",
        "introduction_given": "on"})
    with unscoped():
        call = FollowUpCall.objects.get()
    assert (call.kind, call.sales_handover.vehicle) == ("sales", vehicle)


@pytest.mark.django_db
def test_marking_missed_calls_is_idempotent_and_breaks_promise_nine(in_dealer, make_job, dealer):
    job = walk_to(make_job(), "handover")
    call = FollowUpCall.objects.get(service_job=job)
    still_inside = timezone.make_aware(datetime.combine(call.window_end, datetime.min.time()), dealer.zone)
    assert followups_mark_missed(dealer=dealer, now=still_inside + timedelta(hours=23)) == 0
    after = still_inside + timedelta(days=1, hours=1)
    assert followups_mark_missed(dealer=dealer, now=after) == 1
    assert followups_mark_missed(dealer=dealer, now=after) == 0
    call.refresh_from_db()
    assert call.status == "missed"
    check = PromiseCheck.objects.get(job=job, number=9)
    assert check.status == "broken" and check.reason.startswith("Not reached within")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_handovers_of_the_same_job_at_once_make_one_call(dealer, advisor):
    from servicejobs import services

    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    with tenant_scope(TenantScope.for_dealer(dealer)):
        job = services.job_create(dealer=dealer, number="RO-RACE", customer=vehicle.customer, vehicle=vehicle,
                                  advisor=advisor, work_category="repair", appointment_at=timezone.now())
        job = walk_to(job, "ready")
    start = threading.Barrier(2)
    outcomes = []

    def hand_over():
        try:
            with tenant_scope(TenantScope.for_dealer(dealer)):
                start.wait()
                try:
                    services.job_step(job=job, step="handover")
                    outcomes.append("delivered")
                except services.ValidationError:
                    outcomes.append("refused")  # the other tap handed it over first
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_over) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with unscoped():
        assert FollowUpCall.objects.filter(service_job=job).count() == 1
    assert sorted(outcomes) == ["delivered", "refused"]
