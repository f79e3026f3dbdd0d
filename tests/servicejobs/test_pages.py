"""The advisor's board, the job page, booking and one-tap steps in the browser's HTTP terms."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, Vehicle
from dealer_portal.tenancy.scoping import unscoped
from servicejobs.models import JobStatus, ServiceJob
from servicejobs.selectors import BOARD_COLUMN_SIZE
from tests import factories
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(dealer, name, *args):
    return reverse(name, args=[dealer.network.slug, dealer.code, *args])


def test_board_sorts_todays_jobs_into_columns_and_marks_late_ones(client, advisor, dealer, make_job, in_dealer):
    from tests.servicejobs.test_steps import walk_to

    expected = make_job(appointment_in=timedelta(hours=1))
    late = walk_to(make_job(), "start_work")
    ServiceJob.objects.filter(pk=late.pk).update(promised_ready_at=timezone.now() - timedelta(minutes=5))
    ready = walk_to(make_job(), "ready")
    done = walk_to(make_job(), "handover")
    client.force_login(advisor)
    page = client.get(url(dealer, "job_board")).content.decode()
    columns = {name: page.index(f'data-testid="column-{name}"') for name in
               ("expected", "workshop", "ready", "delivered")}
    positions = {job.number: page.index(f'data-job="{job.number}"') for job in (expected, late, ready, done)}
    assert columns["expected"] < positions[expected.number] < columns["workshop"]
    assert columns["workshop"] < positions[late.number] < columns["ready"]
    assert columns["ready"] < positions[ready.number] < columns["delivered"]
    assert columns["delivered"] < positions[done.number]
    assert 'data-testid="late"' in page
    assert "1 late" in page


def test_board_runs_a_fixed_number_of_queries(client, advisor, dealer, make_job, django_assert_max_num_queries):
    for _ in range(BOARD_COLUMN_SIZE + 5):
        make_job()
    client.force_login(advisor)
    client.get(url(dealer, "job_board"))
    with django_assert_max_num_queries(10):  # the columns' places, then the cards shown by key
        response = client.get(url(dealer, "job_board"))
    page = response.content.decode()
    assert page.count('data-testid="job-card"') == BOARD_COLUMN_SIZE  # the first page of the column
    expected = page[page.index('data-testid="column-expected"'):]
    assert f'badge text-bg-secondary">{BOARD_COLUMN_SIZE + 5}</span>' in expected[:expected.index("</h2>")]


def test_one_tap_records_a_step_and_returns_the_board(client, advisor, dealer, make_job):
    job = make_job()
    client.force_login(advisor)
    response = client.post(url(dealer, "job_step", job.pk, "arrive"), {"return_to": "board"}, **HTMX)
    assert response.status_code == 200
    assert 'id="board"' in response.content.decode()
    assert "<html" not in response.content.decode()  # a fragment: no full-page reload
    with unscoped():
        assert ServiceJob.objects.get(pk=job.pk).status == JobStatus.ARRIVED


def test_a_refused_tap_says_why_in_the_page(client, advisor, dealer, make_job):
    job = make_job()
    client.force_login(advisor)
    response = client.post(url(dealer, "job_step", job.pk, "ready"), {"return_to": "board"}, **HTMX)
    assert "“Ready” is not possible now: the customer has not arrived yet." in response.content.decode()
    without_htmx = client.post(url(dealer, "job_step", job.pk, "ready"), follow=True)
    assert "the customer has not arrived yet" in without_htmx.content.decode()


def test_step_with_a_form_shows_field_errors_in_place(client, advisor, dealer, make_job):
    job = make_job()
    client.force_login(advisor)
    client.post(url(dealer, "job_step", job.pk, "arrive"))
    form = client.get(url(dealer, "job_step", job.pk, "estimate") + "?return_to=board", **HTMX)
    assert 'data-testid="step-form"' in form.content.decode()
    past = (timezone.localtime(timezone=dealer.zone) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url(dealer, "job_step", job.pk, "estimate"),
                           {"return_to": "board", "estimated_duration_minutes": "90", "promised_ready_at": past},
                           **HTMX)
    assert response["HX-Retarget"] == f"#job-{job.pk}"
    assert "The promised ready time must be later than now." in response.content.decode()
    with unscoped():
        assert ServiceJob.objects.get(pk=job.pk).promised_ready_at is None


def test_job_page_shows_the_nine_promises_live(client, advisor, dealer, make_job):
    job = make_job()
    client.force_login(advisor)
    client.post(url(dealer, "job_step", job.pk, "arrive"))
    client.post(url(dealer, "job_step", job.pk, "greet"))
    page = client.get(url(dealer, "job_detail", job.pk)).content.decode()
    for number in range(1, 10):
        assert f'data-testid="promise-{number}"' in page
    assert 'data-testid="promise-1" data-status="kept"' in page


def test_booking_for_a_new_customer_creates_customer_car_and_job_together(client, advisor, dealer):
    client.force_login(advisor)
    response = client.post(url(dealer, "job_create"), {
        "name": "Camila Reyes", "phone": "+52 81 2222 3333", "vin": "3AUXY2K70PN765432", "plate": "XYZ987A",
        "make": "Aurora", "model": "Puma", "number": "RO-2026-09999", "work_category": "maintenance"})
    assert response.status_code == 302
    with unscoped():
        job = ServiceJob.objects.get(number="RO-2026-09999")
    assert (job.customer.name, job.vehicle.vin, job.dealer, job.advisor) == ("Camila Reyes", "3AUXY2K70PN765432",
                                                                               dealer, advisor)
    assert job.is_walk_in


def test_a_failed_booking_saves_nothing_and_shows_why(client, advisor, dealer):
    client.force_login(advisor)
    response = client.post(url(dealer, "job_create"), {
        "name": "Camila Reyes", "vin": "3AUXY2K70PN76543I", "number": "RO-1", "work_category": "maintenance"})
    assert response.status_code == 400
    assert "A VIN never contains the letters I, O or Q." in response.content.decode()
    with unscoped():
        assert not Customer.objects.exists() and not Vehicle.objects.exists()


def test_booking_with_an_existing_job_number_is_refused_in_the_form(client, advisor, dealer, make_job):
    make_job(number="RO-DUP")
    client.force_login(advisor)
    response = client.post(url(dealer, "job_create"), {
        "name": "Camila Reyes", "vin": "3AUXY2K70PN765432", "number": "RO-DUP", "work_category": "maintenance"})
    assert response.status_code == 400
    assert "A job with this number already exists at this dealer." in response.content.decode()
    with unscoped():
        assert not Customer.objects.filter(name="Camila Reyes").exists()  # all or nothing


def test_customer_search_while_booking_offers_their_cars(client, advisor, dealer, other_dealer):
    mine = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer, name="Héctor Díaz"),
                                    plate="HDZ123A")
    factories.VehicleFactory(customer=factories.CustomerFactory(dealer=other_dealer, name="Héctor Otro"))
    client.force_login(advisor)
    fragment = client.get(url(dealer, "job_create"), {"q": "Héctor"}, **HTMX).content.decode()
    assert "Héctor Díaz" in fragment and "Héctor Otro" not in fragment
    assert f"?vehicle={mine.pk}" in fragment
    form = client.get(url(dealer, "job_create"), {"vehicle": mine.pk}).content.decode()
    assert "Book the job" in form


def test_booking_another_dealers_vehicle_is_not_found(client, advisor, dealer, other_dealer):
    theirs = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=other_dealer))
    client.force_login(advisor)
    assert client.get(url(dealer, "job_create"), {"vehicle": theirs.pk}).status_code == 404


def test_another_dealers_job_is_not_found_everywhere(dealer, other_dealer, neighbour, advisor, make_job, outsider):
    job = make_job()
    assert_not_found_for(neighbour, web=[url(dealer, "job_detail", job.pk), url(dealer, "job_board"),
                                         url(dealer, "job_step", job.pk, "arrive"),
                                         url(other_dealer, "job_detail", job.pk),
                                         url(other_dealer, "job_step", job.pk, "arrive")])
    assert_not_found_for(outsider, web=[url(dealer, "promise_dashboard")])


def test_hq_sees_any_dealers_jobs_and_dashboard(client, hq, dealer, make_job):
    job = make_job()
    client.force_login(hq)
    assert client.get(url(dealer, "job_detail", job.pk)).status_code == 200
    assert client.get(url(dealer, "promise_dashboard")).status_code == 200


def test_recording_a_new_car_handover_shows_its_sales_promises(client, manager, dealer, other_dealer):
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer, name="Paola Ruiz"),
                                       handover_date=None)
    theirs = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=other_dealer))
    client.force_login(manager)
    delivered_local = timezone.localtime(timezone=dealer.zone) - timedelta(hours=2)
    delivered = delivered_local.strftime("%Y-%m-%dT%H:%M")
    promised = (delivered_local.date() - timedelta(days=3)).isoformat()
    refused = client.post(url(dealer, "handover_list"), {"vin": theirs.vin, "promised_delivery_date": promised,
                                                         "delivered_at": delivered, "delivered_faultless": "on"})
    assert refused.status_code == 400
    assert "No vehicle with this VIN at this dealer" in refused.content.decode()
    response = client.post(url(dealer, "handover_list"), {
        "vin": vehicle.vin, "promised_delivery_date": promised, "delivered_at": delivered,
        "delivered_faultless": "on", "introduction_given": "on"}, follow=True)
    page = response.content.decode()
    assert "Paola Ruiz" in page
    assert 'text-bg-danger" title="Delivered 3 days after the promised date.' in page
    vehicle.refresh_from_db()
    assert vehicle.handover_date is not None


def test_booking_a_new_customer_with_the_phone_of_another_refuses_and_names_them(client, advisor, dealer):
    factories.CustomerFactory(dealer=dealer, name="Ana López", phone="+528112345678")
    client.force_login(advisor)
    response = client.post(url(dealer, "job_create"), {
        "name": "Jorge Díaz", "phone": "+52 81 1234 5678", "vin": "3AUXY2K70PN765432", "number": "RO-1",
        "work_category": "maintenance"})
    assert response.status_code == 400
    assert "is already the phone of Ana López" in response.content.decode()
    with unscoped():
        assert not Customer.objects.filter(name="Jorge Díaz").exists() and not Vehicle.objects.exists()
