from django import forms
from django.utils.translation import gettext_lazy as _

from dealer_portal.forms import LocalDateTimeInput, PortalForm

from .models import WORDS_LIMIT, Channel, ComplaintCategory, Department, EntryKind, HoldCause, PlanStatus, Severity


def _text(label, *, required=True, rows=3, max_length=WORDS_LIMIT):
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows}))


class ComplaintLogForm(PortalForm):
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)
    category = forms.ModelChoiceField(label=_("Category"), queryset=ComplaintCategory.objects.all(), required=False)
    channel = forms.ChoiceField(label=_("How it came in"), choices=Channel.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MEDIUM)
    words = _text(_("The customer's own words"), rows=5)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the leaves of the network's taxonomy (the scoped manager keeps it to this network).
        self.fields["category"].queryset = (self.fields["category"].queryset
                                            .filter(is_active=True, parent__isnull=False)
                                            .select_related("parent"))


class EntryForm(PortalForm):
    kind = forms.ChoiceField(label=_("What happened"), choices=[
        (EntryKind.CONTACT, EntryKind.CONTACT.label), (EntryKind.NOTE, EntryKind.NOTE.label),
        (EntryKind.HOLD_FOLLOWUP, EntryKind.HOLD_FOLLOWUP.label)])
    channel = forms.ChoiceField(label=_("Channel"), choices=[("", "—"), *Channel.choices], required=False)
    body = _text(_("Text"))


class ConfirmForm(PortalForm):
    channel = forms.ChoiceField(label=_("How it was confirmed"), choices=Channel.choices)
    at = forms.DateTimeField(label=_("When (leave empty for now)"), required=False, widget=LocalDateTimeInput())
    note = _text(_("What was confirmed"), required=False, rows=2)


class ProposeForm(PortalForm):
    text = _text(_("Proposed solution"))
    informed = forms.CharField(label=_("Who was informed"), max_length=300)


class AgreeForm(PortalForm):
    proposal_id = forms.TypedChoiceField(label=_("The solution the customer agreed to"), coerce=int)
    agreement = _text(_("What the customer agreed to"), rows=2)

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal_id"].choices = [(p.pk, p.text[:80]) for p in complaint.proposals.all()]


class AssignOwnerForm(PortalForm):
    owner = forms.TypedChoiceField(label=_("Owner who carries the solution through"), coerce=int)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {person.pk: person for person in staff}
        self.fields["owner"].choices = [(person.pk, str(person)) for person in staff]

    def clean_owner(self):
        return self.staff[self.cleaned_data["owner"]]


class NoteForm(PortalForm):
    note = _text(_("Note"), required=False, rows=2)


class CloseSatisfiedForm(PortalForm):
    words = _text(_("The customer's confirmation, in their words"))
    confirmed_by = forms.CharField(label=_("Who confirmed"), max_length=160)
    channel = forms.ChoiceField(label=_("How"), choices=Channel.choices)


class NotSatisfiedForm(PortalForm):
    words = _text(_("What the customer said"))


class HoldForm(PortalForm):
    cause = forms.ChoiceField(label=_("Waiting for"), choices=HoldCause.choices)
    note = _text(_("What exactly"), rows=2)


class ReasonForm(PortalForm):
    reason = _text(_("Reason"), rows=2)


ACTION_FORMS = {
    "confirm": ConfirmForm, "propose": ProposeForm, "agree": AgreeForm, "assign_owner": AssignOwnerForm,
    "implemented": NoteForm, "close_satisfied": CloseSatisfiedForm, "not_satisfied": NotSatisfiedForm,
    "hold": HoldForm, "resume": NoteForm, "close_unresolved": ReasonForm, "reopen": ReasonForm,
}


class ReassignForm(PortalForm):
    representative = forms.TypedChoiceField(label=_("Give the selected complaints to"), coerce=int)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {person.pk: person for person in staff}
        self.fields["representative"].choices = [(person.pk, str(person)) for person in staff]

    def clean_representative(self):
        return self.staff[self.cleaned_data["representative"]]


class ImprovementPlanForm(PortalForm):
    category = forms.ModelChoiceField(label=_("Recurring category"), queryset=ComplaintCategory.objects.all())
    cause = _text(_("Root cause"), rows=2)
    action = _text(_("Action"), rows=2)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {person.pk: person for person in staff}
        self.fields["owner"].choices = [(person.pk, str(person)) for person in staff]
        self.fields["category"].queryset = self.fields["category"].queryset.filter(
            is_active=True, parent__isnull=False).select_related("parent")

    def clean_owner(self):
        return self.staff[self.cleaned_data["owner"]]


class PlanStatusForm(PortalForm):
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)


class DashboardMonthsForm(PortalForm):
    months = forms.TypedChoiceField(label=_("Months"), coerce=int, choices=[(3, "3"), (6, "6"), (12, "12")],
                                    initial=6)


class ComplimentForm(PortalForm):
    department = forms.ChoiceField(label=_("Department"), choices=Department.choices)
    person = forms.TypedChoiceField(label=_("Who was praised (if someone was named)"), coerce=int, required=False,
                                    empty_value=None)
    channel = forms.ChoiceField(label=_("How it came in"), choices=Channel.choices)
    words = _text(_("The customer's words"))

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {person.pk: person for person in staff}
        self.fields["person"].choices = [("", "—"), *((person.pk, str(person)) for person in staff)]

    def clean_person(self):
        person = self.cleaned_data["person"]
        return self.staff.get(person) if person else None
