"""The advisor's day in a real browser: book a job for a new customer, tap it through, see the promises."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.e2e.test_login_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tap(page, label):
    """Press a step button and wait for htmx to swap the job's panel (no full-page load)."""
    with page.expect_response(lambda response: "/steps/" in response.url):
        page.get_by_test_id("job-steps").get_by_role("button", name=label).click()
    page.get_by_test_id("job-panel").wait_for()


def test_advisor_books_a_new_customer_and_hands_the_car_over(page, live_server, advisor, dealer, screenshot):
    log_in(page, live_server, advisor.email, settings.DEMO_PASSWORD)
    page.get_by_test_id("advisor-board").wait_for()
    page.get_by_role("link", name="New job").first.click()

    form = page.get_by_test_id("new-customer-form")
    form.get_by_label("Customer name").fill("Camila Reyes Ortiz")
    form.get_by_label("Phone").fill("+52 81 2222 3333")
    form.get_by_label("VIN").fill("3AUXY2K70PN765432")
    form.get_by_label("Plate").fill("XYZ987A")
    form.get_by_label("Work category").select_option("maintenance")
    form.get_by_role("button", name="Create and book").click()
    page.get_by_test_id("job-panel").wait_for()
    assert page.get_by_test_id("job-status").inner_text() == "Booked"

    start = page.evaluate("() => performance.getEntriesByType('resource').length")
    tap(page, "Customer arrived")
    tap(page, "Greeted")
    tap(page, "Walk-around done")
    page.get_by_test_id("job-steps").get_by_role("link", name="Estimate given").click()
    step_form = page.get_by_test_id("step-form")
    step_form.get_by_label("Estimated duration (minutes)").fill("90")
    ready_by = timezone.localtime(timezone=dealer.zone) + timedelta(hours=2)
    step_form.get_by_label("Ready by").fill(ready_by.strftime("%Y-%m-%dT%H:%M"))
    step_form.get_by_role("button", name="Save").click()
    page.get_by_test_id("job-panel").wait_for()
    tap(page, "Into the workshop")
    tap(page, "Ready")
    page.get_by_test_id("job-steps").get_by_role("link", name="Handed over").click()
    page.get_by_test_id("step-form").get_by_role("button", name="Save").click()
    page.get_by_test_id("job-panel").wait_for()

    assert page.get_by_test_id("job-status").inner_text() == "Delivered"
    statuses = {n: page.get_by_test_id(f"promise-{n}").get_attribute("data-status") for n in range(1, 10)}
    assert statuses == {1: "not_applicable", 2: "kept", 3: "kept", 4: "kept", 5: "kept", 6: "kept", 7: "kept",
                        8: "kept", 9: "pending"}
    assert "Walk-in" in page.get_by_test_id("promise-1").inner_text()
    # The taps swapped fragments: the page itself was never reloaded.
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == 1
    assert page.evaluate("() => performance.getEntriesByType('resource').length") >= start
    screenshot("advisor-job-delivered")


def test_board_taps_move_a_job_between_columns(page, live_server, advisor, dealer, screenshot):
    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
    from servicejobs import services
    from tests import factories

    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer, name="Lucía Torres"))
    with tenant_scope(TenantScope.for_dealer(dealer)):
        services.job_create(dealer=dealer, number="RO-BOARD-1", customer=vehicle.customer, vehicle=vehicle,
                            work_category="maintenance", appointment_at=timezone.now() + timedelta(minutes=20))
    log_in(page, live_server, advisor.email, settings.DEMO_PASSWORD)
    expected = page.get_by_test_id("column-expected")
    expected.get_by_text("Lucía Torres").wait_for()
    with page.expect_response(lambda response: "/steps/arrive/" in response.url):
        expected.get_by_role("button", name="Customer arrived").click()
    page.get_by_test_id("column-workshop").get_by_text("Lucía Torres").wait_for()
    assert page.get_by_test_id("column-expected").get_by_text("Lucía Torres").count() == 0
    screenshot("advisor-board")


def test_a_busy_board_shows_more_of_a_column_and_keeps_it_open_after_a_tap(page, live_server, advisor, dealer):
    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
    from servicejobs import services
    from servicejobs.selectors import BOARD_COLUMN_SIZE
    from tests import factories

    with tenant_scope(TenantScope.for_dealer(dealer)):
        for number in range(BOARD_COLUMN_SIZE + 2):
            vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
            services.job_create(dealer=dealer, number=f"RO-BUSY-{number:02d}", customer=vehicle.customer,
                                vehicle=vehicle, work_category="maintenance", advisor=advisor,
                                appointment_at=timezone.now() + timedelta(minutes=10 + number))
    log_in(page, live_server, advisor.email, settings.DEMO_PASSWORD)
    expected = page.get_by_test_id("column-expected")
    expected.get_by_test_id("show-more").wait_for()
    assert expected.get_by_test_id("job-card").count() == BOARD_COLUMN_SIZE
    with page.expect_response(lambda response: "show_expected" in response.url):
        expected.get_by_test_id("show-more").click()
    page.locator(f'[data-job="RO-BUSY-{BOARD_COLUMN_SIZE + 1:02d}"]').wait_for()  # the column's last job
    assert page.get_by_test_id("column-expected").get_by_test_id("show-more").count() == 0
    with page.expect_response(lambda response: "/steps/arrive/" in response.url):
        page.locator('[data-job="RO-BUSY-00"]').get_by_role("button", name="Customer arrived").click()
    page.get_by_test_id("column-workshop").locator('[data-job="RO-BUSY-00"]').wait_for()
    # The column stays open: every other expected job is still shown.
    assert page.get_by_test_id("column-expected").get_by_test_id("job-card").count() == BOARD_COLUMN_SIZE + 1
