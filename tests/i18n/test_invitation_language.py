"""A new person starts in their network's language, or in the one their invitation names; so does its email."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Invitation, User
from dealer_portal.tenancy.models import Network, Role
from dealer_portal.tenancy.scoping import unscoped

pytestmark = pytest.mark.django_db
PASSWORD = "Taller-Norte-2026"


def invite_and_accept(client, network_admin, network, dealer, capture, **extra) -> User:
    client.force_login(network_admin)
    with capture(execute=True):
        client.post(reverse("invitation_list", args=[network.slug]), {
            "email": "nuevo@example.com", "full_name": "Nuevo Asesor", "role": "service_advisor",
            "dealer": dealer.pk, **extra})
    client.logout()
    path = re.search(r"http://testserver(/accounts/invitation/[^\s]+/)", mail.outbox[-1].body).group(1)
    client.post(path, {"full_name": "Nuevo Asesor", "password1": PASSWORD, "password2": PASSWORD})
    return User.objects.get(email="nuevo@example.com")


def expected_subject(language: str, network) -> str:
    with translation.override(language):
        return translation.gettext("Your invitation to %(network)s") % {"network": network.name}


def test_a_new_invited_user_gets_the_networks_default_language(
        client, network_admin, network, dealer, django_capture_on_commit_callbacks):
    with unscoped():
        Network.objects.filter(pk=network.pk).update(default_language="es")
        network.refresh_from_db()
    client.force_login(network_admin)
    form = client.get(reverse("invitation_list", args=[network.slug])).content.decode()
    assert '<option value="es" selected>' in form  # the form starts at the network's default

    user = invite_and_accept(client, network_admin, network, dealer, django_capture_on_commit_callbacks,
                             language="")
    assert user.language == "es"
    assert mail.outbox[0].subject == expected_subject("es", network)
    assert expected_subject("es", network) != expected_subject("en", network)


def test_an_invitation_may_name_the_language_and_its_email_is_written_in_it(
        client, network_admin, network, dealer, django_capture_on_commit_callbacks):
    user = invite_and_accept(client, network_admin, network, dealer, django_capture_on_commit_callbacks,
                             language="ms")
    with unscoped():
        assert Invitation.objects.get().language == "ms"
    assert user.language == "ms"
    assert mail.outbox[0].subject == expected_subject("ms", network)
    assert expected_subject("ms", network) != expected_subject("en", network)


def test_an_existing_accounts_invitation_is_written_in_the_accounts_language_not_the_invitations(
        client, network_admin, network, dealer, advisor, django_capture_on_commit_callbacks):
    User.objects.filter(pk=advisor.pk).update(language="fi")
    client.force_login(network_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitation_list", args=[network.slug]), {
            "email": advisor.email, "role": "customer_representative", "dealer": dealer.pk, "language": "es"})
    assert mail.outbox[-1].subject == expected_subject("fi", network)
    assert expected_subject("fi", network) != expected_subject("en", network)
    with translation.override("fi"):
        offer = translation.gettext("%(network)s invites you to the Dealer Portal as %(role)s at %(place)s.") % {
            "network": network.name, "role": Role.CUSTOMER_REPRESENTATIVE.label, "place": str(dealer)}
    assert offer in mail.outbox[-1].body
    assert not offer.startswith(f"{network.name} invites you")


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_the_accept_page_and_the_welcome_speak_the_invitations_language_not_the_browsers(
        client, network_admin, network, dealer, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitation_list", args=[network.slug]), {
            "email": "uusi@example.com", "full_name": "Uusi Neuvoja", "role": "service_advisor",
            "dealer": dealer.pk, "language": "fi"})
    client.logout()
    path = re.search(r"http://testserver(/accounts/invitation/[^\s]+/)", mail.outbox[-1].body).group(1)
    browser = {"accept-language": "en"}

    page = client.get(path, headers=browser)
    assert page.headers["Content-Language"] == "fi"
    assert in_language("fi", "Create my account") in page.content.decode()
    assert in_language("fi", "Create my account") != "Create my account"

    welcomed = client.post(path, {"full_name": "Uusi Neuvoja", "password1": PASSWORD, "password2": PASSWORD},
                           headers=browser, follow=True)
    assert in_language("fi", "Welcome! Your account is ready.") in welcomed.content.decode()
    assert "Welcome! Your account is ready." not in welcomed.content.decode()
