"""The lists of the big tables (jobs, complaints, follow-up calls) page by cursor: a walk along ``next`` meets every
row once, a page never counts the rows, and a cursor that is not one of ours is a 400 on ``cursor``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from servicejobs import services
from servicejobs.models import ServiceJob
from tests import factories

pytestmark = pytest.mark.django_db

CURSOR_LISTS = ["job-list", "complaint-list", "followup-list"]


def _walk(api, url, **params):
    """Every page from the first along ``next``; the ids in the order met."""
    ids, response = [], api.get(url, params)
    while True:
        body = response.json()
        assert response.status_code == 200, body
        ids += [row["id"] for row in body["results"]]
        if body["next"] is None:
            return ids
        response = api.get(body["next"])


def test_a_walk_along_next_meets_every_job_once_even_when_jobs_share_a_creation_time(api_as, advisor, make_job,
                                                                                      settings):
    jobs = [make_job() for _ in range(7)]
    with unscoped():  # a bulk import: every row with the same timestamp
        ServiceJob.objects.filter(pk__in=[job.pk for job in jobs]).update(created_at=timezone.now())
    api = api_as(advisor)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr("dealer_portal.pagination.CursorPagination.page_size", 3)
        first = api.get(reverse("job-list")).json()
        assert len(first["results"]) == 3 and first["next"] and first["previous"] is None
        walked = _walk(api, reverse("job-list"))
        assert walked == sorted((job.pk for job in jobs), reverse=True)  # newest first, none twice, none missed
        second = api.get(first["next"]).json()
        assert [row["id"] for row in api.get(second["previous"]).json()["results"]] == walked[:3]


def test_a_filter_holds_on_every_page(api_as, advisor, make_job):
    booked = [make_job() for _ in range(4)]
    arrived = make_job()
    with tenant_scope(TenantScope.for_dealer(arrived.dealer)):
        services.job_step(job=arrived, step="arrive", by=advisor)
    api = api_as(advisor)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr("dealer_portal.pagination.CursorPagination.page_size", 2)
        assert sorted(_walk(api, reverse("job-list"), status="booked")) == sorted(job.pk for job in booked)


def test_another_dealers_jobs_never_appear_on_any_page(api_as, advisor, make_job, other_dealer, neighbour):
    mine = [make_job() for _ in range(3)]
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=other_dealer))
    with tenant_scope(TenantScope.for_dealer(other_dealer)):
        theirs = services.job_create(dealer=other_dealer, number="RO-X-1", customer=vehicle.customer,
                                     vehicle=vehicle, advisor=neighbour, work_category="maintenance",
                                     appointment_at=timezone.now())
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr("dealer_portal.pagination.CursorPagination.page_size", 2)
        walked = _walk(api_as(advisor), reverse("job-list"))
    assert sorted(walked) == sorted(job.pk for job in mine) and theirs.pk not in walked


@pytest.mark.parametrize("name", CURSOR_LISTS)
@pytest.mark.parametrize("cursor", ["", "abc", "bm90IG91cnM=", "cD1ub3RhbnVtYmVy"])  # the last two: base64 junk
def test_a_cursor_that_is_not_ours_is_a_400_on_cursor(api_as, representative, name, cursor):
    refused = api_as(representative).get(reverse(name), {"cursor": cursor})
    assert (refused.status_code, refused.json()) == (400, {"detail": "Invalid input.", "errors": {
        "cursor": ["Invalid cursor: follow the next and previous links of a page."]}})


@pytest.mark.parametrize("name", CURSOR_LISTS)
def test_a_cursor_page_counts_no_rows(api_as, representative, make_job, name):
    for _ in range(3):
        make_job()
    api = api_as(representative)
    api.get(reverse(name))  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as queries:
        body = api.get(reverse(name)).json()
    assert "count" not in body and {"next", "previous", "results"} <= set(body)
    assert not [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]


def test_the_schema_documents_the_cursor_and_the_links(api_as, advisor):
    schema = api_as(advisor).get(reverse("api-schema"), {"format": "json"}).json()
    for path in ("/api/v1/jobs/", "/api/v1/complaints/", "/api/v1/followups/"):
        operation = schema["paths"][path]["get"]
        assert "cursor" in {parameter["name"] for parameter in operation["parameters"]}
        assert "page" not in {parameter["name"] for parameter in operation["parameters"]}
        reference = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        properties = schema["components"]["schemas"][reference.rsplit("/", 1)[1]]["properties"]
        assert {"next", "previous", "results"} <= set(properties) and "count" not in properties, path
    customers = schema["paths"]["/api/v1/customers/"]["get"]
    assert "page" in {parameter["name"] for parameter in customers["parameters"]}  # the others keep page numbers
