"""The assessment pages: HQ's month across the network, starting one, scoring it item by item, submitting,
reopening, and the dealer's own self-assessments."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from accounts.models import User
from dealer_portal.tenancy.calendar import local_today
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from scoring.models import Assessment, AssessmentEvent, AssessmentScore, AssessmentStatus, ChecklistItem
from scoring.services import assessment_score, assessment_start
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db


def url(dealer, name, *args):
    return reverse(name, args=[dealer.network.slug, dealer.code, *args])


def network_url(network, name, *args):
    return reverse(name, args=[network.slug, *args])


@pytest.fixture
def this_month(network):
    return local_today(network).replace(day=1)


@pytest.fixture
def items(small_poe, network):
    with tenant_scope(TenantScope.for_network(network.pk)):
        return {item.code: item for item in ChecklistItem.objects.filter(section__template=small_poe)}


@pytest.fixture
def start(small_poe, this_month, hq):
    """``start(dealer, by=hq, is_self_assessment=False, scores={"SP.1": 8})``: an assessment made by the services."""

    def make(dealer, *, by=hq, is_self_assessment=False, scores=None, month=None):
        with tenant_scope(TenantScope.for_dealer(dealer)):
            assessment = assessment_start(dealer=dealer, template=small_poe, month=month or this_month, by=by,
                                          is_self_assessment=is_self_assessment)
            for code, points in (scores or {}).items():
                item = ChecklistItem.objects.get(section__template=small_poe, code=code)
                assessment_score(assessment=assessment, item=item, points=points, not_applicable=points is None)
            return assessment

    return make


def score_post(items, values: dict) -> dict:
    """The scoring form's POST body: {code: points | "na" | (points, comment)}."""
    data = {}
    for code, value in values.items():
        prefix = f"item-{items[code].pk}"
        comment = ""
        if isinstance(value, tuple):
            value, comment = value
        if value == "na":
            data[f"{prefix}-not_applicable"] = "on"
        else:
            data[f"{prefix}-points"] = "" if value is None else str(value)
        data[f"{prefix}-comment"] = comment
    return data


def item_block(page: str, code: str) -> str:
    """The HTML of one item's line on the assessment page."""
    start = page.index(f'data-testid="item-{code}"')
    return page[start:page.index("</li>", start)]


def main(page: str) -> str:
    """The page without its header (whose dealer switcher names every dealer the user sees)."""
    return page[page.index('id="main"'):]


def scores_of(assessment) -> dict:
    with unscoped():
        return {score.item.code: (score.points, score.not_applicable, score.comment)
                for score in AssessmentScore.objects.filter(assessment=assessment).select_related("item")}


# --- Starting an assessment -----------------------------------------------------------------------------------


def test_hq_starts_the_months_assessment_and_lands_on_it(client, hq, dealer, small_poe, this_month):
    client.force_login(hq)
    page = client.get(url(dealer, "scoring_assessment_new"))
    assert page.status_code == 200
    assert f'value="{this_month:%Y-%m}"' in page.content.decode()
    response = client.post(url(dealer, "scoring_assessment_new"),
                           {"template": small_poe.pk, "month": this_month.strftime("%Y-%m")})
    with unscoped():
        assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(dealer, "scoring_assessment", assessment.pk)
    assert (assessment.dealer, assessment.month, assessment.is_self_assessment, assessment.auditor) == (
        dealer, this_month, False, hq)


def test_a_month_in_the_future_is_refused(client, hq, dealer, small_poe, this_month):
    future = (this_month + timedelta(days=32)).replace(day=1)
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment_new"),
                           {"template": small_poe.pk, "month": future.strftime("%Y-%m")})
    assert response.status_code == 400
    assert f"{future:%B %Y} is in the future." in response.content.decode()
    with unscoped():
        assert not Assessment.objects.exists()


def test_a_month_that_is_not_a_month_is_refused(client, hq, dealer, small_poe):
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment_new"), {"template": small_poe.pk, "month": "October"})
    assert response.status_code == 400
    assert "Give the month as YYYY-MM, for example 2026-10." in response.content.decode()


def test_a_second_assessment_of_the_same_checklist_and_month_is_a_form_error(client, hq, dealer, small_poe,
                                                                             this_month, start):
    start(dealer)
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment_new"),
                           {"template": small_poe.pk, "month": this_month.strftime("%Y-%m")})
    assert response.status_code == 400
    with translation.override("en"):
        assert f"This dealer already has this assessment for {date_format(this_month, 'F Y')}." \
            in response.content.decode()
    with unscoped():
        assert Assessment.objects.count() == 1


