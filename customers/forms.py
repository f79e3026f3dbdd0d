from dealer_portal.forms import PortalModelForm

from .models import Customer, Vehicle
from .validators import normalize_phone, normalize_vin


class CustomerForm(PortalModelForm):
    """A customer's details; saved through ``customer_create``/``customer_update``, never by the form itself."""

    class Meta:
        model = Customer
        fields = ["name", "phone", "phone_alt", "email", "language", "contact_consent", "do_not_contact",
                  "do_not_contact_reason"]

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])

    def clean_phone_alt(self):
        return normalize_phone(self.cleaned_data["phone_alt"])


class VehicleForm(PortalModelForm):
    """A car and its owner; saved through ``vehicle_create``/``vehicle_update``, never by the form itself."""

    class Meta:
        model = Vehicle
        fields = ["customer", "vin", "plate", "make", "model", "handover_date"]

    def __init__(self, *args, dealer, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.dealer = dealer
        self.fields["handover_date"].widget.input_type = "date"

    def clean_vin(self):
        return normalize_vin(self.cleaned_data["vin"])
