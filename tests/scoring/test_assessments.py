"""Monthly assessments: scoring, not applicable, submit locks, only network admins reopen, the POE score."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
from scoring.models import AssessmentEvent, ChecklistItem, ChecklistTemplate
from scoring.rules import Percentage
from scoring.selectors import assessment_result
from scoring.services import assessment_reopen, assessment_score, assessment_start, assessment_submit, checklist_import
from tests.scoring.conftest import SMALL_POE

pytestmark = pytest.mark.django_db

@pytest.fixture
def poe(network, small_poe):
    """The small POE checklist of conftest, with its items by code."""
    with tenant_scope(TenantScope.for_network(network.pk)):
        yield small_poe, {item.code: item for item in ChecklistItem.objects.filter(section__template=small_poe)}


def test_the_poe_score_is_achieved_over_applicable_maximum(dealer, hq, poe):
    template, items = poe
    assessment = assessment_start(dealer=dealer, template=template, month=date(2026, 10, 17), by=hq)
    assert assessment.month == date(2026, 10, 1)
    assessment_score(assessment=assessment, item=items["SP.1"], points=8)
    assessment_score(assessment=assessment, item=items["SP.2"], not_applicable=True)
    assessment_score(assessment=assessment, item=items["SI.1"], points=5)
    total, sections = assessment_result(assessment)
    assert (total.achieved, total.applicable_max, total.percent) == (13, 20, 65.0)
    assert sections["Service process"].percent == 80.0 and sections["Stock inventory"].percent == 50.0


def test_points_above_the_maximum_are_refused(dealer, hq, poe):
    template, items = poe
    assessment = assessment_start(dealer=dealer, template=template, month=date(2026, 10, 1), by=hq)
    with pytest.raises(ValidationError) as refused:
        assessment_score(assessment=assessment, item=items["SP.2"], points=6)
    assert refused.value.message_dict["points"] == ["Give from 0 to 5 points, or mark it not applicable."]


def test_submitting_needs_every_item_then_locks_and_only_a_network_admin_reopens(dealer, hq, network_admin, poe):
    template, items = poe
    assessment = assessment_start(dealer=dealer, template=template, month=date(2026, 10, 1), by=hq)
    assessment_score(assessment=assessment, item=items["SP.1"], points=10)
    with pytest.raises(ValidationError) as incomplete:
        assessment_submit(assessment=assessment, by=hq)
    assert incomplete.value.messages == ["Score these items first: SP.2, SI.1."]
    for code in ("SP.2", "SI.1"):
        assessment_score(assessment=assessment, item=items[code], points=1)
    assessment_submit(assessment=assessment, by=hq)
    with pytest.raises(ValidationError, match="locked"):
        assessment_score(assessment=assessment, item=items["SP.1"], points=0)
    with pytest.raises(ValidationError, match="Only a network admin"):
        assessment_reopen(assessment=assessment, by=hq, reason="typo", is_network_admin=False)
    with pytest.raises(ValidationError):
        assessment_reopen(assessment=assessment, by=network_admin, reason=" ", is_network_admin=True)
    assessment_reopen(assessment=assessment, by=network_admin, reason="SI.1 was scored on the wrong outlet",
                      is_network_admin=True)
    assert list(AssessmentEvent.objects.values_list("action", "reason")) == [
        ("submitted", ""), ("reopened", "SI.1 was scored on the wrong outlet")]


def test_one_hq_assessment_per_month_and_self_assessments_apart(dealer, hq, manager, poe):
    template, _items = poe
    assessment_start(dealer=dealer, template=template, month=date(2026, 10, 1), by=hq)
    with pytest.raises(ValidationError, match="already has this assessment"):
        assessment_start(dealer=dealer, template=template, month=date(2026, 10, 20), by=hq)
    own = assessment_start(dealer=dealer, template=template, month=date(2026, 10, 1), by=manager,
                           is_self_assessment=True)
    assert own.is_self_assessment


def test_a_new_checklist_version_leaves_past_scores_alone(dealer, hq, poe):
    template, items = poe
    assessment = assessment_start(dealer=dealer, template=template, month=date(2026, 9, 1), by=hq)
    for code in ("SP.1", "SP.2", "SI.1"):
        assessment_score(assessment=assessment, item=items[code], points=5)
    with tenant_scope(TenantScope.for_network(dealer.network_id)):
        changed = {**SMALL_POE, "sections": [{**SMALL_POE["sections"][0], "items": [
            {"code": "SP.1", "text": "a", "max_points": 20}]}]}
        newer = checklist_import(network=dealer.network, data=changed)
        assert ChecklistTemplate.objects.filter(code="poe").count() == 2
    assert assessment_result(assessment)[0].applicable_max == 25
    with pytest.raises(ValidationError):
        assessment_start(dealer=dealer, template=template, month=date(2026, 11, 1), by=hq)  # no longer current
    assert assessment_start(dealer=dealer, template=newer, month=date(2026, 11, 1), by=hq).template == newer


@pytest.mark.parametrize(("achieved", "applicable", "shown", "percent"), [
    (57, 80, "71.3", 71.25), (1, 8, "12.5", 12.5), (1, 3, "33.3", 100 / 3), (0, 0, None, None)])
def test_the_poe_percentage_rounds_halves_up_as_the_ranking_shows_it(achieved, applicable, shown, percent):
    # 57 of the shipped checklist's 80 points is 71.25 %: the assessment page and the ranking both show 71.3,
    # and keep 71.25 for what is computed from it.
    poe = Percentage(achieved, applicable)
    assert (poe.shown, poe.percent) == (None if shown is None else Decimal(shown), percent)
