from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, Vehicle
from customers.validators import normalize_phone, normalize_vin
from dealer_portal.forms import LocalDateTimeInput, PortalForm, PortalModelForm

from .models import ServiceJob, WorkCategory


class JobForm(PortalModelForm):
    """Book a job for a known customer's vehicle."""

    class Meta:
        model = ServiceJob
        fields = ["number", "appointment_at", "work_category", "concern", "mileage"]
        widgets = {"appointment_at": LocalDateTimeInput(), "concern": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, dealer, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.dealer = dealer


class NewCustomerJobForm(PortalForm):
    """A new customer, their car and the job, in one go at the counter."""

    name = forms.CharField(label=_("Customer name"), max_length=160)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            help_text=_("International format, for example +52 81 1234 5678."))
    email = forms.EmailField(label=_("Email"), required=False)
    vin = forms.CharField(label=_("VIN"), max_length=24)
    plate = forms.CharField(label=_("Plate"), max_length=16, required=False)
    make = forms.CharField(label=_("Make"), max_length=60, required=False)
    model = forms.CharField(label=_("Model"), max_length=60, required=False)
    number = forms.CharField(label=_("Job number"), max_length=32)
    appointment_at = forms.DateTimeField(label=_("Appointment"), required=False, widget=LocalDateTimeInput(),
                                         help_text=_("Leave empty for a walk-in."))
    work_category = forms.ChoiceField(label=_("Work category"), choices=WorkCategory.choices)
    concern = forms.CharField(label=_("Customer's concern"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_phone(self):
        phone = normalize_phone(self.cleaned_data["phone"])
        if phone:
            Customer._meta.get_field("phone").run_validators(phone)
        return phone

    def clean_vin(self):
        # A VIN already at the dealer is refused by vehicle_create, whichever door the car comes through.
        vin = normalize_vin(self.cleaned_data["vin"])
        Vehicle._meta.get_field("vin").run_validators(vin)
        return vin


class StepInputs(PortalForm):
    """What a step of the job carries. The page shows it (for a step that asks first) or reads it from a one-tap
    post, and the API's step payload is derived from its fields (``api.step_payload``), so both take the same
    inputs. A field left out of a one-tap post is None: the step's default applies."""


class NoInputs(StepInputs):
    pass


class WithCustomerInputs(StepInputs):
    with_customer = forms.NullBooleanField(label=_("With the customer present"), required=False,
                                           help_text=_("Default: yes."))


class EstimateForm(StepInputs):
    estimated_duration_minutes = forms.IntegerField(label=_("Estimated duration (minutes)"), min_value=1,
                                                    max_value=60 * 24 * 60)
    promised_ready_at = forms.DateTimeField(label=_("Ready by"), widget=LocalDateTimeInput())


class ChangePromiseForm(StepInputs):
    new_promised_at = forms.DateTimeField(label=_("New promised time"), widget=LocalDateTimeInput())
    reason = forms.CharField(label=_("Reason (told to the customer)"), max_length=300)


class ReadyInputs(StepInputs):
    done_as_agreed = forms.NullBooleanField(label=_("Work done as agreed"), required=False,
                                            help_text=_("Default: yes."))


class HandoverForm(StepInputs):
    with_customer = forms.BooleanField(label=_("Handed over with the customer present"), required=False,
                                       initial=True)
    invoice_explained = forms.BooleanField(label=_("Work and itemised invoice explained"), required=False,
                                           initial=True)
    advice_given = forms.BooleanField(label=_("Advice on use and upcoming service given"), required=False,
                                      initial=True)
    mileage = forms.IntegerField(label=_("Mileage (km)"), min_value=0, max_value=2_000_000, required=False)


class CancelForm(StepInputs):
    reason = forms.CharField(label=_("Why is the job cancelled?"), max_length=200)


class DashboardPeriodForm(PortalForm):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end is before the start."))
            elif (end - start).days > 366:
                self.add_error("end", _("Choose at most one year."))
        return cleaned


class HandoverRecordForm(PortalForm):
    """A new-car delivery, as the sales side records it."""

    vin = forms.CharField(label=_("VIN of the car"), max_length=24)
    promised_delivery_date = forms.DateField(label=_("Promised delivery date"),
                                             widget=forms.DateInput(attrs={"type": "date"}))
    delivered_at = forms.DateTimeField(label=_("Handed over at"), widget=LocalDateTimeInput())
    delivered_faultless = forms.BooleanField(label=_("Delivered faultless and as ordered"), required=False)
    introduction_given = forms.BooleanField(label=_("Introduction to the car's use given"), required=False)
