"""Compliments: one service records and corrects them, so an edit is checked exactly like a new one."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from complaints import services
from complaints.models import Compliment
from dealer_portal.tenancy.scoping import unscoped
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def compliment(in_dealer, dealer, advisor, representative):
    return services.compliment_record(dealer=dealer, department="service", channel="survey", person=advisor,
                                      words="Ana fue muy amable", by=representative)


def detail(compliment):
    return reverse("compliment-detail", args=[compliment.pk])


def stored(compliment):
    with unscoped():
        return Compliment.objects.select_related("person").get(pk=compliment.pk)


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("stranger", ["neighbour", "outsider"])
def test_an_edit_cannot_praise_someone_of_another_dealer_or_network(api_as, representative, compliment, method,
                                                                   stranger, request):
    person = request.getfixturevalue(stranger)
    body = {"department": "service", "channel": "survey", "words": "Ana fue muy amable", "person": person.pk}
    response = getattr(api_as(representative), method)(detail(compliment), body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"]["person"]
    assert stored(compliment).person != person


def test_a_stranger_looks_like_someone_who_does_not_exist(api_as, representative, compliment, neighbour):
    api = api_as(representative)
    foreign = api.patch(detail(compliment), {"person": neighbour.pk}, format="json").json()["errors"]["person"]
    missing = api.patch(detail(compliment), {"person": 999999}, format="json").json()["errors"]["person"]
    created = api.post(reverse("compliment-list"), {"department": "service", "channel": "survey", "words": "x",
                                                    "person": neighbour.pk}, format="json").json()["errors"]["person"]
    assert foreign == missing == created


@pytest.mark.parametrize("method", ["post", "patch", "put"])
@pytest.mark.parametrize("when", ["2999-01-01T10:00:00Z", "0001-01-01T00:00:00Z"])
def test_an_implausible_date_is_refused_on_create_and_on_edit(api_as, representative, compliment, method, when):
    body = {"department": "service", "channel": "survey", "words": "Excelente", "received_at": when}
    url = reverse("compliment-list") if method == "post" else detail(compliment)
    response = getattr(api_as(representative), method)(url, body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"]["received_at"]
    assert stored(compliment).received_at.year not in (1, 2999)


@pytest.mark.parametrize("body", [{"words": ""}, {"words": "   "}, {"words": None}, {"department": None},
                                  {"channel": ""}, {"received_at": None}, {"customer": 999999}],
                         ids=lambda body: repr(body))
def test_empty_and_null_values_are_refused_on_edit(api_as, representative, compliment, body):
    response = api_as(representative).patch(detail(compliment), body, format="json")
    assert response.status_code == 400, response.json()
    assert set(response.json()["errors"]) == set(body)
    assert stored(compliment).words == "Ana fue muy amable"


def test_an_edit_through_the_api_keeps_the_checks_and_saves_what_passes(api_as, representative, compliment,
                                                                        manager):
    response = api_as(representative).patch(detail(compliment), {"person": manager.pk, "words": " Gracias "},
                                            format="json")
    assert response.status_code == 200, response.json()
    saved = stored(compliment)
    assert (saved.person, saved.words) == (manager, "Gracias")


def test_a_customer_of_another_dealer_is_refused_on_edit(api_as, representative, compliment, other_dealer):
    theirs = factories.CustomerFactory(dealer=other_dealer)
    response = api_as(representative).patch(detail(compliment), {"customer": theirs.pk}, format="json")
    assert response.status_code == 400
    assert stored(compliment).customer is None


@pytest.mark.parametrize("year", [1, 2999])
def test_the_figures_page_shows_whatever_date_is_stored(client, manager, dealer, compliment, year):
    from complaints.models import Complaint

    with unscoped():
        Compliment.objects.filter(pk=compliment.pk).update(received_at=datetime(year, 1, 2, tzinfo=UTC))
        complaint = services.complaint_log(dealer=dealer, customer=factories.CustomerFactory(dealer=dealer),
                                           department="service", channel="phone", words="x")
        Complaint.objects.filter(pk=complaint.pk).update(received_at=datetime(year, 1, 2, tzinfo=UTC))
    client.force_login(manager)
    response = client.get(reverse("complaint_dashboard", args=[dealer.network.slug, dealer.code]))
    assert response.status_code == 200
