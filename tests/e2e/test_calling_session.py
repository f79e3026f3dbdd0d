"""The representative's calling session in a real browser: the list, one-tap attempt, answers → complaint."""

import pytest
from django.conf import settings
from django.utils import timezone

from tests.e2e.test_login_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_representative_calls_a_customer_who_is_unhappy_and_lands_on_the_new_complaint(
        page, live_server, representative, dealer, make_job, screenshot):
    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
    from followups.models import SHIPPED_QUESTIONS, FollowUpCall
    from tests.servicejobs.test_steps import walk_to

    with tenant_scope(TenantScope.for_dealer(dealer)):
        job = walk_to(make_job(), "handover")
        FollowUpCall.objects.filter(service_job=job).update(window_start=timezone.localdate(timezone=dealer.zone))
    name = job.customer.name
    log_in(page, live_server, representative.email, settings.DEMO_PASSWORD)
    page.get_by_role("link", name="Calls").click()
    page.get_by_test_id("calls-due-today").get_by_text(name).click()
    with page.expect_navigation():
        page.get_by_test_id("attempt-buttons").get_by_role("button", name="Voicemail").click()
    assert "Attempt recorded: Voicemail." in page.locator("main").inner_text()
    page.get_by_test_id("calls-due-today").get_by_text(name).click()
    assert page.get_by_test_id("call-status").inner_text() == "Tried, not reached yet"
    form = page.get_by_test_id("answers-form")
    form.locator("input[name=overall][value='2']").check()
    form.locator("input[name=work_done_right][value='no']").check()
    form.locator("input[name=ready_when_promised][value='yes']").check()
    form.locator("input[name=would_recommend][value='no']").check()
    form.get_by_label(SHIPPED_QUESTIONS["comments"]["en"]).fill("El ruido sigue, nadie me avisó")
    with page.expect_navigation():
        form.get_by_role("button", name="Record the answers").click()
    page.get_by_test_id("complaint-state").wait_for()
    assert page.get_by_test_id("complaint-state").inner_text() == "New"
    assert "El ruido sigue, nadie me avisó" in page.locator("main").inner_text()
    assert "Follow-up call" in page.locator("main").inner_text()
    screenshot("calling-session-complaint")
