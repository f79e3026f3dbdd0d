"""Importing service jobs from a DMS export (CSV): the service, then the upload page."""

import time
from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customers.models import Customer, Vehicle
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from servicejobs import services
from servicejobs.imports import jobs_import_csv
from servicejobs.models import JobStatus, PromiseCheck, ServiceJob
from tests import factories
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db

HEADER = ("job_number,customer_name,vin,work_category,customer_phone,customer_email,plate,make,model,advisor_email,"
          "appointment_at,arrived_at,greeted_at,promised_ready_at,ready_at,delivered_at,mileage,concern,status")
COLUMNS = HEADER.split(",")
VIN_A, VIN_B, VIN_C = "3AUXY2K70PN100001", "3AUXY2K70PN100002", "3AUXY2K70PN100003"


def line(**cells) -> str:
    """One CSV line in HEADER's column order; cells not given are empty."""
    values = []
    for column in COLUMNS:
        value = str(cells.get(column, ""))
        values.append(f'"{value}"' if any(char in value for char in ',"\n') else value)
    return ",".join(values)


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def good(number: str, vin: str = VIN_A, **cells) -> str:
    base = {"job_number": number, "customer_name": "Ana López", "vin": vin, "work_category": "maintenance",
            "customer_phone": "+52 81 1234 5678"}
    return line(**{**base, **cells})


def run_import(dealer, data: bytes, *, scope=None):
    with tenant_scope(scope or TenantScope.for_dealer(dealer)):
        return jobs_import_csv(dealer=dealer, data=data)


def jobs_of(dealer) -> dict[str, ServiceJob]:
    with unscoped():
        jobs = ServiceJob.objects.filter(dealer=dealer).select_related("customer", "vehicle", "advisor")
        return {job.number: job for job in jobs}


def row_counts() -> dict[str, int]:
    with unscoped():
        return {model.__name__: model.objects.count() for model in (ServiceJob, Customer, Vehicle, PromiseCheck)}


def promise_status(job, number: int) -> str:
    with unscoped():
        return PromiseCheck.objects.get(job=job, number=number).status


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# -- good rows ---------------------------------------------------------------------------------------------------


def test_good_rows_are_imported_with_dealer_local_times_stored_in_utc(dealer, advisor):
    data = csv_file(
        good("RO-1", customer_email="ana@example.com", plate="abc 123", make="Aurora", model="Lince",
             advisor_email="ADVISOR@Example.com", appointment_at="2026-03-02T09:30", arrived_at="2026-03-02 09:25",
             greeted_at="2026-03-02T09:28", promised_ready_at="2026-03-02T17:00", ready_at="2026-03-02T16:45",
             delivered_at="2026-03-02T18:05-06:00", mileage="45 200", concern="Service at 45,000 km"),
        good("RO-2", vin=VIN_B, customer_name="Jorge Díaz", customer_phone="", work_category="Repair",
             arrived_at="2026-03-03T15:00Z"),
    )
    report = run_import(dealer, data)

    assert (report.created, report.updated, report.unchanged, report.rejected, report.file_error) == (2, 0, 0, [], None)
    jobs = jobs_of(dealer)
    first, second = jobs["RO-1"], jobs["RO-2"]
    # Monterrey is six hours behind UTC: 09:30 there is 15:30 UTC.
    assert first.appointment_at == utc(2026, 3, 2, 15, 30)
    assert first.arrived_at == utc(2026, 3, 2, 15, 25)
    assert first.promised_ready_at == first.original_promised_ready_at == utc(2026, 3, 2, 23, 0)
    assert first.delivered_at == utc(2026, 3, 3, 0, 5)
    assert second.arrived_at == utc(2026, 3, 3, 15, 0)  # an explicit "Z" is UTC whatever the dealer's zone
    assert (first.status, second.status) == (JobStatus.DELIVERED, JobStatus.ARRIVED)
    assert (first.work_category, second.work_category) == ("maintenance", "repair")
    assert (first.advisor, first.mileage, first.concern) == (advisor, 45200, "Service at 45,000 km")
    assert (first.customer.name, first.customer.phone, first.customer.email) == (
        "Ana López", "+528112345678", "ana@example.com")
    assert (first.vehicle.vin, first.vehicle.plate, first.vehicle.model) == (VIN_A, "ABC 123", "Lince")
    assert first.customer.dealer_id == first.vehicle.dealer_id == dealer.pk
    assert promise_status(first, 1) == "kept"  # greeted two minutes before the appointment
    assert promise_status(first, 5) == "kept"  # ready 15 minutes before the promised time
    assert row_counts()["PromiseCheck"] == 18


