"""allauth's pages and emails that our people see are ours: our layout, our words, in the person's language."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


def reset_link(message) -> str:
    line = next(line for line in message.body.splitlines() if "/accounts/password/reset/key/" in line)
    return line[line.index("/accounts/"):].strip()


def test_the_reset_request_page_is_ours(client):
    response = client.get(reverse("account_reset_password"))
    assert response.status_code == 200
    assert "account/password_reset.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert "Enter the email address of your account." in page
    assert "Forgotten your password?" not in page  # allauth's own wording
    assert 'href="/accounts/login/"' in page


def test_the_reset_done_page_says_the_link_was_sent_without_telling_whether_the_account_exists(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"}, follow=True)
    page = response.content.decode()
    assert "If an account uses that address, we have sent it a link" in page
    assert "We have sent you an email." not in page


def test_the_reset_email_is_ours_and_its_link_leads_to_our_pages(client, advisor):
    client.post(reverse("account_reset_password"), {"email": "advisor@example.com"})
    (message,) = mail.outbox
    assert message.subject.endswith("Choose a new password for the Dealer Portal")
    assert "Open this link to choose a new password:" in message.body
    assert "Hello from" not in message.body and "Thank you for using" not in message.body

    form_page = client.get(reset_link(message), follow=True)
    assert "account/password_reset_from_key.html" in [t.name for t in form_page.templates]
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]

    mismatch = client.post(set_url, {"password1": "brand-new-Passw0rd", "password2": "other-Passw0rd-1"})
    assert "You must type the same password each time." in mismatch.content.decode()

    done = client.post(set_url, {"password1": "brand-new-Passw0rd", "password2": "brand-new-Passw0rd"}, follow=True)
    assert "account/password_reset_from_key_done.html" in [t.name for t in done.templates]
    assert "Your new password is saved." in done.content.decode()


def test_a_used_reset_link_says_so_and_offers_a_new_one(client, advisor):
    client.post(reverse("account_reset_password"), {"email": "advisor@example.com"})
    response = client.get("/accounts/password/reset/key/zz-set-password/")
    page = response.content.decode()
    assert "This link no longer works" in page
    assert f'href="{reverse("account_reset_password")}"' in page


def test_the_email_to_an_unknown_address_does_not_invite_to_sign_up(client, db):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    (message,) = mail.outbox
    assert message.subject.endswith("No Dealer Portal account uses this address")
    assert "Accounts are created by invitation from your network admin" in message.body
    assert "sign up" not in message.body.lower()


def test_the_reset_email_is_in_its_recipients_language_whatever_the_page_was_shown_in(client, advisor):
    advisor.language = "es"
    advisor.save(update_fields=["language"])
    client.post(reverse("account_reset_password"), {"email": "advisor@example.com"},
                headers={"accept-language": "en"})
    (message,) = mail.outbox
    msgid = "Open this link to choose a new password:"  # a variable, so makemessages does not list the tests
    with translation.override("es"):
        expected = translation.gettext(msgid)
    assert expected != msgid and expected in message.body


def test_logging_out_shows_our_confirmation_page_and_message(client, advisor):
    client.force_login(advisor)
    page = client.get(reverse("account_logout"))
    assert "account/logout.html" in [t.name for t in page.templates]
    assert "Sign Out" not in page.content.decode()
    response = client.post(reverse("account_logout"), follow=True)
    assert "You have logged out." in response.content.decode()


def test_changing_the_password_uses_our_page_and_message(client, advisor):
    client.force_login(advisor)
    url = reverse("account_change_password")
    page = client.get(url)
    assert "account/password_change.html" in [t.name for t in page.templates]
    wrong = client.post(url, {"oldpassword": "not-it", "password1": "brand-new-Passw0rd",
                              "password2": "brand-new-Passw0rd"})
    assert "Please type your current password." in wrong.content.decode()
    response = client.post(url, {"oldpassword": settings.DEMO_PASSWORD, "password1": "brand-new-Passw0rd",
                                 "password2": "brand-new-Passw0rd"}, follow=True)
    assert "Your password is changed." in response.content.decode()


@pytest.mark.parametrize("language", ["es", "fi", "ms", "zh-hans"])
def test_a_form_error_from_django_is_in_the_page_language(client, language):
    response = client.post(reverse("account_reset_password"), {"email": ""},
                           headers={"accept-language": language})
    page = response.content.decode()
    msgid = "This field is required."
    with translation.override(language):
        required = translation.gettext(msgid)
    assert required != msgid and required in page
    assert not re.search(r"This field is required", page)


@pytest.mark.parametrize("url", ["/accounts/email/", "/accounts/confirm-email/", "/accounts/confirm-email/some-key/"])
def test_there_is_no_page_to_add_email_addresses(client, advisor, url):
    client.force_login(advisor)
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "second@example.com", "action_add": ""}).status_code == 404
    assert not mail.outbox


def test_logging_in_greets_with_our_message(client, advisor):
    response = client.post(reverse("account_login"), {"login": "advisor@example.com",
                                                      "password": settings.DEMO_PASSWORD}, follow=True)
    assert f"Logged in as {advisor.get_short_name()}." in response.content.decode()
