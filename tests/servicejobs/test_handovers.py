"""New-car handovers: one per car and dealer, recorded all or nothing, whichever door (page, API) and however often
the same handover is sent (a double tap, a retried request)."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from followups.models import FollowUpCall
from servicejobs import services
from servicejobs.models import SalesHandover
from servicejobs.signals import delivery_recorded
from tests import factories

pytestmark = pytest.mark.django_db


def page_url(dealer) -> str:
    return reverse("handover_list", args=[dealer.network.slug, dealer.code])


def page_form(dealer, vehicle) -> dict:
    delivered = timezone.localtime(timezone=dealer.zone) - timedelta(hours=2)
    return {"vin": vehicle.vin, "promised_delivery_date": delivered.date().isoformat(),
            "delivered_at": delivered.strftime("%Y-%m-%dT%H:%M"), "delivered_faultless": "on",
            "introduction_given": "on"}


def api_payload(vehicle) -> dict:
    yesterday = timezone.now() - timedelta(days=1)
    return {"customer": vehicle.customer_id, "vehicle": vehicle.pk,
            "promised_delivery_date": yesterday.date().isoformat(), "delivered_at": yesterday.isoformat(),
            "delivered_faultless": True, "introduction_given": True}


def counts(vehicle) -> tuple[int, int]:
    with unscoped():
        return (SalesHandover.objects.filter(vehicle=vehicle).count(),
                FollowUpCall.objects.filter(sales_handover__vehicle=vehicle).count())


@pytest.fixture
def new_car(dealer):
    return factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer, name="Paola Ruiz"),
                                    handover_date=None)


def test_the_same_handover_sent_twice_from_the_page_is_recorded_once(client, manager, dealer, new_car):
    client.force_login(manager)
    first = client.post(page_url(dealer), page_form(dealer, new_car), follow=True)
    second = client.post(page_url(dealer), page_form(dealer, new_car), follow=True)
    assert first.status_code == second.status_code == 200
    assert "Handover of" in first.content.decode() and "recorded." in first.content.decode()
    assert "was already recorded" in second.content.decode()
    assert counts(new_car) == (1, 1)


def test_the_same_handover_sent_twice_through_the_api_answers_the_existing_one(api_as, advisor, new_car):
    api = api_as(advisor)
    first = api.post(reverse("handover-list"), api_payload(new_car), format="json")
    retried = api.post(reverse("handover-list"), api_payload(new_car), format="json")
    assert (first.status_code, retried.status_code) == (201, 200), retried.json()
    assert retried.json() == first.json()
    assert counts(new_car) == (1, 1)


def test_a_handover_the_follow_up_refuses_is_not_half_saved_on_the_page(client, manager, dealer, new_car):
    def refuse(sender, **kwargs):
        raise ValidationError({"delivered_at": "The follow-up cannot be scheduled."})

    delivery_recorded.connect(refuse, sender=SalesHandover, dispatch_uid="test.refuse")
    try:
        client.force_login(manager)
        response = client.post(page_url(dealer), page_form(dealer, new_car))
    finally:
        delivery_recorded.disconnect(dispatch_uid="test.refuse", sender=SalesHandover)
    assert response.status_code == 400
    assert "The follow-up cannot be scheduled." in response.content.decode()
    assert counts(new_car) == (0, 0)
    new_car.refresh_from_db()
    assert new_car.handover_date is None


def test_the_database_keeps_one_handover_per_car_and_dealer(dealer, new_car, in_dealer):
    handover, created = services.handover_record(dealer=dealer, vehicle=new_car,
                                                 promised_delivery_date=timezone.localdate(),
                                                 delivered_at=timezone.now() - timedelta(hours=1),
                                                 delivered_faultless=True, introduction_given=True)
    assert created
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesHandover.objects.create(dealer=dealer, customer=new_car.customer, vehicle=new_car,
                                     promised_delivery_date=handover.promised_delivery_date,
                                     delivered_at=handover.delivered_at, delivered_faultless=True,
                                     introduction_given=True)


@pytest.mark.parametrize("change", [{"delivered_at": "0001-01-01T00:00:00Z"},
                                    {"delivered_at": "2999-12-31T12:00:00Z"},
                                    {"promised_delivery_date": "2999-12-31"},
                                    {"promised_delivery_date": "0001-01-01"}])
def test_implausible_dates_are_refused_on_create_and_update(api_as, advisor, dealer, new_car, change):
    api = api_as(advisor)
    refused = api.post(reverse("handover-list"), {**api_payload(new_car), **change}, format="json")
    assert refused.status_code == 400 and set(refused.json()["errors"]) == set(change)
    created = api.post(reverse("handover-list"), api_payload(new_car), format="json")
    url = reverse("handover-detail", args=[created.json()["id"]])
    for method, body in (("patch", change), ("put", {**api_payload(new_car), **change})):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 400, method
        assert set(response.json()["errors"]) == set(change)
    assert api.get(url).json() == created.json()


def test_a_handover_corrected_through_the_api_keeps_its_car_and_time(api_as, advisor, dealer, new_car):
    other = factories.VehicleFactory(customer=new_car.customer)
    api = api_as(advisor)
    created = api.post(reverse("handover-list"), api_payload(new_car), format="json").json()
    url = reverse("handover-detail", args=[created["id"]])
    corrected = api.patch(url, {"delivered_faultless": False}, format="json")
    assert corrected.status_code == 200
    assert {p["number"]: p["status"] for p in corrected.json()["promises"]}[8] == "broken"
    moved = api.patch(url, {"vehicle": other.pk}, format="json")
    assert moved.status_code == 400 and list(moved.json()["errors"]) == ["vehicle"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_handovers_of_the_same_car_at_once_make_one_handover_and_one_call(dealer, manager):
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer), handover_date=None)
    start = threading.Barrier(2)
    outcomes = []

    def record():
        try:
            with tenant_scope(TenantScope.for_dealer(dealer)):
                start.wait()
                _handover, created = services.handover_record(
                    dealer=dealer, vin=vehicle.vin, promised_delivery_date=timezone.localdate(),
                    delivered_at=timezone.now() - timedelta(minutes=5), delivered_faultless=True,
                    introduction_given=True, by=manager)
                outcomes.append(created)
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == [False, True]
    assert counts(vehicle) == (1, 1)
