"""Each person in their own language: kept on the account, chosen in the picker or on "Your account", followed on
every device; anonymous pages keep the browser's choice."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.services import api_token_create

pytestmark = pytest.mark.django_db


def page_language(response) -> str:
    return response.headers["Content-Language"]


def test_a_users_saved_language_is_used_on_a_fresh_session_on_another_device(advisor):
    User.objects.filter(pk=advisor.pk).update(language="es")
    other_device = Client(headers={"accept-language": "en"})  # a new browser: no cookie, English preferred
    other_device.force_login(advisor)
    response = other_device.get(reverse("home"), follow=True)
    assert page_language(response) == "es"
    assert '<html lang="es">' in response.content.decode()


def test_anonymous_pages_keep_the_browsers_language():
    assert page_language(Client(headers={"accept-language": "fi"}).get(reverse("account_login"))) == "fi"
    cookie = Client()
    cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "ms"
    assert page_language(cookie.get(reverse("account_login"))) == "ms"


def test_the_picker_saves_the_choice_on_the_account_and_keeps_next_safe(client, advisor):
    client.force_login(advisor)
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/n/x/"})
    assert response.status_code == 302 and response.headers["Location"] == "/n/x/"
    advisor.refresh_from_db()
    assert advisor.language == "zh-hans"

    # Logged in elsewhere later, the choice is there.
    elsewhere = Client()
    elsewhere.force_login(advisor)
    assert page_language(elsewhere.get(reverse("profile"))) == "zh-hans"

    unsafe = client.post(reverse("set_language"), {"language": "fi", "next": "https://evil.example.com/"})
    assert unsafe.headers["Location"] == "/"
    advisor.refresh_from_db()
    assert advisor.language == "fi"


@pytest.mark.parametrize(("chosen", "kept"), [("es-mx", "es"), ("zh-Hans", "zh-hans"), ("FI", "fi")])
def test_the_picker_keeps_a_regional_or_differently_written_choice_as_the_platforms_language(
        client, advisor, chosen, kept):
    client.force_login(advisor)
    client.post(reverse("set_language"), {"language": chosen, "next": "/"})
    advisor.refresh_from_db()
    assert advisor.language == kept
    assert page_language(client.get(reverse("profile"))) == kept


def test_the_picker_refuses_a_language_the_platform_does_not_offer(client, advisor):
    client.force_login(advisor)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    advisor.refresh_from_db()
    assert advisor.language == "en"


def test_the_picker_without_an_account_sets_only_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/accounts/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert page_language(client.get(reverse("account_login"))) == "es"


def test_the_picker_names_each_language_in_its_own_words(client):
    page = client.get(reverse("account_login")).content.decode()
    for code, name in [("en", "English"), ("es", "Español"), ("fi", "Suomi"), ("ms", "Bahasa Melayu"),
                       ("zh-hans", "简体中文")]:
        assert f'<option value="{code}" lang="{code}"' in page
        assert f">{name}</option>" in page


def test_your_account_page_changes_name_and_language(client, advisor):
    client.force_login(advisor)
    header = client.get(reverse("profile")).content.decode()
    assert reverse("profile") in header  # reachable from the header's menu
    response = client.post(reverse("profile"), {"full_name": "Ana Asesora", "language": "es"}, follow=True)
    advisor.refresh_from_db()
    assert (advisor.full_name, advisor.language) == ("Ana Asesora", "es")
    assert page_language(response) == "es"
    with translation.override("es"):
        assert translation.gettext("Your account") in response.content.decode()


def test_an_api_token_answers_in_its_holders_language(advisor):
    User.objects.filter(pk=advisor.pk).update(language="fi")
    _token, secret = api_token_create(user=advisor, name="Script")
    response = Client().get(reverse("api-me"), headers={"authorization": f"Token {secret}"})
    assert response.status_code == 200 and page_language(response) == "fi"
