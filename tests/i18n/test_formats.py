"""Dates, numbers and percentages follow the language; date inputs accept the local form and keep ISO for the
browser's date picker."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation

from customers.forms import VehicleForm

THURSDAY = date(2025, 12, 11)


def rendered(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(source).render(Context(context))


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "97.6%"), ("es", "97,6\xa0%"), ("fi", "97,6\xa0%"), ("ms", "97.6%"), ("zh-hans", "97.6%"),
])
def test_a_percentage_is_written_as_the_language_writes_it(language, expected):
    assert rendered("{{ share|percent }}", language, share=97.6) == expected
    assert rendered("{{ share|percent:1 }}", language, share=Decimal("97.55")) == expected  # rounded half up


@pytest.mark.parametrize(("language", "share", "figure", "percentage"), [
    ("en", Decimal("97.55"), "97.6", "97.6%"), ("es", Decimal("97.55"), "97,6", "97,6\xa0%"),
    ("fi", Decimal(0), "0,0", "0,0\xa0%"), ("zh-hans", Decimal("97.55"), "97.6", "97.6%"),
])
def test_a_scoring_figure_is_written_as_the_language_writes_it_and_still_takes_a_percent_sign(
        language, share, figure, percentage):
    assert rendered("{% load scoring_tags %}{{ share|shown }}", language, share=share) == figure
    assert rendered("{% load scoring_tags %}{{ share|shown|percent }}", language, share=share) == percentage


def test_no_figure_is_no_percentage():
    assert rendered('{{ share|percent|default:"—" }}', "es", share=None) == "—"


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Thu 11 Dec 2025"), ("es", "jue 11 dic 2025"), ("fi", "to 11.12.2025"), ("ms", "Kha, 11 Dis 2025"),
    ("zh-hans", "2025年12月11日 星期四"),
])
def test_a_short_date_with_its_weekday_is_local(language, expected):
    assert rendered('{{ day|date_as:"SHORT_DATE_WITH_WEEKDAY" }}', language, day=THURSDAY) == expected


@pytest.mark.parametrize(("language", "short", "month"), [
    ("en", "12/11/2025", "December 2025"), ("es", "11/12/2025", "diciembre de 2025"), ("fi", "11.12.2025", None),
    ("ms", "11/12/2025", "Disember 2025"), ("zh-hans", "2025/12/11", "2025年12月"),
])
def test_djangos_named_formats_are_local(language, short, month):
    with translation.override(language):
        assert formats.date_format(THURSDAY, "SHORT_DATE_FORMAT") == short
        if month:
            assert formats.date_format(THURSDAY, "YEAR_MONTH_FORMAT") == month


def test_times_and_numbers_use_the_local_separators():
    moment = datetime(2025, 12, 11, 14, 30)
    with translation.override("fi"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "11.12.2025 14.30"
        assert formats.number_format(Decimal("1234.5"), decimal_pos=1, use_l10n=True, force_grouping=True) \
            == "1\xa0234,5"
    with translation.override("zh-hans"):
        assert formats.number_format(Decimal("1234567.5"), decimal_pos=1, force_grouping=True) == "1,234,567.5"
    with translation.override("es"):
        assert formats.number_format(Decimal("97.6"), decimal_pos=1) == "97,6"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


@pytest.mark.parametrize(("language", "typed"), [
    ("es", "11/12/2025"), ("fi", "11.12.2025"), ("ms", "11/12/2025"), ("zh-hans", "2025/12/11"), ("en", "12/11/2025"),
])
def test_a_date_field_accepts_the_local_form_and_iso(language, typed):
    field = forms.DateField()
    with translation.override(language):
        assert field.clean(typed) == THURSDAY
        assert field.clean("2025-12-11") == THURSDAY  # what the browser's date picker sends


@pytest.mark.django_db
def test_a_spanish_date_is_accepted_by_the_vehicle_form_and_the_date_picker_keeps_iso(dealer):
    with translation.override("es"):
        form = VehicleForm(dealer=dealer)
        assert form.fields["handover_date"].clean("11/12/2025") == THURSDAY
        widget = form.fields["handover_date"].widget.render("handover_date", THURSDAY)
    assert 'type="date"' in widget and 'value="2025-12-11"' in widget