def test_a_customer_is_matched_by_phone_and_a_vehicle_by_vin(dealer):
    known = factories.CustomerFactory(dealer=dealer, name="Ana López Ruiz", phone="+528112345678")
    vehicle = factories.VehicleFactory(customer=known, vin=VIN_A)
    report = run_import(dealer, csv_file(
        good("RO-1", vin=VIN_A, customer_name="ana  lópez ruiz", customer_phone="+52 (81) 1234-5678"),
        good("RO-2", vin=VIN_B, customer_name="Ana López Ruiz", customer_phone="+528112345678"),
        good("RO-3", vin=VIN_C, customer_name="Pedro Páramo", customer_phone=""),
        good("RO-4", vin="3AUXY2K70PN100004", customer_name="Pedro Páramo", customer_phone=""),
    ))
    assert report.created == 4, report.rejected
    jobs = jobs_of(dealer)
    assert jobs["RO-1"].vehicle == vehicle and jobs["RO-1"].customer == known
    assert jobs["RO-2"].customer == known  # same phone: the same customer, with a second vehicle
    assert jobs["RO-3"].customer == jobs["RO-4"].customer  # no phone: matched by name
    assert row_counts()["Customer"] == 2


def test_a_repeat_repair_is_linked_to_the_earlier_job_whatever_the_order_of_the_file(dealer):
    report = run_import(dealer, csv_file(
        good("RO-LATER", work_category="repair", arrived_at="2026-03-20 08:00"),
        good("RO-EARLIER", work_category="repair", arrived_at="2026-03-05 08:00", ready_at="2026-03-05 15:00",
             delivered_at="2026-03-05 17:00"),
    ))
    assert report.created == 2
    jobs = jobs_of(dealer)
    assert jobs["RO-LATER"].repeat_of == jobs["RO-EARLIER"]
    assert promise_status(jobs["RO-EARLIER"], 6) == "broken"  # the car came back for the same work


# -- bad rows ----------------------------------------------------------------------------------------------------


def test_bad_rows_are_reported_with_their_line_and_reason_while_good_rows_are_kept(dealer, advisor, neighbour):
    owner = factories.CustomerFactory(dealer=dealer, name="Carlos Ruiz")
    factories.VehicleFactory(customer=owner, vin=VIN_C)
    data = csv_file(
        good("RO-10", concern="Noise at the\nfront left"),  # lines 2 and 3: a quoted value spans two lines
        good("RO-11", vin="12345"),
        good("RO-12", vin=VIN_B, customer_phone="81 1234 5678"),
        good("RO-13", vin=VIN_B, work_category="painting"),
        good("RO-14", vin=VIN_B, status="finished"),
        good("RO-15", vin=VIN_B, arrived_at="yesterday"),
        good("RO-16", vin=VIN_B, arrived_at="2026-03-02 09:30", greeted_at="2026-03-02 09:00"),
        good("RO-17", vin=VIN_B, arrived_at="2026-03-02 09:30", ready_at="2026-03-02 16:00",
             delivered_at="2026-03-02 15:00"),
        good("RO-18", vin=VIN_B, arrived_at="2099-01-01 09:00"),
        good("RO-19", vin=VIN_B, advisor_email="neighbour@example.com"),
        good("RO-20", vin=VIN_C, customer_name="Otra Persona", customer_phone=""),
        good("RO-10", vin=VIN_B),
        good("RO-21", vin=VIN_B, status="delivered", arrived_at="2026-03-02 09:30"),
        good("RO-22", vin=VIN_B, advisor_email="advisor@example.com", arrived_at="2026-03-02 09:30"),
    )
    report = run_import(dealer, data)

    reasons = {rejected.line: (rejected.job_number, rejected.reason) for rejected in report.rejected}
    assert sorted(reasons) == list(range(4, 16))
    expected = {
        4: ("RO-11", "vin: A VIN has exactly 17 characters; this one has 5."),
        5: ("RO-12", "customer_phone: Enter the number in international format, for example +52 55 1234 5678."),
        6: ("RO-13", "work_category: “painting” is not one of: maintenance, repair,"),
        7: ("RO-14", "status: “finished” is not one of: booked, arrived,"),
        8: ("RO-15", "arrived_at: “yesterday” is not a date and time"),
        9: ("RO-16", "greeted_at (2026-03-02 09:00) is before arrived_at (2026-03-02 09:30)."),
        10: ("RO-17", "delivered_at (2026-03-02 15:00) is before ready_at (2026-03-02 16:00)."),
        11: ("RO-18", "arrived_at (2099-01-01 09:00) is in the future."),
        12: ("RO-19", "advisor_email: Nobody with the email neighbour@example.com works at this dealer."),
        13: ("RO-20", f"vin: at this dealer the vehicle {VIN_C} belongs to Carlos Ruiz, not to Otra Persona."),
        14: ("RO-10", "job_number: RO-10 is already on line 2 of this file."),
        15: ("RO-21", "status delivered needs a time in delivered_at."),
    }
    for number, (job_number, reason) in expected.items():
        assert reasons[number][0] == job_number
        assert reasons[number][1].startswith(reason), reasons[number][1]
    assert report.created == 2
    jobs = jobs_of(dealer)
    assert set(jobs) == {"RO-10", "RO-22"}
    assert jobs["RO-10"].concern == "Noise at the\nfront left"
    assert jobs["RO-10"].vehicle.vin == VIN_A  # the duplicate on line 14 did not overwrite it
    assert jobs["RO-22"].advisor == advisor
    with unscoped():
        assert Vehicle.objects.get(vin=VIN_C).customer == owner


