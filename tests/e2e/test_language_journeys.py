"""One journey per language in a real browser, failing on any text still in English.

Each person works in the language kept on their account: a Spanish advisor's day in the service lane, a
Malay representative's complaint from the counter to the customer's confirmation, a Chinese HQ analyst's
ranking and scorecard, a Finnish manager's home. The browser itself asks for English (Accept-Language
en-US), so what the pages show comes from the account, not from the browser. On every page the check of
tests/e2e/language.py compares the visible text (chart labels included) with the English catalogue.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.e2e.language import assert_in_language, t
from tests.e2e.test_login_journey import answer_second_factor
from tests.scoring import conftest as scoring_fixtures
from tests.scoring.test_ranking_pages import build_ranked_network

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

small_poe, submitted_poe, publish = scoring_fixtures.small_poe, scoring_fixtures.submitted_poe, scoring_fixtures.publish


def speaks(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    answer_second_factor(page)
    assert page.locator("html").get_attribute("lang") == user.language


def tap(page, language, step):
    with page.expect_response(lambda response: "/steps/" in response.url):
        page.get_by_test_id("job-steps").get_by_role("button", name=t(language, step), exact=True).click()
    page.get_by_test_id("job-panel").wait_for()


def test_spanish_advisors_day(page, live_server, advisor, dealer, screenshot):
    es = "es"
    log_in(page, live_server, speaks(advisor, es))
    page.get_by_test_id("advisor-board").wait_for()
    assert_in_language(page, es, "the advisor's board")

    page.get_by_role("link", name=t(es, "New job")).first.click()
    form = page.get_by_test_id("new-customer-form")
    assert_in_language(page, es, "the new job page")
    form.locator("[name=name]").fill("Camila Reyes Ortiz")
    form.locator("[name=phone]").fill("+52 81 2222 3333")
    form.locator("[name=vin]").fill("3AUXY2K70PN765432")
    form.locator("[name=plate]").fill("XYZ987A")
    form.locator("[name=work_category]").select_option("maintenance")
    form.locator("button[type=submit]").click()
    page.get_by_test_id("job-panel").wait_for()
    assert page.get_by_test_id("job-status").inner_text() == t(es, "Booked")
    assert_in_language(page, es, "a booked job")

    tap(page, es, "Customer arrived")
    tap(page, es, "Greeted")
    tap(page, es, "Walk-around done")
    page.get_by_test_id("job-steps").get_by_role("link", name=t(es, "Estimate given")).click()
    step_form = page.get_by_test_id("step-form")
    assert_in_language(page, es, "the estimate form")
    step_form.locator("[name=estimated_duration_minutes]").fill("90")
    ready_by = timezone.localtime(timezone=dealer.zone) + timedelta(hours=2)
    step_form.locator("[name=promised_ready_at]").fill(ready_by.strftime("%Y-%m-%dT%H:%M"))
    step_form.locator("button[type=submit]").click()
    page.get_by_test_id("job-panel").wait_for()
    tap(page, es, "Into the workshop")
    tap(page, es, "Ready")
    page.get_by_test_id("job-steps").get_by_role("link", name=t(es, "Handed over")).click()
    page.get_by_test_id("step-form").locator("button[type=submit]").click()
    page.get_by_test_id("job-panel").wait_for()
    assert page.get_by_test_id("job-status").inner_text() == t(es, "Delivered")
    assert_in_language(page, es, "a delivered job with its promises")
    screenshot("es-advisor-job-delivered")

    page.goto(f"{live_server.url}/n/{dealer.network.slug}/d/{dealer.code}/")
    page.get_by_test_id("advisor-board").wait_for()
    assert_in_language(page, es, "the board at the end of the day")


def act(page, action, fields: dict):
    """Open one action's panel, fill its fields (by name) and submit it."""
    panel = page.get_by_test_id(f"action-{action}")
    panel.locator("summary").click()
    for name, value in fields.items():
        field = panel.locator(f"[name={action}-{name}]")  # each action's form has the action as its prefix
        if field.evaluate("el => el.tagName") == "SELECT":
            if value is None:  # the first real choice
                value = field.locator("option:not([value=''])").first.get_attribute("value")
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        panel.locator("button[type=submit]").click()


