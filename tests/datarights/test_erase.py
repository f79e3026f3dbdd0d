"""Erasing a customer: their personal values leave every table, their records stay as anonymous records."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from complaints.models import Complaint, TimelineEntry
from customers.models import Customer, Vehicle
from datarights.models import DataRightsAction
from datarights.services import customer_erase
from followups.models import CallAnswer, FollowUpCall
from servicejobs.models import ServiceJob

from .conftest import EMAIL, NAME, NEW_CAR_VIN, PERSONAL_VALUES, PHONE, VIN

pytestmark = pytest.mark.django_db


def tables_mentioning(value: str) -> list[str]:
    """Every table of the database with a row that contains ``value`` anywhere (case ignored)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(f"SELECT 1 FROM {quoted} AS t WHERE row_to_json(t)::text ILIKE %s LIMIT 1",
                               [f"%{value}%"])
                if cursor.fetchone():
                    found.append(table)
            else:
                cursor.execute(f"SELECT * FROM {quoted}")
                if any(value.lower() in str(row).lower() for row in cursor.fetchall()):
                    found.append(table)
    return found


def test_the_fixture_names_the_customer_in_many_tables(everything):
    assert len(tables_mentioning(NAME)) >= 5  # the search below would find what erasure left behind


@pytest.mark.parametrize("value", [NAME, PHONE, EMAIL, VIN, NEW_CAR_VIN])
def test_after_erasure_no_table_holds_the_customers_personal_values(everything, manager, value):
    customer_erase(customer=everything.customer, reason="The customer asked by email on 3 May", by=manager)
    assert tables_mentioning(value) == []


def test_the_records_stay_as_anonymous_records(everything, manager):
    customer = everything.customer
    counts_before = [model.objects.count() for model in (ServiceJob, Complaint, TimelineEntry, FollowUpCall,
                                                         CallAnswer, Vehicle)]
    customer_erase(customer=customer, reason="Asked at the counter", by=manager)
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.email, customer.do_not_contact) == (
        f"#{customer.pk}", "", "", True)
    for vehicle in Vehicle.objects.filter(customer=customer):
        assert (vehicle.vin, vehicle.plate) == (f"ERASED{vehicle.pk:011d}", "")
    assert [model.objects.count() for model in (ServiceJob, Complaint, TimelineEntry, FollowUpCall, CallAnswer,
                                                Vehicle)] == counts_before
    complaint = Complaint.objects.get(pk=everything.complaint.pk)
    assert complaint.words == "Soy […], el coche […] sigue con ruido. Escríbanme a […]."
    assert TimelineEntry.objects.filter(complaint=complaint, body="Sra. […] called back from […].").exists()
    assert CallAnswer.objects.get(call=everything.call).comments == "[…] dice que su placa […] quedó bien."


def test_the_erasure_is_recorded_with_who_why_and_counts(everything, manager):
    action = customer_erase(customer=everything.customer, reason=f"{NAME} asked for it", by=manager)
    assert (action.kind, action.customer_id, action.by, action.reason) == (
        "erase", everything.customer.pk, manager, "[…] asked for it")
    assert action.counts["servicejobs.servicejob"] == 1 and action.counts["complaints.complaint"] == 1
    assert action.counts["texts_redacted"] > 0


def test_erasing_twice_is_harmless(everything, manager):
    first = customer_erase(customer=everything.customer, reason="Asked", by=manager)
    second = customer_erase(customer=everything.customer, reason="Asked again", by=manager)
    assert second == first
    assert DataRightsAction.objects.filter(kind="erase").count() == 1
    assert Customer.objects.get(pk=everything.customer.pk).name == f"#{everything.customer.pk}"


def test_an_erasure_needs_a_reason(everything, manager):
    with pytest.raises(ValidationError) as refused:
        customer_erase(customer=everything.customer, reason="   ", by=manager)
    assert refused.value.message_dict == {"reason": ["Say why the customer's data is erased."]}
    assert Customer.objects.get(pk=everything.customer.pk).name == NAME


def test_other_customers_are_untouched(everything, manager, dealer):
    from tests import factories

    other = factories.CustomerFactory(dealer=dealer, name="Rodrigo Salinas", phone="+528100000077")
    customer_erase(customer=everything.customer, reason="Asked", by=manager)
    other.refresh_from_db()
    assert (other.name, other.phone) == ("Rodrigo Salinas", "+528100000077")


@pytest.mark.parametrize("value", PERSONAL_VALUES)
def test_every_value_is_in_the_database_before(everything, value):
    assert tables_mentioning(value)