def test_a_status_that_contradicts_the_times_is_rejected(dealer):
    report = run_import(dealer, csv_file(
        good("RO-1", status="delivered", arrived_at="2026-03-02 09:30"),
        good("RO-2", status="booked", arrived_at="2026-03-02 09:30", ready_at="2026-03-02 12:00"),
        good("RO-3", status="in_workshop", arrived_at="2026-03-02 09:30"),
        good("RO-4", status="Cancelled"),
    ))
    assert [(row.line, row.reason) for row in report.rejected] == [
        (2, "status delivered needs a time in delivered_at."),
        (3, "status booked contradicts ready_at, which says the job is ready."),
    ]
    jobs = jobs_of(dealer)
    assert (jobs["RO-3"].status, jobs["RO-4"].status) == (JobStatus.IN_WORKSHOP, JobStatus.CANCELLED)


def test_a_row_that_does_not_line_up_with_the_header_is_rejected(dealer):
    shifted = good("RO-2", vin=VIN_B, concern="CONCERN").replace("CONCERN", "Noise, rattle")  # unquoted comma
    report = run_import(dealer, csv_file(good("RO-1"), shifted))
    assert report.created == 1
    assert [(row.line, row.job_number) for row in report.rejected] == [(3, "RO-2")]
    assert "do not line up with the header (20 values, 19 columns)" in report.rejected[0].reason


def test_a_local_time_skipped_by_a_clock_change_is_rejected(region):
    helsinki = factories.DealerFactory(region=region, time_zone="Europe/Helsinki")
    report = run_import(helsinki, csv_file(
        good("RO-1", arrived_at="2026-03-29 03:30"),  # clocks jump from 03:00 to 04:00
        good("RO-2", arrived_at="2026-03-29 04:30"),
    ))
    assert [(row.line, row.reason) for row in report.rejected] == [
        (2, "arrived_at: 2026-03-29 03:30 does not exist in Europe/Helsinki: the clocks changed then.")]
    assert jobs_of(helsinki)["RO-2"].arrived_at == utc(2026, 3, 29, 1, 30)


# -- importing again ---------------------------------------------------------------------------------------------


