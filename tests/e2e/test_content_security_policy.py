"""Under the strict Content-Security-Policy the pages still work in a real browser, and the browser reports no
violation: the scorecard's and dashboards' charts draw, htmx swaps a job's panel, the API docs list the operations,
the admin and the error page's "Go back" work. A listener proves itself first: an inline script is reported."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.e2e.test_login_journey import log_in
from tests.scoring import conftest as scoring_fixtures
from tests.scoring.test_ranking_pages import build_ranked_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

small_poe, submitted_poe, publish = scoring_fixtures.small_poe, scoring_fixtures.submitted_poe, scoring_fixtures.publish

# Runs before any page script (Playwright injects it outside the page's policy): each violation goes to the console.
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (event) =>
  console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`));"""


@pytest.fixture
def violations(page):
    """Every Content-Security-Policy message the browser logs on any page of the test."""
    seen = []
    page.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: seen.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.on("pageerror", lambda error: seen.append(f"page error: {error}"))
    return seen


def test_the_listener_reports_an_inline_script(page, live_server, violations):
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("""() => { const script = document.createElement("script");
      script.textContent = "window.ran = true"; document.body.append(script); }""")
    page.wait_for_function("() => true")
    assert page.evaluate("() => window.ran === undefined")
    assert any("script-src" in text for text in violations), violations


def test_the_charts_draw_without_a_violation(page, live_server, hq, manager, network, region, other_region, dealer,
                                             other_dealer, submitted_poe, publish, make_job, violations):
    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
    from tests.servicejobs.test_steps import walk_to

    build_ranked_network(network=network, region=region, other_region=other_region, dealer=dealer,
                         other_dealer=other_dealer, submitted_poe=submitted_poe, publish=publish,
                         previous_month=False)
    with tenant_scope(TenantScope.for_dealer(dealer)):
        walk_to(make_job(appointment_in=timedelta(hours=-3)), "handover")
    log_in(page, live_server, hq.email, settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/n/{network.slug}/d/{other_dealer.code}/scorecard/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-trend')")
    assert page.evaluate("() => Chart.getChart('chart-trend').data.datasets[0].data") == [96.0]
    assert page.evaluate("() => document.getElementById('chart-trend').width") > 0  # drawn on the canvas

    page.context.clear_cookies()
    log_in(page, live_server, manager.email, settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/n/{network.slug}/d/{dealer.code}/promises/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-promises') && Chart.getChart('chart-weeks')")
    page.goto(f"{live_server.url}/n/{network.slug}/d/{dealer.code}/complaints/figures/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-months') && Chart.getChart('chart-pareto')")
    assert violations == []


def test_htmx_swaps_a_job_without_a_violation(page, live_server, advisor, dealer, violations):
    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
    from servicejobs import services
    from tests import factories

    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer, name="Lucía Torres"))
    with tenant_scope(TenantScope.for_dealer(dealer)):
        services.job_create(dealer=dealer, number="RO-CSP-1", customer=vehicle.customer, vehicle=vehicle,
                            work_category="maintenance", appointment_at=timezone.now() + timedelta(minutes=20))
    log_in(page, live_server, advisor.email, settings.DEMO_PASSWORD)
    expected = page.get_by_test_id("column-expected")
    expected.get_by_text("Lucía Torres").wait_for()
    with page.expect_response(lambda response: "/steps/arrive/" in response.url):
        expected.get_by_role("button", name="Customer arrived").click()
    page.get_by_test_id("column-workshop").get_by_text("Lucía Torres").wait_for()
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0  # htmx added no style element
    assert violations == []


def test_the_api_docs_admin_and_error_page_work_without_a_violation(page, live_server, superuser, violations):
    superuser.set_password(settings.DEMO_PASSWORD)
    superuser.save()
    log_in(page, live_server, superuser.email, settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".opblock-tag").first.wait_for()  # Swagger UI read the schema and drew its operations
    assert page.locator(".opblock").count() > 10
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}")
    page.locator("#content-main").wait_for()
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}accounts/user/")
    page.locator("#result_list").wait_for()
    page.goto(f"{live_server.url}/{settings.ADMIN_URL}accounts/user/{superuser.pk}/change/")
    page.locator("#user_form").wait_for()
    page.goto(f"{live_server.url}/account/")
    page.goto(f"{live_server.url}/account/?q=%00")  # the 400 page
    page.get_by_test_id("bad-request").wait_for()
    page.get_by_role("link", name="Go back").click()
    page.wait_for_url(f"{live_server.url}/account/")
    assert violations == []
