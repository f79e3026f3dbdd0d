"""The promise dashboard draws its charts in a real browser, from the vendored Chart.js (no CDN)."""

from datetime import timedelta

import pytest
from django.conf import settings

from tests.e2e.test_login_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_sees_the_charts_and_follows_a_broken_promise_to_its_job(page, live_server, manager, advisor,
                                                                        dealer, make_job, screenshot):
    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
    from servicejobs.models import ServiceJob
    from servicejobs.services import job_promises_refresh
    from tests.servicejobs.test_steps import walk_to

    with tenant_scope(TenantScope.for_dealer(dealer)):
        jobs = [walk_to(make_job(appointment_in=timedelta(hours=-3)), "handover") for _ in range(3)]
        late = jobs[0]
        ServiceJob.objects.filter(pk=late.pk).update(arrived_at=late.appointment_at,
                                                     greeted_at=late.appointment_at + timedelta(minutes=25))
        job_promises_refresh(ServiceJob.objects.get(pk=late.pk))
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, live_server, manager.email, settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/n/{dealer.network.slug}/d/{dealer.code}/promises/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-promises') && Chart.getChart('chart-weeks')")
    shares = page.evaluate("() => Chart.getChart('chart-promises').data.datasets[0].data")
    assert shares[0] == pytest.approx(66.7, abs=0.1)  # promise 1: two of three kept
    assert all(url.startswith(live_server.url) for url in requests), "every asset is served locally"
    screenshot("promise-dashboard")
    page.get_by_test_id("broken-list").get_by_role("link", name=late.number).click()
    page.get_by_test_id("promise-1").wait_for()
    assert page.get_by_test_id("promise-1").get_attribute("data-status") == "broken"


def test_in_spanish_the_charts_show_spanish_weeks_and_percentages(page, live_server, manager, dealer, make_job):
    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
    from tests.servicejobs.test_steps import walk_to

    with tenant_scope(TenantScope.for_dealer(dealer)):
        walk_to(make_job(appointment_in=timedelta(hours=-3)), "handover")
    manager.language = "es"  # the manager reads Spanish (kept on the account)
    manager.save(update_fields=["language"])
    log_in(page, live_server, manager.email, settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/n/{dealer.network.slug}/d/{dealer.code}/promises/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-promises') && Chart.getChart('chart-weeks')")

    tick = page.evaluate("() => Chart.getChart('chart-weeks').options.scales.y.ticks.callback(97.6)")
    weeks = page.evaluate("() => Chart.getChart('chart-weeks').data.labels")

    assert tick.replace("\u00a0", " ") == "97,6 %"
    assert weeks and all(" de " in week for week in weeks)  # "2 de marzo": Spanish MONTH_DAY_FORMAT
