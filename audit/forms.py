from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dealer_portal.forms import PortalForm

from .selectors import TrailFilter, record_types


class TrailSearchForm(PortalForm):
    """The audit trail's search: kind of record, who, when (in the network's time zone) and any text."""

    record_type = forms.ChoiceField(label=_("Record type"), required=False)
    user = forms.CharField(label=_("User (email)"), required=False, max_length=254)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Text"), required=False, max_length=200,
                           help_text=_("Any value before or after a change, a record's number or name."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record_type"].choices = [("", _("All records")), *record_types()]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise ValidationError({"date_to": _("The end date must not be before the start date.")})
        return cleaned

    def trail_filter(self) -> TrailFilter:
        data = self.cleaned_data
        return TrailFilter(record_type=data.get("record_type") or "", user_email=(data.get("user") or "").strip(),
                           date_from=data.get("date_from"), date_to=data.get("date_to"),
                           text=(data.get("text") or "").strip())