def test_a_second_assessment_is_refused_naming_the_month_in_the_readers_language(client, hq, dealer, small_poe,
                                                                               this_month, start):
    start(dealer)
    User.objects.filter(pk=hq.pk).update(language="es")
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment_new"),
                           {"template": small_poe.pk, "month": this_month.strftime("%Y-%m")})
    assert response.status_code == 400
    with translation.override("es"):
        month = date_format(this_month, "YEAR_MONTH_FORMAT")  # "marzo de 2026"
    assert month.endswith(f"de {this_month.year}") and this_month.strftime("%B") not in month
    assert f"Este distribuidor ya tiene esta evaluación para {month}." in response.content.decode()


def test_the_dealer_manager_starts_a_self_assessment_not_hqs(client, manager, hq, dealer, small_poe, this_month):
    client.force_login(manager)
    page = client.get(url(dealer, "scoring_assessment_new")).content.decode()
    assert "It never counts as HQ's assessment." in page
    response = client.post(url(dealer, "scoring_assessment_new"),
                           {"template": small_poe.pk, "month": this_month.strftime("%Y-%m")})
    assert response.status_code == 302
    with unscoped():
        assessment = Assessment.objects.get()
    assert assessment.is_self_assessment is True
    detail = client.get(url(dealer, "scoring_assessment", assessment.pk)).content.decode()
    assert 'data-testid="self-assessment"' in detail
    # HQ's list of the month does not count it: the dealer is still "not assessed".
    client.force_login(hq)
    hq_list = client.get(network_url(dealer.network, "scoring_assessments")).content.decode()
    assert f'data-testid="assessment-{dealer.code}-poe"' not in hq_list
    assert f'data-testid="not-assessed-{dealer.code}"' in hq_list


@pytest.mark.parametrize("who", ["advisor", "regional_manager"])
def test_people_who_do_not_assess_cannot_start_one(client, request, who, dealer, small_poe, this_month):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(dealer, "scoring_assessment_new")).status_code == 403
    response = client.post(url(dealer, "scoring_assessment_new"),
                           {"template": small_poe.pk, "month": this_month.strftime("%Y-%m")})
    assert response.status_code == 403
    with unscoped():
        assert not Assessment.objects.exists()


def test_another_networks_checklist_cannot_be_chosen(client, hq, dealer, small_poe, other_network, this_month):
    from scoring.services import checklist_import
    from tests.scoring.conftest import SMALL_POE

    with tenant_scope(TenantScope.for_network(other_network.pk)):
        foreign = checklist_import(network=other_network, data=SMALL_POE)
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment_new"),
                           {"template": foreign.pk, "month": this_month.strftime("%Y-%m")})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


# --- Scoring --------------------------------------------------------------------------------------------------


def test_scores_are_saved_and_the_poe_is_shown_per_section_and_in_total(client, hq, dealer, start, items):
    assessment = start(dealer)
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment", assessment.pk),
                           score_post(items, {"SP.1": (8, "Confirmed by phone"), "SP.2": "na", "SI.1": 5}))
    assert response.status_code == 302
    assert scores_of(assessment) == {"SP.1": (8, False, "Confirmed by phone"), "SP.2": (None, True, ""),
                                     "SI.1": (5, False, "")}
    page = client.get(url(dealer, "scoring_assessment", assessment.pk)).content.decode()
    assert re.search(r'data-testid="poe-total">65.0%<', page)
    assert re.search(r'data-testid="section-poe-SP">80.0%', page)
    assert re.search(r'data-testid="section-poe-SI">50.0%', page)
    assert "13 of 20 applicable points" in page
    assert 'value="8"' in item_block(page, "SP.1") and "Confirmed by phone" in item_block(page, "SP.1")


