"""The representative's journey in a real browser: log a complaint, work it through PRC to satisfied."""

import pytest
from django.conf import settings

from tests.e2e.test_login_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def act(page, testid, fields: dict, button: str):
    """Open one action's panel, fill its form and submit it (a full page load: the form is ordinary)."""
    panel = page.get_by_test_id(f"action-{testid}")
    panel.locator("summary").click()
    for label, value in fields.items():
        field = panel.get_by_label(label)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    with page.expect_navigation():
        panel.get_by_role("button", name=button).click()


def test_representative_logs_a_complaint_and_closes_it_with_the_customers_confirmation(
        page, live_server, representative, manager, dealer, screenshot):
    from tests import factories

    factories.CustomerFactory(dealer=dealer, name="Mariana Gómez", phone="+528115556666")
    log_in(page, live_server, representative.email, settings.DEMO_PASSWORD)
    page.get_by_test_id("representative-queue").get_by_role("link", name="Log a complaint").click()
    page.get_by_label("Find the customer").fill("5556666")
    page.get_by_label("Find the customer").press("Enter")
    page.get_by_test_id("customer-results").get_by_role("link", name="Mariana Gómez").click()
    form = page.get_by_test_id("complaint-form")
    form.get_by_label("Department").select_option("service")
    form.get_by_label("How it came in").select_option("phone")
    form.get_by_label("The customer's own words").fill("Me entregaron el auto sucio y con un rayón en la puerta")
    form.get_by_role("button", name="Log the complaint").click()
    page.get_by_test_id("complaint-state").wait_for()
    assert page.get_by_test_id("complaint-state").inner_text() == "New"

    act(page, "confirm", {"How it was confirmed": "Phone"}, "Confirm with the customer")
    act(page, "propose", {"Proposed solution": "Pulido sin costo y lavado", "Who was informed": "Jefe de taller"},
        "Propose a solution")
    act(page, "agree", {"What the customer agreed to": "Lo trae el sábado"}, "Record the customer's agreement")
    act(page, "assign_owner", {"Owner who carries the solution through": str(manager)},
        "Name the owner who carries it out")
    act(page, "implemented", {}, "Solution implemented")
    assert page.get_by_test_id("complaint-state").inner_text() == "Awaiting the customer's confirmation"
    act(page, "close_satisfied", {"The customer's confirmation, in their words": "Quedó perfecto, gracias",
                                  "Who confirmed": "Mariana Gómez", "How": "Phone"},
        "Customer confirms they are satisfied")
    assert page.get_by_test_id("complaint-state").inner_text() == "Closed — customer satisfied"
    timeline = page.get_by_test_id("timeline").inner_text()
    for text in ("Pulido sin costo y lavado", "Lo trae el sábado", "Quedó perfecto, gracias"):
        assert text in timeline
    screenshot("representative-complaint-closed")
    # Counted: it has left the open queue and shows among the closed-satisfied ones.
    page.goto(f"{live_server.url}/n/{dealer.network.slug}/d/{dealer.code}/complaints/?view=all")
    assert page.get_by_test_id("queue-row").count() == 0
    page.goto(f"{live_server.url}/n/{dealer.network.slug}/d/{dealer.code}/complaints/?view=all&state=closed_satisfied")
    assert page.get_by_test_id("queue-row").count() == 1
