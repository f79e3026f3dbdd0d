"""The audit-by-every-path test: a customer, a job and a complaint changed through a page, the API, a DMS import,
a Celery task, a management command's bulk update and raw SQL; each change is in the history with its value
before and after and who or what made it.

Transactional (each statement commits as in production), so no request's context can leak into the next write.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audit.models import ComplaintHistory, CustomerHistory, ServiceJobHistory
from complaints import services as complaint_services
from complaints.tasks import complaints_escalate_all
from customers.models import Customer
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def updates_of(history_model, record):
    """The record's update events, oldest first, as (changed values, context)."""
    with unscoped():
        events = history_model.objects.filter(pgh_obj_id=record.pk, pgh_label="update").order_by("pgh_id")
        return [(event.pgh_diff, event.pgh_context or {}) for event in events]


class BulkDoNotContact(BaseCommand):
    """A maintenance command that flags customers in one ``queryset.update()`` (no save(), no signals)."""

    def add_arguments(self, parser):
        parser.add_argument("pk", type=int)

    def handle(self, *args, **options):
        with unscoped():
            Customer.objects.filter(pk=options["pk"]).update(do_not_contact=True, do_not_contact_reason="Bulk fix")


def test_every_way_of_changing_a_record_leaves_its_before_and_after_in_the_history(
        client, api_as, manager, advisor, dealer, make_job):
    customer = factories.CustomerFactory(dealer=dealer, name="Jorge Díaz", phone="+528199990000", email="",
                                         language="es")

    # 1. A page: the manager renames the customer.
    client.force_login(manager)
    page = client.post(reverse("customer_update", args=[dealer.network.slug, dealer.code, customer.pk]),
                       {"name": "Jorge Díaz Leal", "phone": "+528199990000", "language": "es",
                        "contact_consent": "on"})
    assert page.status_code == 302

    # 2. The API, with a token (the user is known only inside the view).
    api = api_as(advisor).patch(reverse("customer-detail", args=[customer.pk]), {"email": "jorge@example.com"},
                                format="json")
    assert api.status_code == 200, api.json()

    # 3. A management command's bulk update.
    call_command(BulkDoNotContact(), str(customer.pk))

    # 4. Raw SQL, outside anything the application knows.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE customers_customer SET phone = %s WHERE id = %s", ["+528111112222", customer.pk])

    (by_page, page_context), (by_api, api_context), (by_command, command_context), (by_sql, sql_context) = (
        updates_of(CustomerHistory, customer))
    assert by_page == {"name": ["Jorge Díaz", "Jorge Díaz Leal"]}
    assert (page_context["user"], page_context["email"], page_context["method"]) == (
        manager.pk, "manager@example.com", "POST")
    assert page_context["url"] == f"/n/{dealer.network.slug}/d/{dealer.code}/customers/{customer.pk}/edit/"
    assert page_context["request_id"]
    assert by_api == {"email": ["", "jorge@example.com"]}
    assert (api_context["user"], api_context["email"]) == (advisor.pk, "advisor@example.com")
    assert api_context["url"] == f"/api/v1/customers/{customer.pk}/"
    assert by_command == {"do_not_contact": [False, True], "do_not_contact_reason": ["", "Bulk fix"]}
    assert command_context == {"command": "test_every_path"}
    assert by_sql == {"phone": ["+528199990000", "+528111112222"]}
    assert sql_context == {}


def test_an_import_and_a_task_are_recorded_with_the_task_that_made_them(
        api_as, advisor, dealer, make_job, manager):
    job = make_job(number="RO-AUD-1")
    data = ("job_number,customer_name,vin,work_category,mileage\n"
            f"RO-AUD-1,{job.customer.name},{job.vehicle.vin},maintenance,45000\n"
            "RO-AUD-2,Ana Pérez,3AUXY2K70PN000101,repair,\n").encode()

    # 5. A DMS import through the API: the upload is queued, then processed by its task (eagerly here).
    response = api_as(advisor).post(reverse("job-import-csv"), {"file": SimpleUploadedFile("dms.csv", data)},
                                    format="multipart")
    assert response.status_code == 202, response.json()
    [(changed, context)] = updates_of(ServiceJobHistory, job)
    assert changed == {"mileage": [None, 45000]}
    assert context["task"] == "servicejobs.tasks.job_import_process" and context["task_id"]
    assert context["email"] == "advisor@example.com"  # the upload's request, in which the task ran
    with unscoped():
        created = CustomerHistory.objects.get(name="Ana Pérez", pgh_label="insert")
    assert created.pgh_context["task"] == "servicejobs.tasks.job_import_process"

    # 6. A beat task: the escalation ladder climbs one rung on an overdue complaint.
    with tenant_scope(TenantScope.for_dealer(dealer)):
        complaint = complaint_services.complaint_log(
            dealer=dealer, customer=factories.CustomerFactory(dealer=dealer, name="Rosa Garza"), department="service",
            channel="phone", words="Nadie me ha llamado", received_at=timezone.now() - timedelta(days=5))
    complaints_escalate_all.delay()
    escalated = [(changed, context) for changed, context in updates_of(ComplaintHistory, complaint)
                 if "escalation_level" in changed]
    assert len(escalated) == 1
    changed, context = escalated[0]
    assert changed["escalation_level"] == [0, 1]
    assert context["task"] == "complaints.tasks.complaints_escalate_for_dealer" and context["task_id"]
    assert context.get("email") is None
