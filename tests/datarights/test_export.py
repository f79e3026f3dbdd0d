"""The export: one JSON file and one printable page with every kind of record the platform holds about a customer."""

import json

import pytest
from django.urls import reverse

from accounts.models import User
from datarights.models import DataRightsAction
from datarights.selectors import customer_foreign_keys

from .conftest import EMAIL, NAME, VIN

pytestmark = pytest.mark.django_db

KINDS = ["customers.vehicle", "servicejobs.servicejob", "servicejobs.promisecheck", "servicejobs.saleshandover",
         "complaints.complaint", "complaints.timelineentry", "complaints.compliment", "followups.followupcall",
         "followups.callattempt", "followups.callanswer", "outbox.email"]


def export_url(dealer, customer, file_format):
    return reverse(f"customer_data_export_{file_format}", args=[dealer.network.slug, dealer.code, customer.pk])


def test_the_json_export_holds_every_kind_of_record(client, manager, dealer, everything):
    client.force_login(manager)
    response = client.get(export_url(dealer, everything.customer, "json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="customer-NTE-001-')
    document = json.loads(response.content)
    assert (document["customer"]["name"], document["customer"]["email"]) == (NAME, EMAIL)
    assert document["customer"]["language"] == "es" and document["customer"]["contact_consent"] is True
    records = document["records"]
    assert set(KINDS) <= set(records)
    assert records["customers.vehicle"][0]["vin"] == VIN
    assert records["complaints.complaint"][0]["words"].startswith(f"Soy {NAME}")
    assert {entry["kind"] for entry in records["complaints.timelineentry"]} >= {"note"}
    assert records["followups.callanswer"][0]["overall"] == 4
    assert [email["to"] for email in records["outbox.email"] if email["purpose"] == "followups-answer-link"] == [EMAIL]
    assert records["servicejobs.servicejob"][0]["delivered_at"]  # the milestones, at full precision


def test_every_model_that_points_at_a_customer_is_exported(client, manager, dealer, everything):
    client.force_login(manager)
    records = json.loads(client.get(export_url(dealer, everything.customer, "json")).content)["records"]
    pointing = {key.model._meta.label_lower for key in customer_foreign_keys()}
    assert pointing <= set(records)
    assert len(records["followups.followupcall"]) == 2  # after the service and after the new car's handover


def test_the_printable_export_is_in_the_readers_language(client, manager, dealer, everything):
    User.objects.filter(pk=manager.pk).update(language="es")
    client.force_login(manager)
    response = client.get(export_url(dealer, everything.customer, "html"))
    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert f"Datos que se guardan sobre {NAME}" in page
    for heading in ("Vehículos", "Órdenes de reparación", "Quejas", "Felicitaciones", "Llamadas de seguimiento",
                    "Respuestas de la llamada", "Correos"):
        assert heading in page, heading
    assert VIN in page and "Sra. Quiroga called back" in page


def test_each_download_is_recorded(client, network_admin, dealer, everything):
    client.force_login(network_admin)
    client.get(export_url(dealer, everything.customer, "json"))
    client.get(export_url(dealer, everything.customer, "html"))
    actions = DataRightsAction.objects.filter(customer_id=everything.customer.pk)
    assert [(action.kind, action.by) for action in actions] == [("export", network_admin)] * 2
    assert actions[0].counts["complaints.complaint"] == 1
