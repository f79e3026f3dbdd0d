"""The retention period: a network that sets one has its inactive customers anonymised by a beat task; the default
is off."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from complaints.services import complaint_log
from customers.models import Customer
from datarights.models import RETENTION_REASON, DataRightsAction
from datarights.selectors import customer_records
from datarights.tasks import customers_retention_all
from dealer_portal.celery import app
from dealer_portal.tenancy.models import Network
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from servicejobs import services as job_services
from tests import factories
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db


def customer_with_a_job(dealer, advisor, *, name: str, days_ago: int) -> Customer:
    """A customer whose car was serviced, every moment of it (and of the customer) ``days_ago`` days back."""
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer, name=name))
    with tenant_scope(TenantScope.for_dealer(dealer)):
        job = job_services.job_create(dealer=dealer, number=f"RO-{name}", customer=vehicle.customer, vehicle=vehicle,
                                      advisor=advisor, work_category="maintenance",
                                      appointment_at=timezone.now() - timedelta(minutes=5))
        walk_to(job, "handover")
        records = customer_records(vehicle.customer)
    shift = timedelta(days=days_ago)
    with unscoped():
        for model, rows in [(Customer, [vehicle.customer]), *records.groups.items()]:
            moments = {field.attname: F(field.attname) - shift for field in model._meta.concrete_fields
                       if isinstance(field, models.DateTimeField)}
            model._base_manager.filter(pk__in=[row.pk for row in rows]).update(**moments)
    return vehicle.customer


def names(dealer):
    with unscoped():
        return sorted(Customer.objects.filter(dealer=dealer).values_list("name", flat=True))


@pytest.fixture
def retention(network):
    with unscoped():
        Network.objects.filter(pk=network.pk).update(customer_retention_days=365)


def test_inactive_customers_are_anonymised_when_the_network_has_a_retention_period(
        dealer, advisor, retention):
    old = customer_with_a_job(dealer, advisor, name="Old", days_ago=400)
    recent = customer_with_a_job(dealer, advisor, name="Recent", days_ago=200)
    customers_retention_all()
    assert names(dealer) == sorted([f"#{old.pk}", "Recent"]) and recent.pk != old.pk
    with unscoped():
        action = DataRightsAction.objects.get()
    assert (action.customer_id, action.kind, action.reason, action.by) == (old.pk, "erase", RETENTION_REASON, None)
    assert action.reason_text == "retention period"


def test_any_recent_activity_keeps_a_customer(dealer, advisor, retention):
    complained = customer_with_a_job(dealer, advisor, name="Complained", days_ago=400)
    changed = customer_with_a_job(dealer, advisor, name="Changed", days_ago=400)
    with tenant_scope(TenantScope.for_dealer(dealer)):
        complaint_log(dealer=dealer, customer=complained, department="service", channel="phone", by=advisor,
                      words="Still noisy")
    with unscoped():
        Customer.objects.filter(pk=changed.pk).update(updated_at=timezone.now() - timedelta(days=3))
    customers_retention_all()
    assert names(dealer) == ["Changed", "Complained"]


def test_without_a_retention_period_nobody_is_anonymised(dealer, advisor, network):
    assert network.customer_retention_days is None  # off by default
    customer_with_a_job(dealer, advisor, name="Old", days_ago=4000)
    customers_retention_all()
    assert names(dealer) == ["Old"]
    with unscoped():
        assert not DataRightsAction.objects.exists()


def test_another_networks_period_does_not_apply_here(dealer, advisor, foreign_dealer, other_network):
    with unscoped():
        Network.objects.filter(pk=other_network.pk).update(customer_retention_days=30)
    customer_with_a_job(dealer, advisor, name="Old", days_ago=400)
    foreign = customer_with_a_job(foreign_dealer, None, name="Foreign", days_ago=400)
    customers_retention_all()
    assert (names(dealer), names(foreign_dealer)) == (["Old"], [f"#{foreign.pk}"])


def test_running_the_task_twice_erases_once(dealer, advisor, retention):
    customer_with_a_job(dealer, advisor, name="Old", days_ago=400)
    customers_retention_all()
    customers_retention_all()
    with unscoped():
        assert DataRightsAction.objects.count() == 1


def test_the_task_is_scheduled_by_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["datarights-customers-retention"]
    assert entry["task"] in app.tasks


def test_a_network_admin_sets_the_period_where_the_network_is_edited(client, network_admin, network):
    client.force_login(network_admin)
    address = reverse("admin:tenancy_network_change", args=[network.pk])
    assert 'name="customer_retention_days"' in client.get(address).content.decode()
    form = {"slug": network.slug, "name": network.name, "time_zone": network.time_zone,
            "default_language": network.default_language, "content_languages": "[]",
            "api_token_days": network.api_token_days}
    refused = client.post(address, {**form, "customer_retention_days": "7"})
    assert refused.status_code == 200 and "greater than or equal to 30" in refused.content.decode()
    assert client.post(address, {**form, "customer_retention_days": "730"}).status_code == 302
    with unscoped():
        assert Network.objects.get(pk=network.pk).customer_retention_days == 730
