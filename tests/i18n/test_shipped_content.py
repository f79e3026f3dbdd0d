"""The shipped checklists, taxonomy and KPI names are written in all five languages, and a network gets them in
its own: its default language in the fields, its other content languages as translations."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from complaints.models import ComplaintCategory, StandardAnswer
from complaints.services import network_taxonomy_install
from complaints.services.taxonomy import DEFAULT_TAXONOMY
from dealer_portal.tenancy.content import localized
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
from scoring.kpis import DEFAULT_KPI_NAMES, DEFAULT_KPIS, default_kpis
from scoring.models import ChecklistItem, ChecklistSection
from scoring.services import SHIPPED, shipped_checklists_install
from tests import factories

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def test_the_platform_has_five_languages():
    assert {"en", "es", "ms", "fi", "zh-hans"} == LANGUAGES


def _shipped_checklists():
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(Path(SHIPPED).glob("*.json"))}


@pytest.mark.parametrize("code", ["poe", "prc"])
def test_every_shipped_checklist_section_and_item_is_written_in_all_five_languages(code):
    checklist = _shipped_checklists()[code]
    assert checklist["language"] == "en"
    for section in checklist["sections"]:
        assert set(section["translations"]) | {"en"} == LANGUAGES, section["code"]
        assert all(texts["title"].strip() for texts in section["translations"].values()), section["code"]
        for item in section["items"]:
            assert set(item["translations"]) | {"en"} == LANGUAGES, item["code"]
            texts = [item["text"], *(t["text"] for t in item["translations"].values())]
            assert all(text.strip() for text in texts) and len(set(texts)) == 5, item["code"]


def test_the_taxonomy_and_its_answers_are_written_in_all_five_languages():
    parts = [area["name"] for area in DEFAULT_TAXONOMY]
    for area in DEFAULT_TAXONOMY:
        for category in area["categories"]:
            parts.append(category["name"])
            for answer in category["answers"]:
                parts += [answer["title"], answer["body"]]
    assert len(parts) == 4 + 16 + 2 * 20
    for texts in parts:
        assert set(texts) == LANGUAGES and all(text.strip() for text in texts.values()), texts["en"]
        assert len(set(texts.values())) == 5, texts["en"]


def test_the_default_kpi_names_are_written_in_all_five_languages():
    assert set(DEFAULT_KPI_NAMES) == {code for code, *_rest in DEFAULT_KPIS}
    for names in DEFAULT_KPI_NAMES.values():
        assert set(names) == LANGUAGES and len(set(names.values())) == 5


@pytest.fixture
def malaysia(db):
    return factories.NetworkFactory(slug="proton-my", default_language="ms", content_languages=["en", "zh-hans"],
                                    time_zone="Asia/Kuala_Lumpur")


def test_a_malay_network_gets_the_taxonomy_in_malay_with_english_and_chinese_translations(malaysia):
    with tenant_scope(TenantScope.for_network(malaysia.pk)):
        assert network_taxonomy_install(network=malaysia) == 4 + 16 + 20
        late = ComplaintCategory.objects.get(name="Masa penghantaran kenderaan")
        answer = StandardAnswer.objects.filter(category=late).order_by("pk").first()
    assert late.parent.name == "Servis"
    assert late.translations == {"en": {"name": "Delivery time"}, "zh-hans": {"name": "交车时间"}}
    assert answer.title == "Kenderaan lewat siap"
    assert localized(answer, "title", "zh-hans") == "车辆未按时交付"
    assert localized(answer, "title", "es") == "Kenderaan lewat siap"  # not a language of this network


def test_a_spanish_network_gets_the_shipped_spanish_taxonomy_unchanged(db):
    network = factories.NetworkFactory(default_language="es")
    with tenant_scope(TenantScope.for_network(network.pk)):
        network_taxonomy_install(network=network)
        names = set(ComplaintCategory.objects.filter(parent__isnull=True).values_list("name", flat=True))
        assert not ComplaintCategory.objects.exclude(translations={}).exists()
    assert names == {"Servicio", "Ventas", "Refacciones", "Atención"}


def test_a_malay_network_gets_the_checklists_in_malay_with_its_other_languages(malaysia):
    with tenant_scope(TenantScope.for_network(malaysia.pk)):
        assert shipped_checklists_install(network=malaysia) == 2
        section = ChecklistSection.objects.get(template__code="poe", code="SP")
        item = ChecklistItem.objects.get(section=section, code="SP.1")
    assert section.title == "Proses servis"
    assert section.translations == {"en": {"title": "Service process"}, "zh-hans": {"title": "服务流程"}}
    assert item.text.startswith("Janji temu disahkan sehari sebelumnya")
    assert set(item.translations) == {"en", "zh-hans"}


def test_the_default_kpis_are_named_in_the_networks_languages(malaysia):
    greeting = default_kpis(malaysia)[0]
    assert greeting.name == "Pelanggan disambut dalam tempoh janji temu"
    assert greeting.translations == {"en": {"name": "Customers greeted within tolerance of their appointment"},
                                     "zh-hans": {"name": "预约客户准时接待率"}}
