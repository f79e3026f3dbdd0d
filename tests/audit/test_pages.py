"""What people see of the history: the panel on a record's page (HQ and managers, not advisors or
representatives) and the network admin's audit trail (search, CSV export, never another network's)."""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import CustomerHistory
from complaints import services as complaint_services
from customers import services as customer_services
from dealer_portal.tenancy.calendar import local_today
from dealer_portal.tenancy.models import Role
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from scoring.models import ChecklistItem
from scoring.services import assessment_score, assessment_start, checklist_import
from tests import factories
from tests.cross_tenant import assert_not_found_for
from tests.scoring.conftest import SMALL_POE

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def page_url(dealer, name, *args):
    return reverse(name, args=[dealer.network.slug, dealer.code, *args])


@pytest.fixture
def renamed(dealer, manager, client):
    """Jorge Díaz, renamed Jorge Díaz Leal by the manager through the customer's edit page."""
    customer = factories.CustomerFactory(dealer=dealer, name="Jorge Díaz", phone="+528199990000", email="",
                                         language="es")
    client.force_login(manager)
    response = client.post(page_url(dealer, "customer_update", customer.pk), {
        "name": "Jorge Díaz Leal", "phone": "+528199990000", "language": "es", "contact_consent": "on"})
    assert response.status_code == 302
    client.logout()
    return customer


@pytest.fixture
def other_admin(foreign_dealer, other_network):
    user = factories.UserFactory(email="admin@borealis.example.com", is_staff=True)
    factories.MembershipFactory(user=user, network=other_network, role=Role.NETWORK_ADMIN)
    return user


def test_hq_and_the_manager_see_who_changed_what_on_the_customers_page(client, renamed, dealer, hq, manager):
    for reader in (hq, manager):
        client.force_login(reader)
        page = client.get(page_url(dealer, "customer_detail", renamed.pk)).content.decode()
        assert 'data-testid="history-panel"' in page, reader
        assert "Jorge Díaz → Jorge Díaz Leal" in page
        assert "manager@example.com" in page
        assert f"POST /n/{dealer.network.slug}/d/{dealer.code}/customers/{renamed.pk}/edit/" in page


def test_advisors_and_representatives_see_no_history_panel(client, renamed, dealer, advisor, representative):
    for reader in (advisor, representative):
        client.force_login(reader)
        page = client.get(page_url(dealer, "customer_detail", renamed.pk)).content.decode()
        assert "Jorge Díaz Leal" in page
        assert 'data-testid="history-panel"' not in page and "manager@example.com" not in page


def test_the_panel_reads_in_the_users_language(client, renamed, dealer, manager):
    manager.language = "es"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    page = client.get(page_url(dealer, "customer_detail", renamed.pk)).content.decode()
    assert "Historial de cambios" in page
    assert "Nombre: Jorge Díaz → Jorge Díaz Leal" in page


def test_a_job_a_complaint_and_an_assessment_show_their_history_and_their_parts(
        client, dealer, manager, hq, network, make_job):
    job = make_job(number="RO-HIST-1", mileage=1000)
    with tenant_scope(TenantScope.for_dealer(dealer)):
        complaint = complaint_services.complaint_log(
            dealer=dealer, customer=job.customer, department="service", channel="phone", words="Nadie me llamó")
    with tenant_scope(TenantScope.for_network(network.pk)):
        template = checklist_import(network=network, data=SMALL_POE)
        assessment = assessment_start(dealer=dealer, template=template, month=local_today(network), by=hq)
        item = ChecklistItem.objects.get(section__template=template, code="SP.1")
        assessment_score(assessment=assessment, item=item, points=4)
        assessment_score(assessment=assessment, item=item, points=7)  # a draft's points changed
    with unscoped():
        type(job).objects.filter(pk=job.pk).update(mileage=1500)
    client.force_login(manager)
    job_page = client.get(page_url(dealer, "job_detail", job.pk)).content.decode()
    assert "1000 → 1500" in job_page
    complaint_page = client.get(page_url(dealer, "complaint_detail", complaint.pk)).content.decode()
    assert 'data-testid="history-panel"' in complaint_page and "Nadie me llamó" in complaint_page
    client.force_login(hq)
    assessment_page = client.get(page_url(dealer, "scoring_assessment", assessment.pk)).content.decode()
    assert "4 → 7" in assessment_page  # the item score's change, on the assessment's page
    assert f"Auditor: {hq}" in assessment_page  # a foreign key reads as the row it points to


