"""Two-factor authentication: who must set it up and is kept to its set-up pages until they have, setting up an
authenticator app with the code it shows, logging in with it or a recovery code, the rate limit on wrong codes,
the admin, and a network that requires it of everyone."""

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from dealer_portal.tenancy.models import Network, Role
from dealer_portal.tenancy.scoping import unscoped
from tests import factories

pytestmark = pytest.mark.django_db

ENROL_FIRST = "must be protected by two-factor authentication"


def login(client, email, password=settings.DEMO_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def confirm_password(client):
    """allauth asks for the password again before a second factor is added or removed."""
    response = client.post(reverse("account_reauthenticate"), {"password": settings.DEMO_PASSWORD})
    assert response.status_code == 302


def second_factor(client, code):
    return client.post(reverse("mfa_authenticate"), {"code": code})


@pytest.fixture
def new_hq(network):
    """An HQ analyst who has not set up a second factor yet."""
    user = factories.UserFactory(email="new-hq@example.com")
    factories.MembershipFactory(user=user, network=network, role=Role.HQ_ANALYST, second_factor=False)
    return user


@pytest.fixture
def new_network_admin(network):
    user = factories.UserFactory(email="new-admin@example.com", is_staff=True, second_factor=False)
    factories.MembershipFactory(user=user, network=network, role=Role.NETWORK_ADMIN, second_factor=False)
    return user


@pytest.fixture
def new_superuser(db):
    return factories.UserFactory(email="new-root@example.com", is_superuser=True, is_staff=True, second_factor=False)


def normal_pages(network, dealer):
    return [reverse("home"), reverse("profile"), reverse("network_home", args=[network.slug]),
            reverse("dealer_home", args=[network.slug, dealer.code]), reverse("invitation_list", args=[network.slug]),
            "/admin/", "/admin/tenancy/network/"]


@pytest.mark.parametrize("who", ["new_hq", "new_network_admin", "new_superuser"])
def test_someone_who_must_use_a_second_factor_reaches_no_page_but_its_set_up(client, request, who, network, dealer):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for page in normal_pages(network, dealer):
        response = client.get(page)
        assert (response.status_code, response.url) == (302, reverse("mfa_index")), page
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(ENROL_FIRST in message for message in messages)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("healthz")).status_code in (200, 503)
    for api_path in [reverse("api-me"), reverse("api-docs")]:
        api = client.get(api_path)
        assert api.status_code == 403 and "Enrol a second factor first" in api.json()["detail"]
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_htmx_request_of_someone_without_the_second_factor_loads_the_set_up_as_a_whole_page(client, new_hq,
                                                                                                 network):
    client.force_login(new_hq)
    response = client.get(reverse("network_home", args=[network.slug]), headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == reverse("mfa_index")


def test_an_api_token_of_someone_without_the_second_factor_they_need_is_refused(new_hq):
    secret = api_token_create(user=new_hq, name="Script")[1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = api.get(reverse("api-me"))
    assert response.status_code == 403
    assert "Enrol a second factor first" in response.json()["detail"]


def test_an_advisor_works_without_a_second_factor_until_the_network_requires_one(client, advisor, network, dealer,
                                                                                  api_as):
    client.force_login(advisor)
    dealer_home = reverse("dealer_home", args=[network.slug, dealer.code])
    assert client.get(dealer_home).status_code == 200
    assert api_as(advisor).get(reverse("api-me")).status_code == 200
    with unscoped():
        Network.objects.filter(pk=network.pk).update(require_mfa=True)
    response = client.get(dealer_home)
    assert (response.status_code, response.url) == (302, reverse("mfa_index"))
    assert api_as(advisor).get(reverse("api-me")).status_code == 403
    assert client.get(reverse("mfa_activate_totp")).status_code in (200, 302)  # the set-up (or a password check)


def test_a_network_admin_requires_a_second_factor_of_everyone_in_the_network_settings(client, network_admin, network):
    client.force_login(network_admin)
    address = reverse("admin:tenancy_network_change", args=[network.pk])
    assert 'name="require_mfa"' in client.get(address).content.decode()
    form = {"slug": network.slug, "name": network.name, "time_zone": network.time_zone,
            "default_language": network.default_language, "content_languages": "[]",
            "api_token_days": network.api_token_days, "require_mfa": "on"}
    assert client.post(address, form).status_code == 302
    with unscoped():
        assert Network.objects.get(pk=network.pk).require_mfa is True


def enrol_totp(client) -> str:
    """Set up an authenticator app on the set-up page as a person would: read the secret, type the app's code."""
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked.url.startswith(reverse("account_reauthenticate"))
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # shown as text, for an app that cannot scan
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000" if pyotp.TOTP(secret).now() != "000000"
                                                       else "111111"})
    assert wrong.status_code == 200 and "Incorrect code." in wrong.content.decode()
    done = client.post(reverse("mfa_activate_totp"), {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    return secret


def test_hq_sets_up_an_authenticator_app_and_then_logs_in_with_its_code(client, new_hq, network):
    assert login(client, new_hq.email).status_code == 302
    assert client.get(reverse("home")).url == reverse("mfa_index")
    secret = enrol_totp(client)
    assert Authenticator.objects.filter(user=new_hq, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("network_home", args=[network.slug])).status_code == 200
    assert "Manage two-factor authentication" in client.get(reverse("profile")).content.decode()

    client.post(reverse("account_logout"))
    asked = login(client, new_hq.email)
    assert asked.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone signs no one in
    assert client.get(reverse("home")).status_code == 302
    wrong = second_factor(client, "12345")
    assert wrong.status_code == 200 and "Incorrect code." in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    # The code typed to set the app up is used: the app's next one signs in.
    assert second_factor(client, factories.totp_code(secret, periods_ahead=1)).status_code == 302
    assert client.get(reverse("network_home", args=[network.slug])).status_code == 200


def test_each_recovery_code_signs_in_once(client, hq, network):
    codes = RecoveryCodes.activate(hq).get_unused_codes()
    assert login(client, hq.email).url == reverse("mfa_authenticate")
    assert second_factor(client, codes[0]).status_code == 302
    assert client.get(reverse("network_home", args=[network.slug])).status_code == 200
    client.post(reverse("account_logout"))
    login(client, hq.email)
    again = second_factor(client, codes[0])
    assert again.status_code == 200 and "Incorrect code." in again.content.decode()
    assert second_factor(client, codes[1]).status_code == 302


def test_after_too_many_wrong_codes_even_the_right_one_is_refused(client, hq):
    login(client, hq.email)
    for wrong in ["000001", "000002", "000003", "000004", "000005"]:
        assert "Incorrect code." in second_factor(client, wrong).content.decode()
    refused = second_factor(client, factories.totp_code())
    assert refused.status_code == 200
    assert "Too many failed login attempts. Try again later." in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_admin_wants_a_session_that_passed_the_second_factor(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 200
    session = client.session
    del session["account_authentication_methods"]  # signed in, but this session never gave the second factor
    session.save()
    asked = client.get("/admin/tenancy/network/")
    assert asked.status_code == 302
    assert asked.url == reverse("mfa_reauthenticate") + "?next=%2Fadmin%2Ftenancy%2Fnetwork%2F"
    assert client.post(asked.url, {"code": factories.totp_code()}).status_code == 302
    assert client.get("/admin/tenancy/network/").status_code == 200


def test_the_admins_own_login_form_is_never_shown(client, superuser):
    anonymous = client.get("/admin/login/?next=/admin/")
    assert anonymous.status_code == 302 and anonymous.url.startswith(reverse("account_login"))
    client.force_login(superuser)
    signed_in = client.get("/admin/login/?next=/admin/")
    assert (signed_in.status_code, signed_in.url) == (302, "/admin/")
    assert client.post("/admin/login/", {"username": superuser.email, "password": settings.DEMO_PASSWORD}
                       ).status_code == 302


def test_someone_who_must_use_a_second_factor_cannot_turn_off_their_last_one(client, hq):
    client.force_login(hq)
    confirm_password(client)
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "You cannot deactivate two-factor authentication." in response.content.decode()
    assert Authenticator.objects.filter(user=hq, type=Authenticator.Type.TOTP).exists()


def test_an_advisor_may_turn_off_the_authenticator_app_they_chose(client, advisor):
    factories.totp_enrol(advisor)
    client.force_login(advisor)
    confirm_password(client)
    assert client.post(reverse("mfa_deactivate_totp")).status_code == 302
    assert not Authenticator.objects.filter(user=advisor, type=Authenticator.Type.TOTP).exists()
