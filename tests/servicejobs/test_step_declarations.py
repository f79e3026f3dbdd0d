"""Every declared step of a job (servicejobs/steps.py) is reachable from the page and from the API with the same
inputs, records the same on both, and is refused from a status it does not allow with the same message on both."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from servicejobs.api import STEP_PAYLOADS
from servicejobs.models import JobStatus, ServiceJob
from servicejobs.steps import STEPS
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db
S = JobStatus
HTMX = {"HTTP_HX_REQUEST": "true"}

# How to bring a new job to each status (through the steps, so every earlier milestone is recorded).
LAST_STEP_BEFORE = {S.BOOKED: None, S.ARRIVED: "estimate", S.IN_WORKSHOP: "start_work", S.READY: "ready",
                    S.DELIVERED: "handover"}


# Where a step keeps an input that is not a time (times are compared as set or not).
STORED = {("arrive", "with_customer"): "reception_with_customer", ("walkaround", "with_customer"):
          "walkaround_with_customer", ("estimate", "estimated_duration_minutes"): "estimated_duration_minutes",
          ("ready", "done_as_agreed"): "done_as_agreed", ("handover", "with_customer"): "handover_with_customer",
          ("handover", "invoice_explained"): "invoice_explained", ("handover", "advice_given"): "advice_given",
          ("handover", "mileage"): "mileage", ("cancel", "reason"): "close_reason"}


def inputs_of(name: str) -> dict:
    """Values for every input the step declares, none of them its default."""
    later = (timezone.now() + timedelta(hours=5)).isoformat()
    values = {"with_customer": False, "estimated_duration_minutes": 75, "promised_ready_at": later,
              "new_promised_at": (timezone.now() + timedelta(hours=6)).isoformat(), "reason": "Falta una pieza",
              "done_as_agreed": False, "invoice_explained": False, "advice_given": False, "mileage": 51_234}
    return {field: values[field] for field in STEPS[name].inputs.base_fields}


def job_in(status, make_job, dealer):
    with tenant_scope(TenantScope.for_dealer(dealer)), timezone.override(dealer.zone):
        job = make_job()
        return walk_to(job, LAST_STEP_BEFORE[status]) if LAST_STEP_BEFORE[status] else job


def recorded(job) -> dict:
    """What a job holds, with each time reduced to whether it is set (two paths run a moment apart)."""
    with unscoped():
        row = ServiceJob.objects.values().get(pk=job.pk)
    ignored = {"id", "number", "customer_id", "vehicle_id", "created_at", "updated_at", "repeat_of_id"}
    return {name: (value is not None) if name.endswith("_at") else value
            for name, value in row.items() if name not in ignored}


def test_every_step_declares_its_states_handler_and_inputs():
    for name, step in STEPS.items():
        assert step.allowed_from <= set(LAST_STEP_BEFORE), name
        assert callable(step.handler), name
        assert set(STEP_PAYLOADS[name]().fields) == {"at", *step.inputs.base_fields}, name


@pytest.mark.parametrize("name", list(STEPS))
def test_every_step_is_reachable_from_the_page_and_the_api_with_the_same_inputs(name, client, api_as, advisor,
                                                                                 dealer, make_job):
    step = STEPS[name]
    status = next(status for status in LAST_STEP_BEFORE if status in step.allowed_from)
    by_page, by_api = job_in(status, make_job, dealer), job_in(status, make_job, dealer)
    data = inputs_of(name)
    client.force_login(advisor)

    page = client.post(reverse("job_step", args=[dealer.network.slug, dealer.code, by_page.pk, name]),
                       {**data, "return_to": "job"}, **HTMX)
    api = api_as(advisor).post(reverse("job-step", args=[by_api.pk, name]), data, format="json")

    assert page.status_code == 200 and 'data-testid="step-error"' not in page.content.decode(), name
    assert api.status_code == 200, api.json()
    assert recorded(by_page) == recorded(by_api)
    assert recorded(by_page)["status"] == (step.leads_to or status)
    for field, value in data.items():  # each input reached the job: none was left to its default
        if (name, field) in STORED:
            assert recorded(by_page)[STORED[name, field]] == value, field


@pytest.mark.parametrize("name", list(STEPS))
def test_every_step_is_refused_from_a_status_it_does_not_allow_with_the_same_message(name, client, api_as, advisor,
                                                                                      dealer, make_job):
    step = STEPS[name]
    status = next(status for status in LAST_STEP_BEFORE if status not in step.allowed_from)
    by_page, by_api = job_in(status, make_job, dealer), job_in(status, make_job, dealer)
    before_page, before_api = recorded(by_page), recorded(by_api)
    data = inputs_of(name)
    client.force_login(advisor)

    page = client.post(reverse("job_step", args=[dealer.network.slug, dealer.code, by_page.pk, name]),
                       {**data, "return_to": "job"}, **HTMX)
    api = api_as(advisor).post(reverse("job-step", args=[by_api.pk, name]), data, format="json")

    assert api.status_code == 400
    [message] = api.json()["errors"]["step"]
    assert message.startswith(f"“{step.label}” is not possible now: ")
    assert f'data-testid="step-error">{html.escape(message)}<' in page.content.decode()
    assert (recorded(by_page), recorded(by_api)) == (before_page, before_api)