def test_the_panel_says_when_this_installation_keeps_no_history(client, renamed, dealer, manager, monkeypatch):
    monkeypatch.setattr("audit.templatetags.audit.history_recorded", lambda: False)
    client.force_login(manager)
    page = client.get(page_url(dealer, "customer_detail", renamed.pk)).content.decode()
    assert "This installation keeps no change history: it needs PostgreSQL" in page


def test_the_network_admin_searches_the_trail_by_type_user_date_and_text(client, renamed, dealer, network,
                                                                         network_admin, make_job):
    make_job(number="RO-TRAIL-1")
    client.force_login(network_admin)
    trail = reverse("audit_trail", args=[network.slug])
    everything = client.get(trail).content.decode()
    assert "Jorge Díaz → Jorge Díaz Leal" in everything and "RO-TRAIL-1" in everything

    customers_only = client.get(trail, {"record_type": "customers.customer"}).content.decode()
    assert "Jorge Díaz Leal" in customers_only and "RO-TRAIL-1" not in customers_only
    by_manager = client.get(trail, {"user": "manager@example.com"}).content.decode()
    assert "Jorge Díaz Leal" in by_manager and "RO-TRAIL-1" not in by_manager
    by_text = client.get(trail, {"text": "díaz leal"}).content.decode()
    assert "Jorge Díaz Leal" in by_text and "RO-TRAIL-1" not in by_text
    today = local_today(network).isoformat()
    assert "Jorge Díaz Leal" in client.get(trail, {"date_from": today, "date_to": today}).content.decode()
    assert "Jorge Díaz Leal" not in client.get(trail, {"date_to": "2020-01-01"}).content.decode()

    refused = client.get(trail, {"date_from": today, "date_to": "2020-01-01"})
    assert refused.status_code == 400
    assert "The end date must not be before the start date." in refused.content.decode()


def test_the_trail_exports_each_change_with_its_before_and_after_as_csv(client, renamed, network, network_admin):
    client.force_login(network_admin)
    response = client.get(reverse("audit_trail_export", args=[network.slug]), {"record_type": "customers.customer"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    renames = [row for row in rows if row["Field"] == "name" and row["Action"] == "changed"]
    assert [(row["Before"], row["After"], row["User"]) for row in renames] == [
        ("Jorge Díaz", "Jorge Díaz Leal", "manager@example.com")]
    assert {row["Record type"] for row in rows} == {"customer"}


def test_only_network_admins_reach_the_trail(client, network, hq, manager):
    for person in (hq, manager):
        client.force_login(person)
        assert client.get(reverse("audit_trail", args=[network.slug])).status_code in (403, 404)


def test_another_networks_trail_and_record_history_are_not_found(client, renamed, network, other_network,
                                                                 other_admin, network_admin):
    record = ("customers.customer", renamed.pk)
    assert_not_found_for(other_admin, web=[
        reverse("audit_trail", args=[network.slug]),
        reverse("audit_trail_export", args=[network.slug]),
        reverse("audit_record_history", args=[network.slug, *record]),
        reverse("audit_record_history", args=[other_network.slug, *record]),  # their own URL, our record
    ])
    client.force_login(other_admin)
    theirs = client.get(reverse("audit_trail", args=[other_network.slug])).content.decode()
    assert "Jorge Díaz" not in theirs and "manager@example.com" not in theirs
    client.force_login(network_admin)
    ours = client.get(reverse("audit_record_history", args=[network.slug, *record])).content.decode()
    assert "Jorge Díaz → Jorge Díaz Leal" in ours


def test_history_rows_carry_their_dealer_so_the_scope_reads_them(renamed, dealer, other_dealer):
    with tenant_scope(TenantScope.for_dealer(other_dealer)):
        assert not CustomerHistory.objects.filter(pgh_obj_id=renamed.pk).exists()
    with tenant_scope(TenantScope.for_dealer(dealer)):
        assert CustomerHistory.objects.filter(pgh_obj_id=renamed.pk).count() == 2  # created, then renamed


def test_a_customer_created_through_the_service_is_recorded_with_its_values(in_dealer, dealer):
    customer = customer_services.customer_create(dealer=dealer, name="Rosa Garza", phone="+528112340000")
    [created] = CustomerHistory.objects.filter(pgh_obj_id=customer.pk)
    assert (created.pgh_label, created.name, created.phone, created.dealer_id) == (
        "insert", "Rosa Garza", "+528112340000", dealer.pk)
