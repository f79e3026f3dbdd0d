"""/api/v1/customers/ and /api/v1/vehicles/: creating and updating go through the customer services, so an
update is refused exactly where a create is (a phone or VIN already at the dealer, implausible dates)."""

import pytest
from django.urls import reverse

from customers.models import Customer, Vehicle
from dealer_portal.tenancy.scoping import unscoped
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_phone_already_used_at_the_dealer_is_a_field_error_on_create_and_update(api_as, advisor, dealer,
                                                                                  other_dealer):
    factories.CustomerFactory(dealer=dealer, name="Ana López", phone="+528112345678")
    factories.CustomerFactory(dealer=other_dealer, name="Elsewhere", phone="+528133333333")
    api = api_as(advisor)

    created = api.post(reverse("customer-list"), {"name": "Jorge Díaz", "phone": "+52 81 1234 5678"}, format="json")
    assert created.status_code == 400
    assert created.json()["errors"] == {"phone": ["At this dealer +528112345678 is already the phone of Ana López: "
                                                  "find them instead of adding them again."]}

    jorge = api.post(reverse("customer-list"), {"name": "Jorge Díaz", "phone": "+528133333333"}, format="json")
    assert jorge.status_code == 201, jorge.json()  # another dealer's customer is no clash
    url = reverse("customer-detail", args=[jorge.json()["id"]])
    for method in ("patch", "put"):
        response = getattr(api, method)(url, {"name": "Jorge Díaz", "phone": "+528112345678"}, format="json")
        assert response.status_code == 400, method
        assert list(response.json()["errors"]) == ["phone"]
    with unscoped():
        assert Customer.objects.get(pk=jorge.json()["id"]).phone == "+528133333333"
    assert api.patch(url, {"phone": "+52 81 3333 3333", "email": "jorge@example.com"},
                     format="json").status_code == 200  # their own number is no clash


def test_a_vin_already_at_the_dealer_is_a_field_error_on_update(api_as, advisor, dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    factories.VehicleFactory(customer=customer, vin="3AUXY2K70PN000001")
    mine = factories.VehicleFactory(customer=customer, vin="3AUXY2K70PN000002")
    response = api_as(advisor).patch(reverse("vehicle-detail", args=[mine.pk]), {"vin": "3auxy2k70pn000001"},
                                     format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"vin": ["A vehicle with this VIN is already registered at this dealer."]}


@pytest.mark.parametrize("handover_date", ["2999-12-31", "0001-01-01"])
def test_an_implausible_handover_date_is_refused_on_create_and_update(api_as, advisor, dealer, handover_date):
    customer = factories.CustomerFactory(dealer=dealer)
    vehicle = factories.VehicleFactory(customer=customer, handover_date=None)
    api = api_as(advisor)
    created = api.post(reverse("vehicle-list"), {"customer": customer.pk, "vin": "3AUXY2K70PN000777",
                                                 "handover_date": handover_date}, format="json")
    assert created.status_code == 400
    assert list(created.json()["errors"]) == ["handover_date"]
    updated = api.patch(reverse("vehicle-detail", args=[vehicle.pk]), {"handover_date": handover_date},
                        format="json")
    assert updated.status_code == 400
    assert updated.json()["errors"] == created.json()["errors"]
    with unscoped():
        assert Vehicle.objects.get(pk=vehicle.pk).handover_date is None


def test_moving_a_vehicle_to_another_dealers_customer_is_refused_like_a_missing_one(api_as, advisor, dealer,
                                                                                     other_dealer):
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    theirs = factories.CustomerFactory(dealer=other_dealer)
    response = api_as(advisor).patch(reverse("vehicle-detail", args=[vehicle.pk]), {"customer": theirs.pk},
                                     format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["customer"] == [f'Invalid pk "{theirs.pk}" - object does not exist.']
