"""Forms of the assessment pages and the network admin's scoring settings. They parse; the services decide."""

from __future__ import annotations

import json
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealer_portal.forms import PortalForm, PortalModelForm
from dealer_portal.tenancy.calendar import local_today
from dealer_portal.tenancy.content import localized
from dealer_portal.tenancy.models import Region

from .kpis import MEASURES
from .models import AssessmentStatus, ChecklistItem, ChecklistTemplate, FocusArea, KpiCategory, ScoringPolicy
from .rules import month_check, month_parse
from .selectors import NOT_STARTED

CHECKLIST_FILE_MAX_BYTES = 512 * 1024


def _month_messages(error: ValidationError) -> list[str]:
    return error.message_dict.get("month", error.messages) if hasattr(error, "error_dict") else error.messages


class MonthField(forms.CharField):
    """A month as YYYY-MM (an ``<input type="month">``), cleaned to its first day; not in the network's future."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def __init__(self, *, network=None, **kwargs):
        self.network = network
        kwargs.setdefault("label", gettext_lazy("Month"))
        super().__init__(**kwargs)

    def clean(self, value) -> date | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return month_check(month_parse(text), network=self.network)
        except ValidationError as error:
            raise ValidationError(_month_messages(error)) from error


# --- Assessments ----------------------------------------------------------------------------------------------


class AssessmentListQueryForm(PortalForm):
    """HQ's list of the month's assessments: ?month=YYYY-MM&region=<code>&status=..."""

    month = MonthField(required=False)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=[
        ("", gettext_lazy("Any")), *AssessmentStatus.choices, (NOT_STARTED, gettext_lazy("Not assessed yet"))])

    def __init__(self, data, *, network):
        if not data.get("month"):  # this month (network time), shown in the month picker too
            data = data.copy()
            data["month"] = local_today(network).strftime("%Y-%m")
        super().__init__(data)
        self.fields["month"].network = network
        self.fields["region"].choices = [("", _("All regions"))] + [
            (region.code, region.name) for region in Region.objects.filter(network=network).order_by("name")]


class AssessmentStartForm(PortalForm):
    """Start the month's assessment of a dealer against the current version of one of its network's checklists."""

    template = forms.ModelChoiceField(label=gettext_lazy("Checklist"), queryset=ChecklistTemplate.objects.none(),
                                      empty_label=None)
    month = MonthField(help_text=gettext_lazy("YYYY-MM; not a month in the future."))

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        # Set after PortalForm's own scoping: only the current versions, of this network.
        self.fields["template"].queryset = ChecklistTemplate.objects.filter(
            network=network, is_current=True).order_by("kind", "code")
        self.fields["month"].network = network


class ItemScoreForm(PortalForm):
    """One checklist item's line of the scoring form: points, or not applicable, and a comment."""

    points = forms.IntegerField(label=gettext_lazy("Points"), required=False, min_value=0)
    not_applicable = forms.BooleanField(label=gettext_lazy("Not applicable"), required=False)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 1}))

    def __init__(self, *args, item: ChecklistItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        # A hint for the browser only: the form is sent with novalidate and the service checks the maximum.
        self.fields["points"].widget.attrs.update({"max": item.max_points, "min": 0})

    def is_blank(self) -> bool:
        data = self.cleaned_data
        return data.get("points") is None and not data.get("not_applicable") and not data.get("comment")


class EvidenceForm(PortalForm):
    file = forms.FileField(label=gettext_lazy("Photo or document"),
                           help_text=gettext_lazy("JPEG, PNG, WebP, HEIC, PDF, Word or Excel."))
    item = forms.ModelChoiceField(label=gettext_lazy("Item (optional)"), required=False,
                                  queryset=ChecklistItem.objects.none(),
                                  empty_label=gettext_lazy("The whole assessment"))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)

    def __init__(self, *args, template: ChecklistTemplate, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = ChecklistItem.objects.filter(section__template=template).order_by(
            "section__position", "position")
        self.fields["item"].label_from_instance = lambda item: f"{item.code} — {localized(item, 'text')[:80]}"


class ReopenForm(PortalForm):
    # Not required here: the service says what is missing, in its own words.
    reason = forms.CharField(label=gettext_lazy("Why is it reopened?"), max_length=2000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


# --- The network admin's scoring settings ---------------------------------------------------------------------


class ScoringPolicyForm(PortalModelForm):
    """The 5-Star rules; the model's clean() checks the weights add up to 100 and the thresholds descend."""

    class Meta:
        model = ScoringPolicy
        fields = ["poe_weight", "service_quality_weight", "min_sample", "min_data_weight_percent",
                  "five_stars_from", "four_stars_from", "three_stars_from", "two_stars_from", "publish_hour"]


def measure_choices() -> list[tuple[str, str]]:
    return [(key, str(measure.label)) for key, measure in MEASURES.items()]


class KpiForm(PortalForm):
    """One row of the KPI set; the set as a whole is checked by ``kpi_set_replace`` (weights add up to 100)."""

    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=160, required=False,
                           help_text=gettext_lazy("Empty: the measure's own name."))
    measure = forms.ChoiceField(label=gettext_lazy("Measured from"), choices=measure_choices)
    focus_area = forms.TypedChoiceField(label=gettext_lazy("Focus area"), coerce=int, choices=FocusArea.choices)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=KpiCategory.choices)
    target = forms.DecimalField(label=gettext_lazy("Target"), max_digits=7, decimal_places=1)
    weight = forms.IntegerField(label=gettext_lazy("Weight"))
    # The name in the network's other languages (edited in the admin or the API) is kept as it was.
    translations = forms.JSONField(required=False, widget=forms.HiddenInput)

    def cells(self) -> list[tuple]:
        """The row's fields with the text a reader sees instead of the input (a choice by its label)."""
        cells = []
        for name in ("code", "name", "measure", "focus_area", "category", "target", "weight"):
            field = self[name]
            value = field.value()
            text = "" if value is None else value
            if isinstance(field.field, forms.ChoiceField):
                text = next((label for key, label in field.field.choices if str(key) == str(value)), "")
            elif name == "name" and not self.is_bound:  # a reader sees the name in their language
                text = localized({"name": text, "translations": self.initial.get("translations") or {}}, "name")
            cells.append((field, text))
        return cells


