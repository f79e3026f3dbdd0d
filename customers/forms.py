from dealer_portal.forms import PortalModelForm

from .models import Vehicle
from .validators import normalize_vin


class VehicleForm(PortalModelForm):
    class Meta:
        model = Vehicle
        fields = ["customer", "vin", "plate", "make", "model", "handover_date"]

    def __init__(self, *args, dealer, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.dealer = dealer
        self.fields["handover_date"].widget.input_type = "date"

    def clean_vin(self):
        return normalize_vin(self.cleaned_data["vin"])