def test_points_above_the_maximum_save_nothing_and_show_the_error_next_to_each_bad_item(client, hq, dealer,
                                                                                        start, items):
    assessment = start(dealer, scores={"SP.1": 8, "SI.1": 5})
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment", assessment.pk),
                           score_post(items, {"SP.1": 7, "SP.2": 6, "SI.1": 11}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give from 0 to 5 points, or mark it not applicable." in item_block(page, "SP.2")
    assert "Give from 0 to 10 points, or mark it not applicable." in item_block(page, "SI.1")
    assert "Give from" not in item_block(page, "SP.1")
    assert "Nothing was saved: correct the items marked below." in page
    # The values typed are still in the form.
    assert 'value="6"' in item_block(page, "SP.2") and 'value="7"' in item_block(page, "SP.1")
    # Nothing changed, not even the good item.
    assert scores_of(assessment) == {"SP.1": (8, False, ""), "SI.1": (5, False, "")}


def test_a_negative_or_non_numeric_score_is_a_form_error(client, hq, dealer, start, items):
    assessment = start(dealer, scores={"SP.1": 8})
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment", assessment.pk),
                           score_post(items, {"SP.1": -1, "SP.2": "many", "SI.1": 3}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ensure this value is greater than or equal to 0." in item_block(page, "SP.1")
    assert "Enter a whole number." in item_block(page, "SP.2")
    assert scores_of(assessment) == {"SP.1": (8, False, "")}


def test_items_left_blank_are_left_for_later(client, hq, dealer, start, items):
    assessment = start(dealer)
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment", assessment.pk),
                           score_post(items, {"SP.1": 4, "SP.2": None, "SI.1": None}))
    assert response.status_code == 302
    assert scores_of(assessment) == {"SP.1": (4, False, "")}
    page = client.get(url(dealer, "scoring_assessment", assessment.pk)).content.decode()
    assert "1 of 3 items scored" in page


# --- Submitting and reopening ---------------------------------------------------------------------------------


def test_submit_lists_the_missing_items(client, hq, dealer, start):
    assessment = start(dealer, scores={"SP.1": 8})
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment_submit", assessment.pk))
    assert response.status_code == 400
    assert "Score these items first: SP.2, SI.1." in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT


def test_submit_locks_the_assessment(client, hq, dealer, start, items):
    assessment = start(dealer, scores={"SP.1": 8, "SP.2": None, "SI.1": 5})
    client.force_login(hq)
    response = client.post(url(dealer, "scoring_assessment_submit", assessment.pk))
    assert response.status_code == 302
    page = client.get(url(dealer, "scoring_assessment", assessment.pk)).content.decode()
    assert 'data-testid="score-form"' not in page and 'data-testid="submit"' not in page
    assert "8 / 10" in item_block(page, "SP.1")
    assert 'data-testid="event-submitted"' in page
    locked = client.post(url(dealer, "scoring_assessment", assessment.pk), score_post(items, {"SP.1": 2}))
    assert locked.status_code == 400
    assert "This assessment was submitted and is locked; a network admin can reopen it." in locked.content.decode()
    assert scores_of(assessment)["SP.1"] == (8, False, "")
    again = client.post(url(dealer, "scoring_assessment_submit", assessment.pk))
    assert again.status_code == 400
    assert "This assessment was submitted and is locked" in again.content.decode()


def test_only_a_network_admin_reopens_and_only_with_a_reason(client, hq, network_admin, dealer, start):
    assessment = start(dealer, scores={"SP.1": 8, "SP.2": None, "SI.1": 5})
    client.force_login(hq)
    client.post(url(dealer, "scoring_assessment_submit", assessment.pk))
    page = client.get(url(dealer, "scoring_assessment", assessment.pk)).content.decode()
    assert 'data-testid="reopen-form"' not in page
    assert client.post(url(dealer, "scoring_assessment_reopen", assessment.pk),
                       {"reason": "Wrong dealer"}).status_code == 403

    client.force_login(network_admin)
    assert 'data-testid="reopen-form"' in client.get(url(dealer, "scoring_assessment", assessment.pk)).content.decode()
    no_reason = client.post(url(dealer, "scoring_assessment_reopen", assessment.pk), {"reason": "  "})
    assert no_reason.status_code == 400
    assert "Say why the assessment is reopened." in no_reason.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED

    response = client.post(url(dealer, "scoring_assessment_reopen", assessment.pk),
                           {"reason": "SI.1 evidence was for another outlet"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.DRAFT
    with unscoped():
        assert list(AssessmentEvent.objects.filter(assessment=assessment).values_list("action", "by")) == [
            ("submitted", hq.pk), ("reopened", network_admin.pk)]
    page = client.get(url(dealer, "scoring_assessment", assessment.pk)).content.decode()
    history = page[page.index('data-testid="history"'):]
    assert "SI.1 evidence was for another outlet" in history and str(network_admin) in history
    assert 'data-testid="score-form"' in page


# --- Who sees and edits what ----------------------------------------------------------------------------------


def test_dealer_staff_do_not_see_hqs_draft_but_read_it_once_submitted(client, advisor, manager, hq, dealer,
                                                                      start, items):
    assessment = start(dealer, scores={"SP.1": 8, "SP.2": None})
    for person in (advisor, manager):
        client.force_login(person)
        assert client.get(url(dealer, "scoring_assessment", assessment.pk)).status_code == 404
        listing = client.get(url(dealer, "scoring_dealer_assessments")).content.decode()
        assert f'data-testid="assessment-{assessment.pk}"' not in listing

    with tenant_scope(TenantScope.for_dealer(dealer)):
        assessment_score(assessment=assessment, item=items["SI.1"], points=5)
    client.force_login(hq)
    client.post(url(dealer, "scoring_assessment_submit", assessment.pk))

    client.force_login(advisor)
    page = client.get(url(dealer, "scoring_assessment", assessment.pk))
    assert page.status_code == 200
    assert re.search(r'data-testid="poe-total">65.0%<', page.content.decode())
    listing = client.get(url(dealer, "scoring_dealer_assessments")).content.decode()
    assert f'data-testid="assessment-{assessment.pk}"' in listing
    assert client.post(url(dealer, "scoring_assessment", assessment.pk),
                       score_post(items, {"SP.1": 1})).status_code == 403
    client.force_login(manager)
    assert client.post(url(dealer, "scoring_assessment_reopen", assessment.pk),
                       {"reason": "we disagree"}).status_code == 403


def test_hq_reads_but_does_not_edit_a_self_assessment(client, manager, hq, dealer, start, items):
    own = start(dealer, by=manager, is_self_assessment=True)
    client.force_login(manager)
    assert client.post(url(dealer, "scoring_assessment", own.pk),
                       score_post(items, {"SP.1": 9})).status_code == 302
    client.force_login(hq)
    page = client.get(url(dealer, "scoring_assessment", own.pk)).content.decode()
    assert 'data-testid="self-assessment"' in page and 'data-testid="score-form"' not in page
    assert client.post(url(dealer, "scoring_assessment", own.pk), score_post(items, {"SP.1": 1})).status_code == 403
    assert client.post(url(dealer, "scoring_assessment_submit", own.pk)).status_code == 403
    assert scores_of(own) == {"SP.1": (9, False, "")}
    listing = client.get(url(dealer, "scoring_dealer_assessments")).content.decode()
    assert f'data-testid="assessment-{own.pk}"' in listing


def test_the_dealer_manager_does_not_edit_hqs_assessment(client, manager, hq, dealer, start, items):
    assessment = start(dealer, scores={"SP.1": 8, "SP.2": None, "SI.1": 5})
    client.force_login(hq)
    client.post(url(dealer, "scoring_assessment_submit", assessment.pk))
    client.force_login(manager)
    assert client.post(url(dealer, "scoring_assessment_submit", assessment.pk)).status_code == 403


def test_the_regional_manager_reads_hqs_drafts_of_the_region(client, regional_manager, dealer, start, items):
    assessment = start(dealer, scores={"SP.1": 8})
    client.force_login(regional_manager)
    page = client.get(url(dealer, "scoring_assessment", assessment.pk))
    assert page.status_code == 200 and 'data-testid="score-form"' not in page.content.decode()
    assert client.post(url(dealer, "scoring_assessment", assessment.pk),
                       score_post(items, {"SP.1": 1})).status_code == 403


def test_another_dealer_or_network_gets_404_on_every_assessment_page(neighbour, outsider, dealer, start):
    assessment = start(dealer, scores={"SP.1": 8, "SP.2": None, "SI.1": 5})
    pages = [url(dealer, "scoring_dealer_assessments"), url(dealer, "scoring_assessment_new"),
             url(dealer, "scoring_assessment", assessment.pk), url(dealer, "scoring_assessment_submit", assessment.pk),
             url(dealer, "scoring_assessment_reopen", assessment.pk),
             url(dealer, "scoring_evidence_add", assessment.pk)]
    assert_not_found_for(neighbour, web=pages)
    assert_not_found_for(outsider, web=pages + [network_url(dealer.network, "scoring_assessments")])


def test_an_assessment_of_another_dealer_is_404_under_this_dealers_url(client, hq, dealer, other_dealer, start):
    theirs = start(other_dealer)
    client.force_login(hq)
    assert client.get(url(dealer, "scoring_assessment", theirs.pk)).status_code == 404
    assert client.get(url(other_dealer, "scoring_assessment", theirs.pk)).status_code == 200


# --- HQ's month across the network ----------------------------------------------------------------------------


def test_hq_sees_the_months_assessments_and_who_is_not_assessed(client, hq, dealer, other_dealer, start,
                                                                this_month):
    submitted = start(dealer, scores={"SP.1": 8, "SP.2": None, "SI.1": 5})
    client.force_login(hq)
    client.post(url(dealer, "scoring_assessment_submit", submitted.pk))
    page = client.get(network_url(dealer.network, "scoring_assessments")).content.decode()
    row = page[page.index(f'data-testid="assessment-{dealer.code}-poe"'):]
    row = row[:row.index("</tr>")]
    assert "Aurora Monterrey Valle" in row and "Norte" in row and "Submitted" in row
    assert '<td class="text-end" data-col="poe">65.0%</td>' in row and str(hq) in row
    assert f'data-testid="not-assessed-{other_dealer.code}"' in page
    start_link = url(other_dealer, "scoring_assessment_new") + f"?month={this_month:%Y-%m}"
    assert start_link in page
    assert f'data-testid="not-assessed-{dealer.code}"' not in page


def test_a_draft_shows_no_poe_yet(client, hq, dealer, start):
    start(dealer, scores={"SP.1": 8})
    client.force_login(hq)
    page = client.get(network_url(dealer.network, "scoring_assessments")).content.decode()
    row = page[page.index(f'data-testid="assessment-{dealer.code}-poe"'):]
    assert '<td class="text-end" data-col="poe">—</td>' in row[:row.index("</tr>")]


def test_the_list_filters_by_region_status_and_month(client, hq, dealer, other_dealer, start, this_month):
    start(dealer)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    start(other_dealer, month=last_month)
    client.force_login(hq)
    link = network_url(dealer.network, "scoring_assessments")
    north = main(client.get(link, {"region": "NTE"}).content.decode())
    assert f'data-testid="assessment-{dealer.code}-poe"' in north and other_dealer.name not in north
    south = main(client.get(link, {"region": "SUR"}).content.decode())
    assert f'data-testid="not-assessed-{other_dealer.code}"' in south and dealer.name not in south
    submitted_only = client.get(link, {"status": "submitted"}).content.decode()
    assert "No HQ assessment matches." in submitted_only and 'data-testid="not-assessed"' not in submitted_only
    not_started = client.get(link, {"status": "not_started"}).content.decode()
    assert f'data-testid="not-assessed-{other_dealer.code}"' in not_started
    assert 'data-testid="assessment-table"' not in not_started
    earlier = client.get(link, {"month": last_month.strftime("%Y-%m")}).content.decode()
    assert f'data-testid="assessment-{other_dealer.code}-poe"' in earlier
    assert f'data-testid="not-assessed-{dealer.code}"' in earlier


def test_a_future_month_on_the_list_is_refused(client, hq, network, this_month):
    future = (this_month + timedelta(days=32)).replace(day=1)
    client.force_login(hq)
    response = client.get(network_url(network, "scoring_assessments"), {"month": future.strftime("%Y-%m")})
    assert response.status_code == 400
    assert f"{future:%B %Y} is in the future." in response.content.decode()


def test_the_regional_manager_reads_the_regions_list_without_start_buttons(client, regional_manager, dealer,
                                                                           other_dealer, network_admin):
    client.force_login(regional_manager)
    page = main(client.get(network_url(dealer.network, "scoring_assessments")).content.decode())
    assert f'data-testid="not-assessed-{dealer.code}"' in page
    assert other_dealer.name not in page
    assert 'data-testid="start-' not in page
    client.force_login(network_admin)
    assert f'data-testid="start-{dealer.code}"' in client.get(
        network_url(dealer.network, "scoring_assessments")).content.decode()


def test_dealer_staff_get_404_on_the_network_list(advisor, manager, network):
    assert_not_found_for(advisor, web=[network_url(network, "scoring_assessments")])
    assert_not_found_for(manager, web=[network_url(network, "scoring_assessments")])


def test_the_list_costs_the_same_queries_for_more_assessments(client, hq, dealer, other_dealer, start):
    client.force_login(hq)
    link = network_url(dealer.network, "scoring_assessments")
    start(dealer, scores={"SP.1": 8})
    client.get(link)  # warm the session and the user's grants
    with CaptureQueriesContext(connection) as one:
        client.get(link)
    start(other_dealer, scores={"SP.1": 3, "SI.1": 2})
    with CaptureQueriesContext(connection) as two:
        page = client.get(link).content.decode()
    assert f'data-testid="assessment-{other_dealer.code}-poe"' in page
    assert len(two) == len(one)