KpiFormSet = forms.formset_factory(KpiForm, extra=0, can_delete=True, max_num=50, validate_max=True)


def _checklist_shape_problems(data) -> list[str]:
    """What the importer cannot even read: wrong types, or texts longer than their columns hold."""
    if not isinstance(data, dict):
        return [_("A checklist is an object with code, kind, name and sections.")]
    problems = []
    limits = [("code", 40), ("name", 160)]
    problems += [_("“%(field)s” must be a text of at most %(limit)d characters.") % {"field": field, "limit": limit}
                 for field, limit in limits if field in data and not _text_within(data[field], limit)]
    sections = data.get("sections")
    if sections is None:
        return problems
    if not isinstance(sections, list) or not all(isinstance(section, dict) for section in sections):
        return [*problems, _("“sections” must be a list of objects.")]
    for section in sections:
        if not _text_within(section.get("code", ""), 20) or not _text_within(section.get("title", ""), 200):
            problems.append(_("A section's code (at most 20 characters) and title (at most 200) must be texts."))
        items = section.get("items")
        if items is not None and (not isinstance(items, list) or not all(isinstance(i, dict) for i in items)):
            problems.append(_("A section's “items” must be a list of objects."))
            continue
        for item in items or []:
            if not _text_within(item.get("code", ""), 20) or not isinstance(item.get("text", ""), str) \
                    or not isinstance(item.get("guidance", ""), str):
                problems.append(_("An item's code (at most 20 characters), text and guidance must be texts."))
    return problems


def _text_within(value, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit


class ChecklistImportForm(PortalForm):
    file = forms.FileField(label=gettext_lazy("Checklist file (JSON)"))

    def clean_file(self) -> dict | str:
        """The parsed checklist; text that is not JSON is passed on for the importer to explain."""
        upload = self.cleaned_data["file"]
        if upload.size > CHECKLIST_FILE_MAX_BYTES:
            raise ValidationError(_("The file is larger than 512 KB; a checklist is much smaller."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(_("The file is not UTF-8 text.")) from error
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return text
        problems = _checklist_shape_problems(data)
        if problems:
            raise ValidationError(problems)
        return data
