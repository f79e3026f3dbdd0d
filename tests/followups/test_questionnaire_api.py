"""A network admin writes the network's follow-up questions and their translations through the API: the first
write saves the network's own questionnaire, later ones change it; a read gives back what was written."""

import pytest
from django.urls import reverse

from dealer_portal.tenancy.scoping import unscoped
from followups.models import QUESTIONS, SHIPPED_QUESTIONS, Questionnaire

pytestmark = pytest.mark.django_db

URL = reverse("network-questionnaire")

OURS = {"overall": "How happy are you with us (1-5)?", "work_done_right": "Did we fix it?",
        "ready_when_promised": "Was it ready on time?", "would_recommend": "Would you tell a friend?",
        "comments": "Anything else?"}


def saved(network) -> list[Questionnaire]:
    """The network's questionnaires in the database (one at most)."""
    with unscoped():
        return list(Questionnaire.objects.filter(network=network))


@pytest.fixture
def bilingual(network):
    network.content_languages = ["es"]
    network.save(update_fields=["content_languages"])
    return network


def test_until_it_writes_its_own_the_network_reads_the_shipped_questions(api_as, hq, bilingual):
    read = api_as(hq).get(URL)
    assert read.status_code == 200
    assert read.json()["overall"] == SHIPPED_QUESTIONS["overall"]["en"]
    assert read.json()["translations"]["es"]["overall"] == SHIPPED_QUESTIONS["overall"]["es"]
    assert saved(bilingual) == []


def test_the_questions_written_with_put_and_patch_come_back(api_as, network_admin, hq, bilingual):
    api = api_as(network_admin)
    put = api.put(URL, {**OURS, "translations": {"es": {"overall": "¿Qué tan satisfecho está (1-5)?"}}},
                  format="json")
    assert put.status_code == 200, put.json()
    assert len(saved(bilingual)) == 1

    patched = api.patch(URL, {"comments": "Anything more to tell us?"}, format="json")
    assert patched.status_code == 200, patched.json()
    hq.language = "es"
    hq.save(update_fields=["language"])
    read = api_as(hq).get(URL, HTTP_ACCEPT_LANGUAGE="es").json()
    assert read["questions"][0] == {"name": "overall", "label": "¿Qué tan satisfecho está (1-5)?"}
    assert {name: read[name] for name in QUESTIONS} == {**OURS, "comments": "Anything more to tell us?"}
    assert read["translations"] == {"es": {"overall": "¿Qué tan satisfecho está (1-5)?"}}
    assert saved(bilingual)[0].comments == "Anything more to tell us?"
    assert len(saved(bilingual)) == 1


def test_a_put_needs_every_question(api_as, network_admin, bilingual):
    refused = api_as(network_admin).put(URL, {"overall": "Happy?"}, format="json")
    assert refused.status_code == 400 and "comments" in refused.json()["errors"]
    assert saved(bilingual) == []


@pytest.mark.parametrize("translations", [
    {"de": {"overall": "Zufrieden?"}}, {"es": {"colour": "rojo"}}, "es", {"es": {"overall": "x" * 201}},
])
def test_junk_translations_are_refused_on_the_field(api_as, network_admin, bilingual, translations):
    refused = api_as(network_admin).patch(URL, {"translations": translations}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["translations"]
    assert saved(bilingual) == []


def test_an_over_long_question_is_refused_on_its_field(api_as, network_admin, bilingual):
    refused = api_as(network_admin).patch(URL, {"overall": "x" * 201}, format="json")
    assert refused.status_code == 400 and "overall" in refused.json()["errors"]


def test_an_hq_analyst_may_read_the_questions_but_not_write_them(api_as, hq, bilingual):
    assert api_as(hq).patch(URL, {"overall": "Happy?"}, format="json").status_code == 403
    assert api_as(hq).put(URL, OURS, format="json").status_code == 403
    assert saved(bilingual) == []


def test_another_networks_questionnaire_cannot_be_written(api_as, network_admin, other_network):
    refused = api_as(network_admin).patch(URL, {"network": other_network.slug, "overall": "Mine?"}, format="json")
    assert refused.status_code == 400 and "network" in refused.json()["errors"]  # a network it does not see
    assert saved(other_network) == []