def test_the_same_file_twice_changes_nothing_the_second_time(dealer, advisor):
    data = csv_file(
        good("RO-1", advisor_email="advisor@example.com", appointment_at="2026-03-02T09:30",
             arrived_at="2026-03-02T09:25", promised_ready_at="2026-03-02T17:00", concern="Brakes"),
        good("RO-2", vin=VIN_B, customer_name="Jorge Díaz", customer_phone="", arrived_at="2026-03-03 10:00",
             ready_at="2026-03-03 12:00", delivered_at="2026-03-03 13:00"),
        good("RO-3", vin="bad"),
    )
    first = run_import(dealer, data)
    counts = row_counts()
    with unscoped():
        stamps = sorted(ServiceJob.objects.values_list("number", "updated_at"))
        checks = sorted(PromiseCheck.objects.values_list("pk", "status", "evaluated_at"))

    with CaptureQueriesContext(connection) as queries:
        second = run_import(dealer, data)

    assert (first.created, first.unchanged) == (2, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert second.rejected == first.rejected
    assert row_counts() == counts
    with unscoped():
        assert sorted(ServiceJob.objects.values_list("number", "updated_at")) == stamps
        assert sorted(PromiseCheck.objects.values_list("pk", "status", "evaluated_at")) == checks
    writes = [query["sql"] for query in queries.captured_queries
              if query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


def test_a_changed_row_updates_that_job_and_its_promises(dealer):
    before = good("RO-1", arrived_at="2026-03-02 09:30", promised_ready_at="2026-03-02 15:00")
    other = good("RO-2", vin=VIN_B, arrived_at="2026-03-02 10:00")
    run_import(dealer, csv_file(before, other))
    untouched = jobs_of(dealer)["RO-2"].updated_at
    assert promise_status(jobs_of(dealer)["RO-1"], 5) == "broken"  # not ready at 15:00 and that has passed

    after = good("RO-1", arrived_at="2026-03-02 09:30", promised_ready_at="2026-03-02 15:00",
                 ready_at="2026-03-02 14:50", mileage="30000")
    report = run_import(dealer, csv_file(after, other))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    jobs = jobs_of(dealer)
    assert (jobs["RO-1"].status, jobs["RO-1"].ready_at, jobs["RO-1"].mileage) == (
        JobStatus.READY, utc(2026, 3, 2, 20, 50), 30000)
    assert promise_status(jobs["RO-1"], 5) == "kept"
    assert jobs["RO-2"].updated_at == untouched


def test_an_empty_cell_never_erases_what_the_advisor_recorded(dealer, advisor):
    data = csv_file(good("RO-1", arrived_at="2026-03-02 09:30", status="arrived"))
    run_import(dealer, data)
    job = jobs_of(dealer)["RO-1"]
    with tenant_scope(TenantScope.for_dealer(dealer)):
        services.job_step(job=job, step="greet", at=utc(2026, 3, 2, 15, 33), by=advisor)
        services.job_step(job=job, step="start_work", at=utc(2026, 3, 2, 15, 45), by=advisor)

    report = run_import(dealer, csv_file(good("RO-1", arrived_at="2026-03-02 09:30")))

    assert report.unchanged == 1
    job = jobs_of(dealer)["RO-1"]
    assert job.greeted_at == utc(2026, 3, 2, 15, 33)
    assert job.status == JobStatus.IN_WORKSHOP  # without a status cell the import never moves a job back


def test_times_that_clash_with_what_is_stored_are_rejected(dealer):
    run_import(dealer, csv_file(good("RO-1", arrived_at="2026-03-02 09:30", ready_at="2026-03-02 16:00")))
    report = run_import(dealer, csv_file(good("RO-1", delivered_at="2026-03-02 15:00")))
    assert [(row.line, row.reason) for row in report.rejected] == [
        (2, "With what is already stored for this job: delivered_at (2026-03-02 15:00) is before ready_at "
            "(2026-03-02 16:00).")]
    assert jobs_of(dealer)["RO-1"].delivered_at is None


# -- whole-file refusals -----------------------------------------------------------------------------------------


def test_missing_and_unknown_columns_refuse_the_whole_file(dealer):
    report = run_import(dealer, csv_file("RO-1,Ana,red", header="job_number,customer_name,colour"))
    assert report.file_error.startswith("Required columns are missing: vin, work_category. Unknown columns: colour.")
    repeated = run_import(dealer, csv_file(good("RO-1") + ",x", header=HEADER + ",VIN"))
    assert repeated.file_error == "These columns appear more than once: vin."
    assert (report.created, report.rejected, repeated.created) == (0, [], 0)
    assert row_counts()["ServiceJob"] == 0


def test_column_names_ignore_capitals_and_surrounding_spaces(dealer):
    header = " Job_Number ,CUSTOMER_NAME, Vin ,Work_Category"
    report = run_import(dealer, csv_file(f"RO-1,Ana López,{VIN_A},repair", header=header))
    assert (report.file_error, report.created) == (None, 1)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "latin-1", "cp1252"])
