"""Special-date contacts (c.1): a yearly purchase-anniversary contact for each new-car customer."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from followups.models import FollowUpCall
from followups.scheduling import anniversary_contacts_schedule
from tests import factories

pytestmark = pytest.mark.django_db


def at(day, dealer):
    return timezone.make_aware(datetime.combine(day, time(9)), dealer.zone)


def test_a_car_bought_a_year_ago_gets_its_anniversary_contact_once(in_dealer, dealer):
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer),
                                       handover_date=date(2025, 11, 25))
    factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer), handover_date=date(2025, 6, 1))
    assert anniversary_contacts_schedule(dealer=dealer, now=at(date(2026, 11, 20), dealer)) == 1
    assert anniversary_contacts_schedule(dealer=dealer, now=at(date(2026, 11, 21), dealer)) == 0
    call = FollowUpCall.objects.get(kind="anniversary")
    assert (call.vehicle, call.window_start, call.window_end) == (vehicle, date(2026, 11, 25), date(2026, 12, 1))


def test_a_car_bought_this_year_waits_for_next_year(in_dealer, dealer):
    factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer), handover_date=date(2026, 11, 1))
    assert anniversary_contacts_schedule(dealer=dealer, now=at(date(2026, 11, 2), dealer)) == 0


def test_a_leap_day_purchase_is_remembered_on_28_february(in_dealer, dealer):
    factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer), handover_date=date(2024, 2, 29))
    assert anniversary_contacts_schedule(dealer=dealer, now=at(date(2027, 2, 25), dealer)) == 1
    assert FollowUpCall.objects.get().window_start == date(2027, 2, 28)


def test_a_do_not_contact_customer_is_not_called_on_the_anniversary(in_dealer, dealer):
    customer = factories.CustomerFactory(dealer=dealer, do_not_contact=True, do_not_contact_reason="Pidió baja")
    factories.VehicleFactory(customer=customer, handover_date=date(2025, 12, 2))
    anniversary_contacts_schedule(dealer=dealer, now=at(date(2026, 11, 30), dealer))
    call = FollowUpCall.objects.get()
    assert (call.status, call.not_contacted_reason) == ("not_contacted", "Pidió baja")


def test_the_new_year_is_looked_ahead_across_31_december(in_dealer, dealer):
    factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer), handover_date=date(2025, 1, 3))
    assert anniversary_contacts_schedule(dealer=dealer, now=at(date(2026, 12, 29), dealer)) == 1
    assert FollowUpCall.objects.get().window_start == date(2027, 1, 3)
