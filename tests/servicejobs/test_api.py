"""/api/v1/jobs/ and /api/v1/handovers/: scoped, with promise results, and the board's steps."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dealer_portal.tenancy.scoping import unscoped
from followups.models import FollowUpCall
from servicejobs import services
from servicejobs.models import PromiseCheck, SalesHandover, ServiceJob
from tests import factories
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db


def test_create_a_job_and_tap_it_through_to_handover(api_as, advisor, dealer):
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    client = api_as(advisor)
    created = client.post(reverse("job-list"), {
        "number": "RO-API-1", "customer": vehicle.customer_id, "vehicle": vehicle.pk, "work_category": "repair",
        "appointment_at": (timezone.now() - timedelta(minutes=10)).isoformat()}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "booked" and body["dealer"] == dealer.pk and len(body["promises"]) == 9
    job_url = reverse("job-step", args=[body["id"], "arrive"])
    assert client.post(job_url, {}, format="json").json()["status"] == "arrived"
    greeted = client.post(reverse("job-step", args=[body["id"], "greet"]), {}, format="json").json()
    assert greeted["promises"][0]["status"] == "kept"
    refused = client.post(reverse("job-step", args=[body["id"], "handover"]), {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"]["step"] == [
        "“Handed over” is not possible now: the car has not gone into the workshop yet."]
    future = client.post(reverse("job-step", args=[body["id"], "start_work"]),
                         {"at": (timezone.now() + timedelta(hours=2)).isoformat()}, format="json")
    assert future.json()["errors"] == {"at": ["This time is in the future."]}
    unknown = client.post(reverse("job-step", args=[body["id"], "teleport"]), {}, format="json")
    assert unknown.status_code == 400


def test_job_list_filters_by_status_and_date(api_as, advisor, dealer, make_job):
    booked = make_job()
    arrived = make_job()
    api = api_as(advisor)
    api.post(reverse("job-step", args=[arrived.pk, "arrive"]), {}, format="json")
    numbers = [j["number"] for j in api.get(reverse("job-list"), {"status": "arrived"}).json()["results"]]
    assert numbers == [arrived.number]
    # The filter reads the dealer's local dates; in Monterrey the UTC date runs a day ahead each evening.
    today = timezone.localdate(booked.appointment_at, dealer.zone).isoformat()
    assert {j["number"] for j in api.get(reverse("job-list"), {"date_from": today}).json()["results"]} == {
        booked.number, arrived.number}
    assert api.get(reverse("job-list"), {"date_to": "2020-01-01"}).json()["results"] == []
    assert api.get(reverse("job-list"), {"status": "lost"}).status_code == 400
    assert api.get(reverse("job-list"), {"date_from": "03/02/2026"}).json()["errors"]["date_from"]


@pytest.mark.parametrize("day", ["", "0001-01-01", "9999-12-31"])
def test_an_empty_or_implausible_date_filter_is_a_field_error(api_as, advisor, day):
    refused = api_as(advisor).get(reverse("job-list"), {"date_to": day})
    assert (refused.status_code, list(refused.json()["errors"])) == (400, ["date_to"])


def test_job_list_runs_a_fixed_number_of_queries(api_as, advisor, make_job, django_assert_max_num_queries):
    for _ in range(10):
        make_job()
    api = api_as(advisor)
    with django_assert_max_num_queries(8):
        assert len(api.get(reverse("job-list")).json()["results"]) == 10


def test_duplicate_job_number_and_another_dealers_customer_are_field_errors(api_as, advisor, dealer, other_dealer,
                                                                            make_job):
    make_job(number="RO-DUP")
    mine = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    theirs = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=other_dealer))
    api = api_as(advisor)
    duplicate = api.post(reverse("job-list"), {"number": "RO-DUP", "customer": mine.customer_id,
                                               "vehicle": mine.pk, "work_category": "repair"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json()["errors"]["number"] == ["A job with this number already exists at this dealer."]
    foreign = api.post(reverse("job-list"), {"number": "RO-NEW", "customer": theirs.customer_id,
                                             "vehicle": theirs.pk, "work_category": "repair"}, format="json")
    assert foreign.status_code == 400
    assert "does not exist" in foreign.json()["errors"]["customer"][0]


def test_a_representative_at_two_dealers_cannot_mix_their_rows(api_as, representative, dealer, other_dealer):
    factories.MembershipFactory(user=representative, dealer=other_dealer, role="customer_representative")
    at_other = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=other_dealer))
    response = api_as(representative).post(reverse("job-list"), {
        "dealer": dealer.pk, "number": "RO-MIX", "customer": at_other.customer_id, "vehicle": at_other.pk,
        "work_category": "repair"}, format="json")
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"]["customer"][0]


def test_updating_a_job_keeps_its_milestones_read_only(api_as, advisor, make_job):
    job = make_job()
    response = api_as(advisor).patch(reverse("job-detail", args=[job.pk]),
                                     {"concern": "Ruido al frenar", "status": "delivered"}, format="json")
    assert response.status_code == 200
    assert response.json()["concern"] == "Ruido al frenar"
    assert response.json()["status"] == "booked"


def test_another_dealers_job_is_404_through_the_api(api_as, neighbour, outsider, make_job):
    job = make_job()
    assert_not_found_for(neighbour, api=[reverse("job-detail", args=[job.pk])])
    assert_not_found_for(outsider, api=[reverse("job-detail", args=[job.pk])])
    for user in (neighbour, outsider):
        tap = api_as(user).post(reverse("job-step", args=[job.pk, "arrive"]), {}, format="json")
        assert tap.status_code == 404
    with unscoped():
        assert ServiceJob.objects.get(pk=job.pk).status == "booked"


def test_handovers_record_the_sales_promises(api_as, advisor, dealer, neighbour):
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    api = api_as(advisor)
    yesterday = timezone.now() - timedelta(days=1)
    response = api.post(reverse("handover-list"), {
        "customer": vehicle.customer_id, "vehicle": vehicle.pk,
        "promised_delivery_date": (yesterday - timedelta(days=3)).date().isoformat(),
        "delivered_at": yesterday.isoformat(), "delivered_faultless": True, "introduction_given": True},
        format="json")
    assert response.status_code == 201, response.json()
    promises = {p["number"]: p["status"] for p in response.json()["promises"]}
    assert promises == {7: "broken", 8: "kept", 9: "pending"}
    with unscoped():
        handover = SalesHandover.objects.get()
    assert handover.sales_consultant == advisor
    vehicle.refresh_from_db()  # the car's handover date, from which its anniversary contacts are scheduled
    assert vehicle.handover_date == timezone.localtime(yesterday, dealer.zone).date()
    with unscoped():  # the sales follow-up call reaches the customer inside its window: sales promise 9 is kept
        call = FollowUpCall.objects.get(sales_handover=handover)
        reached = timezone.make_aware(datetime.combine(call.window_start, time(10)), dealer.zone)
        FollowUpCall.objects.filter(pk=call.pk).update(status="reached", reached_at=reached,
                                                       reached_on=call.window_start)
    shown = api.get(reverse("handover-detail", args=[handover.pk])).json()["promises"]
    assert [(p["number"], p["status"]) for p in shown] == [(7, "broken"), (8, "kept"), (9, "kept")]
    assert_not_found_for(neighbour, api=[reverse("handover-detail", args=[handover.pk])])
    future = api.post(reverse("handover-list"), {
        "customer": vehicle.customer_id, "vehicle": vehicle.pk, "promised_delivery_date": "2026-01-01",
        "delivered_at": (timezone.now() + timedelta(days=2)).isoformat(), "delivered_faultless": True,
        "introduction_given": True}, format="json")
    assert future.json()["errors"]["delivered_at"] == ["This time is in the future."]


def test_csv_import_through_the_api_is_queued_then_reported(api_as, advisor, dealer, neighbour,
                                                            django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = ("job_number,customer_name,vin,work_category,arrived_at\n"
            "RO-CSV-1,Ana Pérez,3AUXY2K70PN000101,repair,2026-03-02 09:30\n"
            "RO-CSV-2,Luis Gómez,3AUXY2K70PN0001O2,repair,2026-03-02 10:00\n").encode()
    api = api_as(advisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(reverse("job-import-csv"), {"file": SimpleUploadedFile("dms.csv", data)},
                            format="multipart")
    assert response.status_code == 202, response.json()
    report = api.get(reverse("job-import-detail", args=[response.json()["id"]])).json()
    assert (report["status"], report["created"], len(report["rejected"])) == ("done", 1, 1)
    assert report["rejected"][0]["line"] == 3
    assert "VIN" in report["rejected"][0]["reason"]
    assert_not_found_for(neighbour, api=[reverse("job-import-detail", args=[report["id"]])])


def test_csv_import_through_the_api_refuses_a_bad_file_at_once(api_as, advisor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api_as(advisor).post(reverse("job-import-csv"),
                                    {"file": SimpleUploadedFile("dms.csv", b"number;name\n1;x\n")}, format="multipart")
    assert response.status_code == 400
    assert "job_number" in response.json()["errors"]["file"][0]
    assert api_as(advisor).post(reverse("job-import-csv"), {}, format="multipart").json()["errors"]["file"]


def test_a_job_without_its_work_category_is_a_field_error(api_as, advisor, dealer):
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    api = api_as(advisor)
    api.raise_request_exception = False
    response = api.post(reverse("job-list"), {"number": "RO-NOCAT", "customer": vehicle.customer_id,
                                              "vehicle": vehicle.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"work_category": ["This field is required."]}
    with unscoped():
        assert not ServiceJob.objects.exists()


def test_renumbering_a_job_to_a_used_number_is_a_field_error(api_as, advisor, make_job):
    make_job(number="RO-TAKEN")
    job = make_job(number="RO-MINE")
    api = api_as(advisor)
    api.raise_request_exception = False
    url = reverse("job-detail", args=[job.pk])
    for method, body in (("patch", {"number": "RO-TAKEN"}),
                         ("put", {"number": " RO-TAKEN ", "customer": job.customer_id, "vehicle": job.vehicle_id,
                                  "work_category": "maintenance"})):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 400, method
        assert response.json()["errors"] == {"number": ["A job with this number already exists at this dealer."]}
    with unscoped():
        assert ServiceJob.objects.get(pk=job.pk).number == "RO-MINE"


def test_a_job_sent_back_unchanged_is_accepted_and_a_new_category_is_checked_for_a_repeat(api_as, advisor, dealer,
                                                                                         make_job, in_dealer):
    from tests.servicejobs.test_steps import walk_to

    earlier = walk_to(make_job(work_category="repair"), "handover")
    job = services.job_create(dealer=dealer, number="RO-BACK", customer=earlier.customer, vehicle=earlier.vehicle,
                              advisor=advisor, work_category="tyres", appointment_at=timezone.now())
    assert job.repeat_of is None
    api = api_as(advisor)
    url = reverse("job-detail", args=[job.pk])
    same = {"number": "RO-BACK", "customer": job.customer_id, "vehicle": job.vehicle_id, "work_category": "tyres"}
    assert api.put(url, same, format="json").status_code == 200
    recategorised = api.patch(url, {"work_category": "repair"}, format="json")
    assert recategorised.status_code == 200
    assert recategorised.json()["repeat_of"] == earlier.pk  # as if it had been booked as a repair
    assert PromiseCheck.objects.get(job=earlier, number=6).status == "broken"