def test_a_file_that_is_not_utf8_is_refused(dealer, encoding):
    data = (HEADER + "\n" + good("RO-1", customer_name="José Peña") + "\n").encode(encoding)
    report = run_import(dealer, data)
    assert report.file_error == "The file is not UTF-8 text: save it as CSV UTF-8 and upload again."
    assert row_counts()["ServiceJob"] == 0


def test_a_semicolon_file_saved_by_excel_with_a_byte_order_mark_is_read(dealer):
    data = "\ufeff" + "\r\n".join([
        "job_number;customer_name;vin;work_category;arrived_at;concern",
        f"RO-1;José Peña;{VIN_A};repair;2026-03-02 09:30;Ruido, al frenar",
        f"RO-2;Ana López;{VIN_B};tyres;;",
    ]) + "\r\n"
    report = run_import(dealer, data.encode())
    assert (report.file_error, report.created, report.rejected) == (None, 2, [])
    job = jobs_of(dealer)["RO-1"]
    assert (job.customer.name, job.concern, job.arrived_at) == ("José Peña", "Ruido, al frenar",
                                                                utc(2026, 3, 2, 15, 30))


def test_a_file_with_too_many_rows_is_refused_quickly_without_importing_anything(dealer):
    rows = "".join(f"RO-{n},Customer {n},3AUXY2K70PN{n:06d},repair\n" for n in range(100_000))
    data = ("job_number,customer_name,vin,work_category\n" + rows).encode()
    started = time.monotonic()
    report = run_import(dealer, data)
    assert time.monotonic() - started < 5
    assert report.file_error == "The file has 100,000 rows; the limit is 20,000 per upload: split it."
    assert row_counts()["ServiceJob"] == 0


def test_a_file_over_10_mb_is_refused(dealer):
    data = csv_file(good("RO-1", concern="x" * (10 * 1024 * 1024)))  # just over 10 MB with the rest of the row
    report = run_import(dealer, data)
    assert report.file_error == "The file is 10.1 MB; the limit is 10.0 MB per upload: split it."
    assert row_counts()["ServiceJob"] == 0


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (b"\xef\xbb\xbf\r\n\r\n", "The file is empty."),
    (b";;;\r\n;;;\r\n", "The file is empty."),
    ((HEADER + "\n\n").encode(), "The file has a header line but no rows below it."),
    (csv_file('RO-1,"Ana', header="job_number,customer_name,vin,work_category"),
     "The file could not be read as CSV from line 2"),
])
def test_an_empty_or_broken_file_is_refused_with_a_clear_message(dealer, data, message):
    report = run_import(dealer, data)
    assert report.file_error.startswith(message)


def test_the_report_as_json(dealer):
    report = run_import(dealer, csv_file(good("RO-1"), good("RO-2", vin="bad")))
    assert report.as_dict() == {
        "created": 1, "updated": 0, "unchanged": 0, "file_error": None,
        "rejected": [{"line": 3, "job_number": "RO-2", "reason": "vin: A VIN has exactly 17 characters; this one "
                                                                 "has 3."}],
    }


# -- tenancy -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["dealer", "network"])
def test_a_vin_and_job_number_at_another_dealer_are_left_alone(dealer, other_dealer, network, scope):
    theirs = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=other_dealer, name="Otra Persona"),
                                      vin=VIN_A)
    with unscoped():
        their_job = ServiceJob.objects.create(dealer=other_dealer, number="RO-1", customer=theirs.customer,
                                              vehicle=theirs, work_category="repair")
    counts_there = {"jobs": 1, "vehicles": 1, "customers": 1}
    stamp = their_job.updated_at
    # An API caller (HQ) may run in a scope that covers the whole network: the import still stays at its dealer.
    wide = TenantScope.for_network(network.pk) if scope == "network" else None

    report = run_import(dealer, csv_file(good("RO-1", vin=VIN_A, customer_name="Ana López")), scope=wide)

    assert (report.created, report.rejected) == (1, [])
    mine = jobs_of(dealer)["RO-1"]
    assert mine.vehicle != theirs and mine.vehicle.vin == VIN_A and mine.customer.name == "Ana López"
    with unscoped():
        assert {"jobs": ServiceJob.objects.filter(dealer=other_dealer).count(),
                "vehicles": Vehicle.objects.filter(dealer=other_dealer).count(),
                "customers": Customer.objects.filter(dealer=other_dealer).count()} == counts_there
        their_job.refresh_from_db()
        theirs.refresh_from_db()
    assert (their_job.vehicle_id, their_job.work_category, their_job.updated_at) == (theirs.pk, "repair", stamp)
    assert theirs.customer.name == "Otra Persona"


