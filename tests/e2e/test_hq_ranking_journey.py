"""HQ's journey in a real browser: the month's ranking, a region filter, a dealer's scorecard, a KPI's records."""

import pytest
from django.conf import settings

from tests.e2e.test_login_journey import log_in
from tests.scoring import conftest as scoring_fixtures
from tests.scoring.test_ranking_pages import build_ranked_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The scoring fixtures (a POE checklist, submitted assessments, publishing) offered to this module too.
small_poe, submitted_poe, publish = scoring_fixtures.small_poe, scoring_fixtures.submitted_poe, scoring_fixtures.publish


def test_hq_opens_the_ranking_filters_a_region_and_follows_a_kpi_to_its_records(
        page, live_server, hq, network, region, other_region, dealer, other_dealer, submitted_poe,
        publish, screenshot):
    # Eight dealers in two regions, jobs with their promise results, submitted POE, last month published.
    ranked = build_ranked_network(network=network, region=region, other_region=other_region, dealer=dealer,
                                  other_dealer=other_dealer, submitted_poe=submitted_poe, publish=publish,
                                  previous_month=False)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, live_server, hq.email, settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/n/{network.slug}/")
    page.get_by_test_id("nav-network").click()  # the network menu
    page.get_by_test_id("nav-ranking").click()

    table = page.get_by_test_id("ranking-table")
    table.wait_for()
    assert page.get_by_test_id("ranking-month").inner_text() == ranked.month.strftime("%B %Y")
    codes = [row.get_attribute("data-testid") for row in table.locator("tbody tr").all()]
    assert codes[:3] == ["line-NTE-001", "line-SUR-001", "line-NTE-002"]
    assert table.get_by_test_id("top-five").count() == 5

    page.get_by_label("Region").select_option("SUR")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**region=SUR**")
    codes = [row.get_attribute("data-testid") for row in table.locator("tbody tr").all()]
    assert codes == ["line-SUR-001", "line-SUR-002", "line-SUR-003", "line-SUR-004"]
    screenshot("hq-ranking-south")

    table.get_by_role("link", name=other_dealer.name).click()
    page.get_by_test_id("kpis").wait_for()
    assert page.get_by_test_id("overall").inner_text() == "96.0%"
    assert page.get_by_test_id("rank-network").inner_text().startswith("2")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-trend')")
    assert page.evaluate("() => Chart.getChart('chart-trend').data.datasets[0].data") == [96.0]
    screenshot("hq-scorecard")

    page.get_by_test_id("kpi-greeting").get_by_role("link").click()
    cases = page.get_by_test_id("kpi-cases")
    cases.wait_for()
    links = cases.get_by_test_id("record-link")
    assert links.count() == 2
    assert [links.nth(n).inner_text() for n in range(2)] == [f"RO-{ranked.month:%Y%m}-1", f"RO-{ranked.month:%Y%m}-2"]
    assert all(url.startswith(live_server.url) for url in requests), "every asset is served locally"
    links.first.click()
    page.wait_for_url(f"**/n/{network.slug}/d/{other_dealer.code}/jobs/*/")
    assert f"RO-{ranked.month:%Y%m}-1" in page.content()
