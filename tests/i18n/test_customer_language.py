"""A customer's preferred language starts as the network's default, stays editable, and decides the language of
their answer link's email and page."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import Customer
from customers.services import customer_create, customer_update
from dealer_portal.tenancy.models import Network
from dealer_portal.tenancy.scoping import unscoped
from followups.models import FollowUpCall
from followups.services import answer_link_token
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db

# What the public answer page says from its template and its form; its questions are the network's own content
# (tests/followups/test_questionnaire_languages.py).
ANSWER_PAGE_STRINGS = ["One minute of your time helps us serve you better.", "Yes", "Send"]


@pytest.fixture
def spanish_network(network):
    with unscoped():
        Network.objects.filter(pk=network.pk).update(default_language="es")
        network.refresh_from_db()
    return network


def test_a_new_customer_gets_the_networks_default_language_and_it_stays_editable(in_dealer, dealer, spanish_network):
    dealer.network = spanish_network
    customer = customer_create(dealer=dealer, name="Jorge Díaz", phone="+528112345678")
    assert customer.language == "es"
    assert customer_create(dealer=dealer, name="Ann Lee", phone="+528112345679", language="en").language == "en"
    assert customer_update(customer=customer, language="fi").language == "fi"


def test_the_customer_form_starts_at_the_networks_language(client, advisor, dealer, spanish_network):
    client.force_login(advisor)
    page = client.get(reverse("customer_create", args=[dealer.network.slug, dealer.code])).content.decode()
    assert re.search(r'<option value="es" selected>', page)


def test_a_customer_created_through_the_api_without_a_language_gets_the_networks(api_as, advisor, dealer,
                                                                                  spanish_network):
    created = api_as(advisor).post(reverse("customer-list"), {"name": "Jorge Díaz", "phone": "+528112345678"},
                                   format="json")
    assert created.status_code == 201 and created.json()["language"] == "es"
    with unscoped():
        assert Customer.objects.get(pk=created.json()["id"]).language == "es"


@pytest.mark.parametrize("language", ["es", "ms", "zh-hans"])
def test_the_answer_page_is_in_the_customers_language(client, advisor, in_dealer, make_job, language):
    job = walk_to(make_job(), "handover")
    customer_update(customer=job.customer, language=language)
    call = FollowUpCall.objects.get(service_job=job)
    client.force_login(advisor)  # even opened on a staff member's English browser, the page is the customer's
    page = client.get(reverse("followup_public_answer", args=[answer_link_token(call)])).content.decode()

    assert f'<html lang="{language}">' in page
    with translation.override(language):
        translated = {msgid: translation.gettext(msgid) for msgid in ANSWER_PAGE_STRINGS}
    for msgid, text in translated.items():
        assert text in page, f"{msgid!r} is not shown in {language}"
    untranslated = [msgid for msgid, text in translated.items() if text == msgid]
    assert not untranslated, f"the {language} catalogue leaves these answer-page strings in English: {untranslated}"