def test_the_import_refuses_a_dealer_outside_the_current_scope(dealer, other_dealer):
    with tenant_scope(TenantScope.for_dealer(other_dealer)), pytest.raises(PermissionDenied):
        jobs_import_csv(dealer=dealer, data=csv_file(good("RO-1")))
    assert row_counts()["ServiceJob"] == 0


# -- the upload page ---------------------------------------------------------------------------------------------


def page_url(dealer) -> str:
    return reverse("job_import", args=[dealer.network.slug, dealer.code])


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("jobs.csv", data, content_type="text/csv")


def test_the_page_shows_the_form_and_the_expected_columns(client, advisor, dealer):
    client.force_login(advisor)
    response = client.get(page_url(dealer))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
    for text in ("job_number", "advisor_email", "delivered_at", "America/Monterrey", "10.0 MB", "20,000 rows"):
        assert text in page, text


def test_uploading_shows_the_counts_and_every_rejected_line(client, advisor, dealer,
                                                            django_capture_on_commit_callbacks):
    client.force_login(advisor)
    data = csv_file(good("RO-1"), good("RO-2", vin=VIN_B, customer_phone="12"), good("RO-3", vin=VIN_C))
    with django_capture_on_commit_callbacks() as queued:  # the import task is sent after commit
        posted = client.post(page_url(dealer), {"file": upload(data)})
    assert posted.status_code == 302 and posted.url.startswith(page_url(dealer))  # the upload's own page
    waiting = client.get(posted.url).content.decode()
    assert 'data-testid="import-progress"' in waiting and "3 rows" in waiting
    for callback in queued:
        callback()
    response = client.get(posted.url)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="count-created">2<' in page
    assert 'data-testid="count-rejected">1<' in page
    assert "<td>3</td><td>RO-2</td><td>customer_phone: Enter the number in international format" in page
    assert set(jobs_of(dealer)) == {"RO-1", "RO-3"}

    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(page_url(dealer), {"file": upload(data)})
    again = client.get(second.url).content.decode()
    assert 'data-testid="count-unchanged">2<' in again and 'data-testid="count-created">0<' in again


def test_a_refused_file_or_no_file_is_answered_400_with_the_reason_in_the_page(client, manager, dealer):
    client.force_login(manager)
    refused = client.post(page_url(dealer), {"file": upload(csv_file(good("RO-1")).decode().encode("utf-16"))})
    assert refused.status_code == 400
    assert "The file is not UTF-8 text: save it as CSV UTF-8 and upload again." in refused.content.decode()
    assert 'data-testid="import-report"' not in refused.content.decode()
    too_big = client.post(page_url(dealer), {"file": upload(b"x" * (10 * 1024 * 1024 + 1))})
    assert too_big.status_code == 400
    assert "The file is 10.1 MB; the limit is 10.0 MB per upload: split it." in too_big.content.decode()
    missing = client.post(page_url(dealer), {})
    assert missing.status_code == 400
    assert "This field is required." in missing.content.decode()
    assert row_counts()["ServiceJob"] == 0


def test_another_dealers_staff_get_404_and_a_representative_403(client, dealer, advisor, neighbour, outsider,
                                                                 representative):
    assert_not_found_for(neighbour, web=[page_url(dealer)])
    assert_not_found_for(outsider, web=[page_url(dealer)])
    client.force_login(representative)
    assert client.get(page_url(dealer)).status_code == 403


# -- deliveries --------------------------------------------------------------------------------------------------


