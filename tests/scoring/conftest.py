"""Scoring data built through the services: a small POE checklist, submitted assessments, published rankings."""

from datetime import date

import pytest

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
from scoring.assessments import assessment_score, assessment_start, assessment_submit
from scoring.models import ChecklistItem
from scoring.ranking import ranking_publish
from scoring.services import checklist_import

SMALL_POE = {"code": "poe", "kind": "poe", "name": "POE", "sections": [
    {"code": "SP", "title": "Service process", "items": [{"code": "SP.1", "text": "a", "max_points": 10},
                                                         {"code": "SP.2", "text": "b", "max_points": 5}]},
    {"code": "SI", "title": "Stock inventory", "items": [{"code": "SI.1", "text": "c", "max_points": 10}]},
]}


@pytest.fixture
def small_poe(network):
    """A three-item POE checklist of ``network`` (SP.1 max 10, SP.2 max 5, SI.1 max 10)."""
    with tenant_scope(TenantScope.for_network(network.pk)):
        return checklist_import(network=network, data=SMALL_POE)


@pytest.fixture
def submitted_poe(small_poe, hq):
    """``submitted_poe(dealer, month, {"SP.1": 8, "SP.2": None, "SI.1": 5})``: an HQ POE assessment, submitted.

    ``None`` marks the item not applicable.
    """

    def make(dealer, month: date, points: dict):
        with tenant_scope(TenantScope.for_network(dealer.network_id)):
            items = {item.code: item for item in ChecklistItem.objects.filter(section__template=small_poe)}
            assessment = assessment_start(dealer=dealer, template=small_poe, month=month, by=hq)
            for code, value in points.items():
                assessment_score(assessment=assessment, item=items[code], points=value,
                                 not_applicable=value is None)
            return assessment_submit(assessment=assessment, by=hq)

    return make


@pytest.fixture
def publish(network):
    """``publish(month, **kwargs)``: publish the network's ranking of ``month`` (a date) as the beat task does."""

    def make(month: date, **kwargs):
        with tenant_scope(TenantScope.for_network(network.pk)):
            return ranking_publish(network=network, month=month, **kwargs)

    return make