def test_malay_representatives_complaint_to_closure(page, live_server, representative, manager, dealer, screenshot):
    from tests import factories

    ms = "ms"
    speaks(manager, ms)
    factories.CustomerFactory(dealer=dealer, name="Nur Aisyah binti Hassan", phone="+60123456789")
    log_in(page, live_server, speaks(representative, ms))
    queue = page.get_by_test_id("representative-queue")
    queue.wait_for()
    assert_in_language(page, ms, "the representative's home")
    queue.get_by_role("link", name=t(ms, "Log a complaint")).click()
    assert_in_language(page, ms, "the customer search")
    page.locator("[name=q]").fill("3456789")
    page.locator("[name=q]").press("Enter")
    page.get_by_test_id("customer-results").get_by_role("link", name="Nur Aisyah binti Hassan").click()
    form = page.get_by_test_id("complaint-form")
    assert_in_language(page, ms, "the complaint form")
    form.locator("[name=department]").select_option("service")
    form.locator("[name=channel]").select_option("phone")
    form.locator("[name=words]").fill("Kereta saya dipulangkan kotor dan ada calar pada pintu")
    form.locator("button[type=submit]").click()
    page.get_by_test_id("complaint-state").wait_for()
    assert page.get_by_test_id("complaint-state").inner_text() == t(ms, "New")
    assert_in_language(page, ms, "a new complaint")

    act(page, "confirm", {"channel": "phone"})
    act(page, "propose", {"text": "Gilap dan cuci percuma", "informed": "Ketua bengkel"})
    act(page, "agree", {"proposal_id": None, "agreement": "Pelanggan bawa kereta pada hari Sabtu"})
    act(page, "assign_owner", {"owner": None})
    act(page, "implemented", {})
    assert page.get_by_test_id("complaint-state").inner_text() == t(ms, "Awaiting the customer's confirmation")
    assert_in_language(page, ms, "a complaint awaiting confirmation")
    act(page, "close_satisfied", {"words": "Sudah sempurna, terima kasih", "confirmed_by": "Nur Aisyah",
                                  "channel": "phone"})
    assert page.get_by_test_id("complaint-state").inner_text() == t(ms, "Closed — customer satisfied")
    assert_in_language(page, ms, "a closed complaint with its timeline")
    screenshot("ms-representative-complaint-closed")
    page.goto(f"{live_server.url}/n/{dealer.network.slug}/d/{dealer.code}/complaints/?view=all")
    assert_in_language(page, ms, "the complaint queue")


def test_chinese_hq_ranking_and_scorecard(page, live_server, hq, network, region, other_region, dealer,
                                          other_dealer, submitted_poe, publish, screenshot):
    zh = "zh-hans"
    network.content_languages = [zh]  # its KPI names are written in Chinese too
    network.save(update_fields=["content_languages"])
    build_ranked_network(network=network, region=region, other_region=other_region, dealer=dealer,
                         other_dealer=other_dealer, submitted_poe=submitted_poe, publish=publish,
                         previous_month=True)
    log_in(page, live_server, speaks(hq, zh))
    page.get_by_test_id("network-name").wait_for()
    assert_in_language(page, zh, "HQ's network home")
    page.get_by_test_id("nav-network").click()
    page.get_by_test_id("nav-ranking").click()
    page.get_by_test_id("ranking-table").wait_for()
    assert_in_language(page, zh, "the monthly ranking")
    screenshot("zh-hq-ranking")

    page.get_by_test_id("ranking-table").get_by_role("link", name=other_dealer.name).click()
    page.get_by_test_id("kpis").wait_for()
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-trend')")
    assert_in_language(page, zh, "a dealer's scorecard and its trend chart")
    screenshot("zh-hq-scorecard")


def test_finnish_managers_home(page, live_server, manager, advisor, dealer, make_job, screenshot):
    fi = "fi"
    make_job()
    log_in(page, live_server, speaks(manager, fi))
    page.get_by_test_id("manager-overview").wait_for()
    assert_in_language(page, fi, "the manager's home")
    screenshot("fi-manager-home")