def test_imported_delivered_job_gets_its_follow_up_call(dealer):
    from datetime import date

    from followups.models import CallKind, FollowUpCall

    report = run_import(dealer, csv_file(
        good("RO-1", arrived_at="2026-03-02 09:30", ready_at="2026-03-02 16:00", delivered_at="2026-03-02 18:30"),
        good("RO-2", vin=VIN_B, arrived_at="2026-03-02 09:30")))

    assert report.created == 2, report.rejected
    delivered, open_job = jobs_of(dealer)["RO-1"], jobs_of(dealer)["RO-2"]
    with unscoped():
        call = FollowUpCall.objects.get(service_job=delivered)
        assert not FollowUpCall.objects.filter(service_job=open_job).exists()
        nine = PromiseCheck.objects.get(job=delivered, number=9)
    # Handed over on 2 March in Monterrey: the call is due from day 3 to day 5 of the dealer's calendar.
    assert (call.kind, call.window_start, call.window_end) == (CallKind.SERVICE, date(2026, 3, 5), date(2026, 3, 7))
    assert (call.customer_id, call.vehicle_id, call.delivered_at) == (
        delivered.customer_id, delivered.vehicle_id, delivered.delivered_at)
    assert nine.status == "pending"
    assert nine.reason == "Follow-up call due days 5 Mar–7 Mar."


def test_a_job_the_import_moves_to_delivered_gets_its_follow_up_call_once(dealer):
    from followups.models import FollowUpCall

    run_import(dealer, csv_file(good("RO-1", arrived_at="2026-03-02 09:30", ready_at="2026-03-02 16:00")))
    delivered = csv_file(good("RO-1", arrived_at="2026-03-02 09:30", ready_at="2026-03-02 16:00",
                              delivered_at="2026-03-02 18:30"))
    assert run_import(dealer, delivered).updated == 1
    assert run_import(dealer, delivered).unchanged == 1
    job = jobs_of(dealer)["RO-1"]
    with unscoped():
        assert FollowUpCall.objects.filter(service_job=job).count() == 1
        assert PromiseCheck.objects.get(job=job, number=9).reason.startswith("Follow-up call due")


# -- never two people in one -------------------------------------------------------------------------------------


def test_a_phone_of_another_person_rejects_the_row_and_the_same_file_again_changes_nothing(dealer):
    ana = factories.CustomerFactory(dealer=dealer, name="Ana López", phone="+528112345678")
    data = csv_file(
        good("RO-1", vin=VIN_A, customer_name="Ana López"),
        good("RO-2", vin=VIN_B, customer_name="Jorge Díaz"),  # Ana's phone, someone else's name
        good("RO-3", vin=VIN_C, customer_name="Pedro Páramo", customer_phone="+528187654321"),
    )

    first = run_import(dealer, data)

    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert [(row.line, row.job_number, row.reason) for row in first.rejected] == [
        (3, "RO-2", "customer_phone: at this dealer +528112345678 is the phone of Ana López, not of Jorge Díaz: "
                    "correct the name or the phone in the file, or the customer in the portal.")]
    jobs = jobs_of(dealer)
    assert set(jobs) == {"RO-1", "RO-3"} and jobs["RO-1"].customer == ana
    with unscoped():
        assert not Vehicle.objects.filter(vin=VIN_B).exists()
        assert not Customer.objects.filter(name="Jorge Díaz").exists()
    counts = row_counts()

    second = run_import(dealer, data)

    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert second.rejected == first.rejected
    assert row_counts() == counts


def test_a_vin_held_by_another_customer_is_never_moved_to_the_row(dealer):
    owner = factories.CustomerFactory(dealer=dealer, name="Ana López", phone="+528112345678")
    factories.VehicleFactory(customer=owner, vin=VIN_A)
    namesake = factories.CustomerFactory(dealer=dealer, name="Ana López", phone="+528199999999")

    report = run_import(dealer, csv_file(good("RO-1", vin=VIN_A, customer_phone="+528199999999")))

    assert report.created == 0
    assert [(row.line, row.reason) for row in report.rejected] == [
        (2, f"vin: at this dealer the vehicle {VIN_A} belongs to Ana López (+528112345678), not to the customer "
            "with the phone +528199999999.")]
    with unscoped():
        assert Vehicle.objects.get(vin=VIN_A).customer == owner
        assert not ServiceJob.objects.filter(customer=namesake).exists()
