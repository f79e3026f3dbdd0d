from django import forms
from django.utils.translation import gettext_lazy as _

from dealer_portal.forms import LocalDateTimeInput, PortalForm

from .inputs import NOT_AVAILABLE
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


class ActionForm(PortalForm):
    """The inputs of one step of the recovery process (``complaints.transitions``): the page shows this form,
    and the API's payload for the step is derived from its fields and checked by it.

    Every action form is built the same way, from the complaint and the dealer's staff, so whoever builds
    one (page or API) needs no knowledge of which step it is.
    """

    def __init__(self, *args, complaint, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint, self.staff = complaint, {person.pk: person for person in staff}


def _one_of_these(label, **kwargs):
    # An id that is not among the choices, missing or another dealer's, gets one answer without the id.
    return forms.TypedChoiceField(label=label, coerce=int, error_messages={"invalid_choice": NOT_AVAILABLE},
                                  **kwargs)


class ConfirmForm(ActionForm):
    channel = forms.ChoiceField(label=_("How it was confirmed"), choices=Channel.choices)
    at = forms.DateTimeField(label=_("When (leave empty for now)"), required=False, widget=LocalDateTimeInput())
    note = _text(_("What was confirmed"), required=False, rows=2)


class ProposeForm(ActionForm):
    text = _text(_("Proposed solution"))
    informed = forms.CharField(label=_("Who was informed"), max_length=300)


class AgreeForm(ActionForm):
    proposal_id = _one_of_these(_("The solution the customer agreed to"))
    agreement = _text(_("What the customer agreed to"), rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal_id"].choices = [(p.pk, p.text[:80]) for p in self.complaint.proposals.all()]


class AssignOwnerForm(ActionForm):
    owner = _one_of_these(_("Owner who carries the solution through"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [(pk, str(person)) for pk, person in self.staff.items()]

    def clean_owner(self):
        return self.staff[self.cleaned_data["owner"]]


class NoteForm(ActionForm):
    note = _text(_("Note"), required=False, rows=2)


class CloseSatisfiedForm(ActionForm):
    words = _text(_("The customer's confirmation, in their words"))
    confirmed_by = forms.CharField(label=_("Who confirmed"), max_length=160)
    channel = forms.ChoiceField(label=_("How"), choices=Channel.choices)


class NotSatisfiedForm(ActionForm):
    words = _text(_("What the customer said"))


class HoldForm(ActionForm):
    cause = forms.ChoiceField(label=_("Waiting for"), choices=HoldCause.choices)
    note = _text(_("What exactly"), rows=2)


class ReasonForm(ActionForm):
    reason = _text(_("Reason"), rows=2)


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
