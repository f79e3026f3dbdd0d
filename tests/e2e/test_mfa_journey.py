"""A new HQ analyst sets up two-factor authentication in a real browser: the login sends them to the set-up, they
confirm their password, scan (here: read) the secret, type the code their app shows, and from then on the login
asks for it. A security key (Chromium's virtual authenticator) is added and signs in too. The browser reports no
Content-Security-Policy violation on the way (the QR code and allauth's WebAuthn scripts load under it)."""

import pyotp
import pytest
from django.conf import settings

from dealer_portal.tenancy.models import Role
from tests import factories
from tests.e2e.test_content_security_policy import REPORT_VIOLATIONS
from tests.e2e.test_login_journey import answer_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def new_hq(network):
    user = factories.UserFactory(email="new-hq@example.com")
    factories.MembershipFactory(user=user, network=network, role=Role.HQ_ANALYST, second_factor=False)
    return user


@pytest.fixture
def violations(page):
    seen = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: seen.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))
    return seen


def password_step(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def log_out(page, live_server):
    page.goto(f"{live_server.url}/accounts/logout/")
    with page.expect_navigation():
        page.locator("main").get_by_role("button", name="Log out").click()


def test_hq_sets_up_an_authenticator_app_and_logs_in_with_its_code(page, live_server, new_hq, network, violations,
                                                                   screenshot):
    password_step(page, live_server, new_hq.email)
    assert page.url == f"{live_server.url}/accounts/2fa/"
    assert "must be protected by two-factor authentication" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/n/{network.slug}/")  # nothing else is open yet
    assert page.url == f"{live_server.url}/accounts/2fa/"

    page.get_by_test_id("mfa-totp-activate").click()
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)  # allauth confirms it is you first
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    secret = page.get_by_test_id("mfa-totp-secret").input_value()
    qr_width = page.get_by_role("img", name="QR code for your authenticator app").evaluate("img => img.naturalWidth")
    assert qr_width > 0  # the data: image is drawn under the policy
    screenshot("mfa-totp-activate")
    page.get_by_test_id("mfa-code").fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on").click()
    assert len(page.get_by_test_id("mfa-recovery-code").all()) == 10
    page.goto(f"{live_server.url}/n/{network.slug}/")
    page.get_by_test_id("network-name").wait_for()

    log_out(page, live_server)
    password_step(page, live_server, new_hq.email)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    page.get_by_test_id("mfa-code").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    with page.expect_navigation():
        page.get_by_test_id("mfa-authenticate").click()
    assert "Incorrect code." in page.get_by_test_id("mfa-code-error").inner_text()
    # The code that turned the app on is spent: the app's next one signs in.
    answer_second_factor(page, secret, periods_ahead=1)
    page.goto(f"{live_server.url}/n/{network.slug}/")
    page.get_by_test_id("network-name").wait_for()
    assert violations == []


def test_hq_adds_a_security_key_and_logs_in_with_it(page, live_server, hq, network, violations):
    """Chromium's virtual authenticator stands in for the key (DevTools' WebAuthn domain)."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    password_step(page, live_server, hq.email)
    answer_second_factor(page)
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # allauth confirms it is you first
        page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name of the key").fill("Desk key")
    with page.expect_navigation():
        page.get_by_test_id("mfa-webauthn-add").click()
    page.goto(f"{live_server.url}/accounts/2fa/webauthn/")
    assert "Desk key" in page.get_by_test_id("mfa-webauthn-list").inner_text()

    log_out(page, live_server)
    password_step(page, live_server, hq.email)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    with page.expect_navigation():
        page.get_by_role("button", name="Use a security key").click()
    page.goto(f"{live_server.url}/n/{network.slug}/")
    page.get_by_test_id("network-name").wait_for()
    assert violations == []
