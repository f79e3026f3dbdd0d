"""A network's own content in its languages: the reader sees the translation into their language, else the
network's default text; translations are only ever in the network's languages and the model's own fields."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from complaints.models import ComplaintCategory, StandardAnswer
from dealer_portal.tenancy.content import content_for_network, localized, translations_validate
from dealer_portal.tenancy.scoping import unscoped
from scoring.models import Kpi
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def malaysia(db):
    return factories.NetworkFactory(slug="proton-my", name="Proton Servis Malaysia", default_language="ms",
                                    content_languages=["en", "zh-hans"], time_zone="Asia/Kuala_Lumpur")


def category(network, name="Masa penghantaran kenderaan", translations=None):
    return ComplaintCategory(network=network, name=name, translations=translations or {})


def test_the_reader_sees_the_translation_into_their_language(malaysia):
    row = category(malaysia, translations={"en": {"name": "Delivery time"}, "zh-hans": {"name": "交车时间"}})
    with translation.override("zh-hans"):
        assert localized(row, "name") == "交车时间"
        assert str(row) == "交车时间"
    assert localized(row, "name", "en") == "Delivery time"


def test_without_a_translation_the_reader_sees_the_networks_default_text(malaysia):
    row = category(malaysia, translations={"en": {"name": "Delivery time"}})
    assert localized(row, "name", "zh-hans") == "Masa penghantaran kenderaan"
    assert localized(row, "name", "ms") == "Masa penghantaran kenderaan"
    assert localized(category(malaysia), "name", "en") == "Masa penghantaran kenderaan"


def test_a_snapshot_copy_is_localized_like_the_row(malaysia):
    # Rankings keep plain data: {"name": ..., "translations": ...}.
    kept = {"name": "Pelanggan disambut tepat pada masanya", "translations": {"en": {"name": "Greeted on time"}}}
    assert localized(kept, "name", "en") == "Greeted on time"
    assert localized(kept, "name", "fi") == "Pelanggan disambut tepat pada masanya"


@pytest.mark.parametrize(("translations", "problem"), [
    ({"de": {"name": "Lieferzeit"}}, "de is not one of the network's content languages"),
    ({"english": {"name": "Delivery time"}}, "english is not one of the network's content languages"),
    ({"en": {"title": "Delivery time"}}, "en: title cannot be translated"),
    ({"en": {"name": "  "}}, "en: name must be text, not empty"),
    ({"en": {"name": "x" * 121}}, "en: name is longer than 120 characters"),
    ({"en": "Delivery time"}, "en: give the texts as {field: text}"),
    (["en"], "Give the translations as {language: {field: text}}"),
])
def test_a_translation_outside_the_networks_languages_or_fields_is_refused(malaysia, translations, problem):
    with pytest.raises(ValidationError) as raised:
        translations_validate(translations, model=ComplaintCategory, network=malaysia)
    assert problem in " ".join(raised.value.message_dict["translations"])


def test_translations_into_languages_the_network_no_longer_translates_into_are_dropped_not_refused(malaysia):
    # Left behind when the network drops Finnish, or starts writing in Malay: saving the row drops them.
    kept = translations_validate({"fi": {"name": "Valmistumisaika"}, "ms": {"name": "Masa"},
                                  "en": {"name": " Delivery time "}}, model=ComplaintCategory, network=malaysia)
    assert kept == {"en": {"name": "Delivery time"}}
    row = category(malaysia, translations={"fi": {"name": "Valmistumisaika"}, "zh-hans": {"name": "交车时间"}})
    row.clean()
    assert row.translations == {"zh-hans": {"name": "交车时间"}}


def test_the_model_checks_its_translations_when_cleaned(malaysia):
    with unscoped():
        answer = StandardAnswer(network=malaysia, category=category(malaysia), title="Kereta lewat siap",
                                body="Kami mohon maaf.", translations={"en": {"body": "x" * 10_001}})
        with pytest.raises(ValidationError) as raised:
            answer.clean()
    assert "longer than" in raised.value.message_dict["translations"][0]


def test_shipped_text_is_rebased_on_the_networks_default_language(malaysia):
    values, translations = content_for_network(
        {"name": "Delivery time"},
        {"es": {"name": "Tiempo de entrega"}, "ms": {"name": "Masa penghantaran kenderaan"},
         "zh-hans": {"name": "交车时间"}, "fi": {"name": "Valmistumisaika"}},
        language="en", network=malaysia)
    assert values == {"name": "Masa penghantaran kenderaan"}
    assert translations == {"en": {"name": "Delivery time"}, "zh-hans": {"name": "交车时间"}}


def test_a_kpi_name_is_translatable_and_nothing_else_of_it_is(malaysia):
    assert Kpi.translatable_fields == ("name",)
    with pytest.raises(ValidationError):
        translations_validate({"en": {"measure": "x"}}, model=Kpi, network=malaysia)
