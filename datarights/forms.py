from django import forms
from django.utils.translation import gettext_lazy as _

from dealer_portal.forms import PortalForm

from .models import REASON_REQUIRED


class CustomerEraseForm(PortalForm):
    """The erasure's confirm step: a reason, and the customer's name typed again."""

    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("For example: the customer asked to be erased (and when, how)."),
                             error_messages={"required": REASON_REQUIRED})
    confirm_name = forms.CharField(label=_("Type the customer's name to confirm"), max_length=160)

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_confirm_name(self):
        typed = " ".join(self.cleaned_data["confirm_name"].split())
        if typed.casefold() != " ".join(self.customer.name.split()).casefold():
            raise forms.ValidationError(_("This is not the customer's name as recorded."))
        return typed
