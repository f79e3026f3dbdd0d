"""Nobody edits or deletes history through the product; only history_redact erases a person's values from it."""

import pghistory
import pytest
from django.contrib import admin
from django.db import connection, transaction
from django.db.utils import InternalError, ProgrammingError

from audit.models import CustomerHistory, VehicleHistory
from audit.services import history_redact
from audit.tracking import HISTORY_MODELS
from customers.models import Customer
from dealer_portal.tenancy.scoping import unscoped
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

REFUSED = (ProgrammingError, InternalError)


@pytest.fixture
def changed_customer(dealer):
    customer = factories.CustomerFactory(dealer=dealer, name="Lucía Torres", email="lucia@example.com",
                                         phone="+528112345678")
    factories.VehicleFactory(customer=customer, vin="3AUXY2K70PN123456", plate="XYZ123A")
    with unscoped():
        Customer.objects.filter(pk=customer.pk).update(name="Lucía Torres Vega")
    return customer


def test_history_rows_cannot_be_updated_or_deleted(changed_customer):
    with unscoped():
        for attempt in (lambda: CustomerHistory.objects.filter(pgh_obj_id=changed_customer.pk).update(name="x"),
                        lambda: CustomerHistory.objects.filter(pgh_obj_id=changed_customer.pk).delete()):
            with pytest.raises(REFUSED, match="Cannot update or delete rows"), transaction.atomic():
                attempt()
        assert CustomerHistory.objects.filter(pgh_obj_id=changed_customer.pk).count() == 2


def test_raw_sql_cannot_rewrite_history_either(changed_customer):
    with pytest.raises(REFUSED, match="Cannot update or delete rows"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_customerhistory")


def test_the_admin_offers_no_page_that_could_change_history():
    # The history is read on the records' pages and the audit trail; the admin has no form for it.
    assert not [event_model for event_model in HISTORY_MODELS.values() if event_model in admin.site._registry]


def test_history_redact_erases_a_persons_values_everywhere_in_the_history(changed_customer, dealer):
    other = factories.CustomerFactory(dealer=dealer, name="Ana López", email="ana@example.com")
    changed = history_redact(values=["Lucía Torres", "lucia@example.com", "+528112345678", "3AUXY2K70PN123456", ""])
    assert changed == 3  # the customer's creation and rename, and the vehicle's creation
    with unscoped():
        created, renamed = CustomerHistory.objects.filter(pgh_obj_id=changed_customer.pk).order_by("pgh_id")
        assert (created.name, created.email, created.phone) == ("[erased]", "[erased]", "[erased]")
        assert renamed.name == "[erased] Vega"
        assert renamed.pgh_diff == {"name": ["[erased]", "[erased] Vega"]}
        [vehicle] = VehicleHistory.objects.filter(customer_id=changed_customer.pk)
        assert (vehicle.vin, vehicle.plate) == ("[erased]", "XYZ123A")
        untouched = CustomerHistory.objects.get(pgh_obj_id=other.pk)
        assert (untouched.name, untouched.email) == ("Ana López", "ana@example.com")
    # The history is append-only again afterwards.
    with pytest.raises(REFUSED), transaction.atomic(), unscoped():
        CustomerHistory.objects.filter(pgh_obj_id=changed_customer.pk).delete()


def test_history_redact_also_erases_values_in_the_recorded_context(dealer):
    with pghistory.context(email="lucia@example.com", url="/search?q=Lucía Torres"):
        customer = factories.CustomerFactory(dealer=dealer, name="Someone")
    history_redact(values=["Lucía Torres", "lucia@example.com"], replacement="***")
    with unscoped():
        event = CustomerHistory.objects.get(pgh_obj_id=customer.pk)
    assert event.pgh_context["email"] == "***" and event.pgh_context["url"] == "/search?q=***"
