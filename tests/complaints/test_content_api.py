"""A network admin edits the network's complaint categories and standard answers, and their translations,
through the API; the people who use them then read them in their language. Nobody else may, and another
network's row is not there at all."""

import pytest
from django.urls import reverse

from complaints.models import ComplaintCategory, StandardAnswer
from dealer_portal.tenancy.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def bilingual(network):
    """The test network writes in English and Spanish, English first."""
    network.content_languages = ["es"]
    network.save(update_fields=["content_languages"])
    return network


@pytest.fixture
def late(bilingual):
    area = ComplaintCategory.objects.create(network=bilingual, name="Service",
                                            translations={"es": {"name": "Servicio"}})
    return ComplaintCategory.objects.create(network=bilingual, parent=area, name="Delivery time")


@pytest.fixture
def answer(late):
    return StandardAnswer.objects.create(network=late.network, category=late, title="Car not ready on time",
                                         body="We are sorry your car was late.")


def _category_url(category):
    return reverse("complaint-category-detail", args=[category.pk])


def _answer_url(answer):
    return reverse("standard-answer-detail", args=[answer.pk])


def test_a_spanish_translation_patched_by_the_network_admin_is_what_a_spanish_reader_sees(
        api_as, network_admin, representative, client, dealer, late):
    saved = api_as(network_admin).patch(_category_url(late), {"translations": {"es": {"name": " Retraso "}}},
                                        format="json")
    assert saved.status_code == 200, saved.json()
    assert (saved.json()["name"], saved.json()["translations"]) == ("Delivery time", {"es": {"name": "Retraso"}})

    representative.language = "es"
    representative.save(update_fields=["language"])
    client.force_login(representative)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    customer = factories.CustomerFactory(dealer=dealer)
    log_page = reverse("complaint_log", args=[dealer.network.slug, dealer.code])
    form = client.get(log_page, {"customer": customer.pk}).content.decode()
    assert "Servicio › Retraso" in form and "Delivery time" not in form


def test_a_renamed_category_reads_renamed_for_an_english_reader(api_as, network_admin, advisor, late):
    assert api_as(network_admin).patch(_category_url(late), {"name": "Late delivery"},
                                       format="json").status_code == 200
    listed = api_as(advisor).get(reverse("complaint-category-list")).json()["results"]
    assert "Late delivery" in [row["name"] for row in listed]


def test_the_standard_answer_is_reworded_and_translated(api_as, network_admin, answer):
    change = {"body": "We are sorry.", "translations": {"es": {"title": "Vehículo no listo a tiempo",
                                                              "body": "Lo sentimos."}}}
    saved = api_as(network_admin).patch(_answer_url(answer), change, format="json")
    assert saved.status_code == 200, saved.json()
    answer.refresh_from_db()
    assert (answer.title, answer.body, answer.translations) == ("Car not ready on time", "We are sorry.",
                                                               change["translations"])


def test_an_hq_analyst_may_read_but_not_change_them(api_as, hq, late, answer):
    api = api_as(hq)
    assert api.get(_category_url(late)).status_code == 200
    assert api.patch(_category_url(late), {"name": "Changed"}, format="json").status_code == 403
    assert api.patch(_answer_url(answer), {"title": "Changed"}, format="json").status_code == 403
    late.refresh_from_db()
    answer.refresh_from_db()
    assert (late.name, answer.title) == ("Delivery time", "Car not ready on time")


def test_another_networks_category_is_not_there(api_as, other_network, late):
    their_admin = factories.UserFactory(email="admin@borealis.test")
    factories.MembershipFactory(user=their_admin, network=other_network, role=Role.NETWORK_ADMIN)
    assert api_as(their_admin).patch(_category_url(late), {"name": "Mine now"}, format="json").status_code == 404
    late.refresh_from_db()
    assert late.name == "Delivery time"


def test_put_and_delete_are_not_offered(api_as, network_admin, late):
    api = api_as(network_admin)
    assert api.put(_category_url(late), {"name": "X"}, format="json").status_code == 405
    assert api.delete(_category_url(late)).status_code == 405


@pytest.mark.parametrize(("translations", "problem"), [
    ({"de": {"name": "Lieferzeit"}}, "de is not one of the network's content languages"),
    ({"es": {"colour": "Rojo"}}, "colour cannot be translated"),
    (["es", "Retraso"], "Give the translations as {language: {field: text}}."),
    ({"es": "Retraso"}, "es: give the texts as {field: text}."),
    ({"es": {"name": "   "}}, "es: name must be text, not empty."),
    ({"es": {"name": "x" * 121}}, "es: name is longer than 120 characters."),
])
def test_junk_translations_are_refused_on_the_field_and_nothing_changes(api_as, network_admin, late,
                                                                       translations, problem):
    refused = api_as(network_admin).patch(_category_url(late), {"name": "Renamed", "translations": translations},
                                          format="json")
    assert refused.status_code == 400
    assert problem in " ".join(refused.json()["errors"]["translations"])
    late.refresh_from_db()
    assert (late.name, late.translations) == ("Delivery time", {})


@pytest.mark.parametrize(("change", "field"), [
    ({"name": ""}, "name"), ({"name": "x" * 121}, "name"), ({"name": None}, "name"), ({"translations": None},
                                                                                      "translations"),
])
def test_a_bad_category_text_is_refused_on_its_field(api_as, network_admin, late, change, field):
    refused = api_as(network_admin).patch(_category_url(late), change, format="json")
    assert refused.status_code == 400 and field in refused.json()["errors"]


def test_a_name_its_area_already_has_is_refused(api_as, network_admin, late):
    ComplaintCategory.objects.create(network=late.network, parent=late.parent, name="Wash")
    refused = api_as(network_admin).patch(_category_url(late), {"name": "Wash"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]
    late.refresh_from_db()
    assert late.name == "Delivery time"


def test_an_over_long_answer_is_refused_on_its_field(api_as, network_admin, answer):
    refused = api_as(network_admin).patch(_answer_url(answer), {"body": "x" * 10_001}, format="json")
    assert refused.status_code == 400 and "body" in refused.json()["errors"]
