"""Checklists: the shipped POE and PRC ones, import/export as JSON, versions that keep the past intact."""

import json

import pytest
from django.core.exceptions import ValidationError

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
from scoring.models import ChecklistItem, ChecklistTemplate
from scoring.selectors import checklist_export
from scoring.services import checklist_import, shipped_checklists_install

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_network(network):
    with tenant_scope(TenantScope.for_network(network.pk)):
        yield network


def test_the_prc_checklist_ships_exactly_as_the_dealer_standard(in_network):
    assert shipped_checklists_install(network=in_network) == 2
    assert shipped_checklists_install(network=in_network) == 0
    prc = ChecklistTemplate.objects.get(code="prc", is_current=True)
    points = {item.code: item.max_points for item in ChecklistItem.objects.filter(section__template=prc)}
    assert points["G.1"] == points["G.2"] == points["G.3"] == 10
    expected = {"G.4": 5, "G.5": 1, "a.1": 5, "b.7": 3, "b.9": 5, "c.2": 3}
    assert {code: points[code] for code in expected} == expected
    assert all(points[f"c.3.{n}"] == 1 for n in range(1, 10)) and points["d.1"] == 1
    assert len(points) == 30 and sum(points.values()) == 91  # repeated lines of the seed counted once


def test_the_poe_checklist_has_its_four_areas(in_network):
    shipped_checklists_install(network=in_network)
    poe = ChecklistTemplate.objects.get(code="poe")
    assert [s.title for s in poe.sections.all()] == ["Service process", "Technician competency",
                                                     "Stock inventory", "Customer management"]


def test_export_then_import_makes_a_new_version_and_keeps_the_old_one(in_network):
    shipped_checklists_install(network=in_network)
    first = ChecklistTemplate.objects.get(code="prc")
    data = checklist_export(first)
    data["sections"][0]["items"][0]["max_points"] = 12
    second = checklist_import(network=in_network, data=json.dumps(data))
    first.refresh_from_db()
    assert (second.version, second.is_current, first.is_current) == (2, True, False)
    assert ChecklistItem.objects.get(section__template=first, code="G.1").max_points == 10
    assert ChecklistItem.objects.get(section__template=second, code="G.1").max_points == 12


@pytest.mark.parametrize(("data", "message"), [
    ("{not json", "The file is not valid JSON"),
    ({"code": "x", "kind": "poe", "name": "X"}, "“sections” is missing."),
    ({"code": "x", "kind": "bingo", "name": "X", "sections": [{"code": "A", "title": "A", "items": [
        {"code": "A.1", "text": "t", "max_points": 1}]}]}, "“kind” must be one of"),
    ({"code": "x", "kind": "poe", "name": "X", "sections": [{"code": "A", "title": "A", "items": [
        {"code": "A.1", "text": "t", "max_points": 0}, {"code": "A.1", "text": "u", "max_points": 2}]}]},
     "maximum points must be a whole number from 1 to 100"),
    (["a list"], "A checklist is an object"),
    ({"code": "x", "kind": "poe", "name": "X", "sections": "everything"}, "“sections” is missing."),
    ({"code": "x", "kind": "poe", "name": "X", "sections": [{"code": "A", "title": "A", "items": ["A.1"]}]},
     "Every item of section A must be an object"),
    ({"code": "x" * 41, "kind": "poe", "name": "X", "sections": [{"code": "A", "title": "A", "items": [
        {"code": "A.1", "text": "t", "max_points": 1}]}]}, "The checklist code is longer than 40 characters."),
    ({"code": "x", "kind": "poe", "name": "X", "sections": [{"code": "A", "title": "A", "items": [
        {"code": "A.1" * 10, "text": "t", "max_points": True}]}]}, "is longer than 20 characters."),
])
def test_a_bad_checklist_file_is_refused_with_the_reason(in_network, data, message):
    with pytest.raises(ValidationError) as refused:
        checklist_import(network=in_network, data=data)
    assert any(message in text for text in refused.value.messages)
    assert not ChecklistTemplate.objects.exists()


def test_another_networks_checklists_are_invisible(network, other_network):
    with tenant_scope(TenantScope.for_network(other_network.pk)):
        shipped_checklists_install(network=other_network)
    with tenant_scope(TenantScope.for_network(network.pk)):
        assert not ChecklistTemplate.objects.exists()
        assert not ChecklistItem.objects.exists()
