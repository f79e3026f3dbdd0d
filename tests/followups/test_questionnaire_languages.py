"""The follow-up questions are the network's own content: written by its network admin in the network's
languages, shipped in all five, and asked in the reader's language (the customer's on the answer page, the
representative's on the call page), falling back to the network's default."""

import pytest
from django.conf import settings
from django.urls import reverse

from customers.services import customer_update
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from followups.models import QUESTIONS, SHIPPED_QUESTIONS, CallAnswer, FollowUpCall, Questionnaire
from followups.services import answer_link_token
from tests import factories
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db

LANGUAGES = {code for code, _name in settings.LANGUAGES}
ENGLISH = "How happy are you with us, all in all? (5 = delighted)"
MALAY = "Secara keseluruhan, adakah anda gembira dengan kami? (5 = sangat gembira)"
CHINESE = "总的来说，您对我们满意吗？（5 = 非常满意）"


@pytest.fixture
def questionnaire(network):
    """The test network writes in English, with Malay and Chinese translations of its own wording."""
    network.content_languages = ["ms", "zh-hans"]
    network.save(update_fields=["content_languages"])
    return Questionnaire.objects.create(network=network, overall=ENGLISH,
                                        translations={"ms": {"overall": MALAY}, "zh-hans": {"overall": CHINESE}})


@pytest.fixture
def call(in_dealer, make_job):
    job = walk_to(make_job(), "handover")
    return FollowUpCall.objects.select_related("customer").get(service_job=job)


def answer_page(client, call, language: str) -> str:
    customer_update(customer=call.customer, language=language)
    return client.get(reverse("followup_public_answer", args=[answer_link_token(call)])).content.decode()


def call_page_as(client, user, call, language: str) -> str:
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client.get(reverse("followup_call", args=[call.dealer.network.slug, call.dealer.code, call.pk])
                      ).content.decode()


def test_a_malay_customer_is_asked_the_networks_malay_question(client, questionnaire, call):
    page = answer_page(client, call, "ms")
    assert MALAY in page and ENGLISH not in page
    # Questions the network has not translated are asked in its default language, as it wrote them.
    assert questionnaire.would_recommend == SHIPPED_QUESTIONS["would_recommend"]["en"]
    assert SHIPPED_QUESTIONS["would_recommend"]["ms"] in page  # shipped wording came with its Malay translation


def test_a_customer_whose_language_the_network_does_not_write_is_asked_in_its_default(client, questionnaire, call):
    page = answer_page(client, call, "fi")
    assert '<html lang="fi">' in page
    assert ENGLISH in page and MALAY not in page


def test_the_customer_answers_the_translated_questions_and_they_count(client, questionnaire, call):
    customer_update(customer=call.customer, language="zh-hans")
    path = reverse("followup_public_answer", args=[answer_link_token(call)])
    assert CHINESE in client.get(path).content.decode()
    done = client.post(path, {"overall": "5", "work_done_right": "yes", "ready_when_promised": "yes",
                              "would_recommend": "yes", "comments": "很好"})
    assert done.status_code == 200
    with unscoped():
        assert CallAnswer.objects.get(call=call).overall == 5


def test_the_call_page_asks_in_the_representatives_language(client, representative, questionnaire, call):
    assert MALAY in call_page_as(client, representative, call, "ms")
    english = call_page_as(client, representative, call, "en")
    assert ENGLISH in english and MALAY not in english


def test_a_network_without_its_own_questionnaire_asks_the_shipped_questions_in_its_languages(client, representative,
                                                                                            call, network):
    network.default_language, network.content_languages = "ms", ["en"]
    network.save(update_fields=["default_language", "content_languages"])
    with tenant_scope(TenantScope.for_network(network.pk)):
        assert not Questionnaire.objects.filter(network=network).exists()
    assert SHIPPED_QUESTIONS["ready_when_promised"]["ms"] in answer_page(client, call, "ms")
    assert SHIPPED_QUESTIONS["ready_when_promised"]["en"] in answer_page(client, call, "en")
    # Chinese is not one of this network's languages: its default, Malay, is asked.
    assert SHIPPED_QUESTIONS["ready_when_promised"]["ms"] in call_page_as(client, representative, call, "zh-hans")


def test_the_shipped_questions_are_written_in_all_five_languages():
    assert set(SHIPPED_QUESTIONS) == set(QUESTIONS)
    for question, texts in SHIPPED_QUESTIONS.items():
        assert set(texts) == LANGUAGES, question
        assert all(text.strip() for text in texts.values()) and len(set(texts.values())) == 5, question


def test_a_malay_network_gets_the_shipped_questions_in_malay_with_its_translations(db):
    malaysia = factories.NetworkFactory(slug="proton-my", default_language="ms", content_languages=["en", "zh-hans"],
                                        time_zone="Asia/Kuala_Lumpur")
    with tenant_scope(TenantScope.for_network(malaysia.pk)):
        questionnaire = Questionnaire.objects.for_network(malaysia)
    assert questionnaire.overall == SHIPPED_QUESTIONS["overall"]["ms"]
    assert set(questionnaire.translations) == {"en", "zh-hans"}
    assert questionnaire.translations["zh-hans"] == {field: SHIPPED_QUESTIONS[field]["zh-hans"] for field in QUESTIONS}


def test_a_new_questionnaire_in_the_admin_starts_from_the_shipped_questions(client, network_admin, network):
    network_admin.language = "es"
    network_admin.save(update_fields=["language"])
    client.force_login(network_admin)
    form = client.get(reverse("admin:followups_questionnaire_add")).content.decode()
    assert f'value="{SHIPPED_QUESTIONS["work_done_right"]["es"]}"' in form


def test_a_network_admin_writes_a_question_translation_in_the_admin(client, network_admin, questionnaire):
    client.force_login(network_admin)
    url = reverse("admin:followups_questionnaire_change", args=[questionnaire.pk])
    form = client.get(url).content.decode()
    assert 'name="translation__ms__overall"' in form and f'value="{MALAY}"' in form
    assert 'name="translation__zh_hans__comments"' in form
    assert 'name="translation__fi__overall"' not in form  # not a language of this network
    boxes = {f"translation__{code}__{field}": "" for code in ("ms", "zh_hans") for field in QUESTIONS}
    response = client.post(url, {
        "network": questionnaire.network_id, **{field: getattr(questionnaire, field) for field in QUESTIONS},
        "dissatisfied_at_or_below": 2, "work_not_right_is_dissatisfied": "on",
        **boxes, "translation__ms__overall": MALAY, "translation__ms__comments": "Ada apa-apa cadangan untuk kami?"})
    assert response.status_code == 302, response.content.decode()[:3000]
    with unscoped():
        questionnaire.refresh_from_db()
    assert questionnaire.translations == {"ms": {"overall": MALAY, "comments": "Ada apa-apa cadangan untuk kami?"}}


def test_the_api_gives_the_wording_its_translations_and_the_questions_in_the_callers_language(
        api_as, advisor, questionnaire):
    advisor.language = "ms"
    advisor.save(update_fields=["language"])
    body = api_as(advisor).get(reverse("questionnaire-list")).json()["results"][0]
    assert body["overall"] == ENGLISH and body["translations"]["ms"]["overall"] == MALAY
    assert body["questions"][0] == {"name": "overall", "label": MALAY}
