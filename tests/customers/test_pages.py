"""Customer pages: search, detail, and the vehicle form's tenant-scoped choices."""

import pytest
from django.urls import reverse

from customers.models import Customer, Vehicle
from dealer_portal.tenancy.scoping import unscoped
from tests import factories
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db


def url(dealer, name, *args):
    return reverse(name, args=[dealer.network.slug, dealer.code, *args])


def test_search_finds_a_customer_by_plate_phone_or_vin(client, advisor, dealer, other_dealer):
    customer = factories.CustomerFactory(dealer=dealer, name="Lucía Torres", phone="+528112345678")
    factories.VehicleFactory(customer=customer, plate="XYZ123A", vin="3AUXY2K70PN123456")
    factories.CustomerFactory(dealer=other_dealer, name="Lucía Otra", phone="+528112345678")
    client.force_login(advisor)
    for query in ("Lucía", "xyz123a", "3AUXY2K70PN123456", "8112345678"):
        page = client.get(url(dealer, "customer_list"), {"q": query}).content.decode()
        assert "Lucía Torres" in page, query
        assert "Lucía Otra" not in page, query


def test_another_dealers_customer_is_not_found_under_my_dealer(advisor, dealer, other_dealer):
    theirs = factories.CustomerFactory(dealer=other_dealer)
    assert_not_found_for(advisor, web=[url(dealer, "customer_detail", theirs.pk),
                                       url(other_dealer, "customer_detail", theirs.pk)])


def test_vehicle_form_refuses_another_dealers_customer_like_a_missing_one(client, advisor, dealer, other_dealer):
    theirs = factories.CustomerFactory(dealer=other_dealer)
    client.force_login(advisor)
    response = client.post(url(dealer, "vehicle_create"), {"customer": theirs.pk, "vin": "3AUXY2K70PN000001"})
    assert response.status_code == 400
    assert "Select a valid choice. That choice is not one of the available choices." in response.content.decode()
    with unscoped():
        assert not Vehicle.objects.exists()


def test_vehicle_form_shows_vin_errors_and_duplicates_in_the_page(client, advisor, dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    factories.VehicleFactory(customer=customer, vin="3AUXY2K70PN000001")
    client.force_login(advisor)
    bad = client.post(url(dealer, "vehicle_create"), {"customer": customer.pk, "vin": "12345"})
    assert "A VIN has exactly 17 characters; this one has 5." in bad.content.decode()
    duplicate = client.post(url(dealer, "vehicle_create"), {"customer": customer.pk, "vin": "3auxy2k70pn000001"})
    assert duplicate.status_code == 400
    assert "A vehicle with this VIN is already registered at this dealer." in duplicate.content.decode()


def test_adding_a_vehicle_returns_to_the_customer(client, advisor, dealer):
    customer = factories.CustomerFactory(dealer=dealer, name="Jorge Díaz")
    client.force_login(advisor)
    response = client.post(url(dealer, "vehicle_create"), {"customer": customer.pk, "vin": "3AUXY2K70PN000009",
                                                           "plate": "abc 123", "make": "Aurora"}, follow=True)
    assert response.redirect_chain[-1][0] == url(dealer, "customer_detail", customer.pk)
    assert "3AUXY2K70PN000009" in response.content.decode()


def test_customer_list_runs_a_fixed_number_of_queries(client, advisor, dealer, django_assert_max_num_queries):
    for _ in range(30):
        factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    client.force_login(advisor)
    client.get(url(dealer, "customer_list"))
    with django_assert_max_num_queries(12):
        response = client.get(url(dealer, "customer_list"))
    assert response.content.decode().count("list-group-item-action") == 30


def test_adding_a_customer_refuses_a_phone_already_at_the_dealer(client, advisor, dealer):
    factories.CustomerFactory(dealer=dealer, name="Ana López", phone="+528112345678")
    client.force_login(advisor)
    refused = client.post(url(dealer, "customer_create"), {"name": "Jorge Díaz", "phone": "+52 81 1234 5678",
                                                           "language": "es", "contact_consent": "on"})
    assert refused.status_code == 400
    assert "is already the phone of Ana López" in refused.content.decode()
    response = client.post(url(dealer, "customer_create"), {"name": "Jorge Díaz", "phone": "+52 81 9999 0000",
                                                            "language": "es", "contact_consent": "on"}, follow=True)
    with unscoped():
        jorge = Customer.objects.get(name="Jorge Díaz")
    assert response.redirect_chain[-1][0] == url(dealer, "customer_detail", jorge.pk)
    assert (jorge.dealer, jorge.phone, jorge.contact_consent) == (dealer, "+528199990000", True)


def test_editing_a_customer_records_do_not_contact_and_keeps_phones_unique(client, representative, dealer):
    factories.CustomerFactory(dealer=dealer, name="Ana López", phone="+528112345678")
    jorge = factories.CustomerFactory(dealer=dealer, name="Jorge Díaz", phone="+528199990000")
    client.force_login(representative)
    page = client.get(url(dealer, "customer_update", jorge.pk)).content.decode()
    assert 'value="Jorge Díaz"' in page
    refused = client.post(url(dealer, "customer_update", jorge.pk), {"name": "Jorge Díaz", "phone": "+528112345678",
                                                                     "language": "es"})
    assert refused.status_code == 400 and "is already the phone of Ana López" in refused.content.decode()
    client.post(url(dealer, "customer_update", jorge.pk), {
        "name": "Jorge Díaz", "phone": "+528199990000", "language": "es", "do_not_contact": "on",
        "do_not_contact_reason": "Asked on the phone"})
    jorge.refresh_from_db()
    assert (jorge.do_not_contact, jorge.do_not_contact_reason, jorge.contact_consent) == (
        True, "Asked on the phone", False)


def test_editing_a_vehicle_refuses_a_vin_already_at_the_dealer(client, advisor, dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    factories.VehicleFactory(customer=customer, vin="3AUXY2K70PN000001")
    mine = factories.VehicleFactory(customer=customer, vin="3AUXY2K70PN000002", plate="OLD123")
    client.force_login(advisor)
    refused = client.post(url(dealer, "vehicle_update", mine.pk), {"customer": customer.pk,
                                                                   "vin": "3AUXY2K70PN000001"})
    assert refused.status_code == 400
    assert "A vehicle with this VIN is already registered at this dealer." in refused.content.decode()
    client.post(url(dealer, "vehicle_update", mine.pk), {"customer": customer.pk, "vin": "3AUXY2K70PN000002",
                                                         "plate": "new 456"})
    mine.refresh_from_db()
    assert mine.plate == "NEW 456"


def test_another_dealers_customer_and_vehicle_cannot_be_edited(advisor, dealer, other_dealer):
    theirs = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=other_dealer))
    assert_not_found_for(advisor, web=[url(dealer, "customer_update", theirs.customer_id),
                                       url(dealer, "vehicle_update", theirs.pk)])
