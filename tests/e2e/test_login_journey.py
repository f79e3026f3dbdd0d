"""A person logs in through the real login page in a real browser and sees their role's home page."""

import pytest
from django.conf import settings

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, email, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    answer_second_factor(page)


def answer_second_factor(page, secret=factories.TOTP_SECRET, *, periods_ahead: int = 0):
    """When the login asks for the second factor, type the code the authenticator app with ``secret`` shows."""
    if "/accounts/2fa/authenticate/" not in page.url:
        return
    page.get_by_test_id("mfa-code").fill(factories.totp_code(secret, periods_ahead=periods_ahead))
    with page.expect_navigation():
        page.get_by_test_id("mfa-authenticate").click()


def test_advisor_logs_in_and_sees_todays_board(page, live_server, advisor, dealer, screenshot):
    log_in(page, live_server, advisor.email, settings.DEMO_PASSWORD)
    page.get_by_test_id("advisor-board").wait_for()
    assert page.url == f"{live_server.url}/n/{dealer.network.slug}/d/{dealer.code}/"
    assert page.get_by_test_id("dealer-name").inner_text() == dealer.name
    assert "Today's jobs" in page.get_by_test_id("advisor-board").inner_text()
    screenshot("advisor-home")


def test_hq_logs_in_and_sees_the_network_by_region(page, live_server, hq, dealer, other_dealer, foreign_dealer,
                                                   screenshot):
    log_in(page, live_server, hq.email, settings.DEMO_PASSWORD)
    page.get_by_test_id("network-name").wait_for()
    regions = page.get_by_test_id("region")
    assert regions.count() == 2
    text = page.locator("main").inner_text()
    assert dealer.name in text and other_dealer.name in text
    assert foreign_dealer.name not in text
    screenshot("hq-network")


def test_wrong_password_shows_the_message_in_the_page(page, live_server, advisor):
    log_in(page, live_server, advisor.email, "not-my-password")
    error = page.get_by_test_id("login-error")
    error.wait_for()
    assert "not correct" in error.inner_text()
    assert page.url.endswith("/accounts/login/")


def test_representative_switches_dealer_from_the_header(page, live_server, representative, dealer, other_dealer):
    from tests import factories

    factories.MembershipFactory(user=representative, dealer=other_dealer, role="customer_representative")
    log_in(page, live_server, representative.email, settings.DEMO_PASSWORD)
    page.get_by_role("link", name=dealer.name).first.click()
    page.get_by_test_id("representative-queue").wait_for()
    page.get_by_test_id("dealer-switcher").get_by_role("button").click()
    page.get_by_test_id("dealer-switcher").get_by_role("link", name=other_dealer.name).click()
    page.wait_for_url(f"**/d/{other_dealer.code}/")
    assert page.get_by_test_id("dealer-name").inner_text() == other_dealer.name
