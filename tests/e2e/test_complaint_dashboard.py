"""The complaint dashboard's charts in a real browser, in the reader's language."""

import pytest
from django.conf import settings

from tests.e2e.test_login_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_in_spanish_the_charts_name_months_and_format_shares_in_spanish(page, live_server, manager, dealer):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    manager.language = "es"  # the manager reads Spanish (kept on the account)
    manager.save(update_fields=["language"])
    log_in(page, live_server, manager.email, settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/n/{dealer.network.slug}/d/{dealer.code}/complaints/figures/")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-months') && Chart.getChart('chart-pareto')")

    months = page.evaluate("() => Chart.getChart('chart-months').data.labels")
    tick = page.evaluate("() => Chart.getChart('chart-pareto').options.scales.share.ticks.callback(50)")

    assert months and all(" de 20" in month for month in months)  # "marzo de 2026"
    assert tick.replace("\u00a0", " ") == "50 %"
    assert errors == []
