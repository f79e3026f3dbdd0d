from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from dealer_portal.forms import PortalForm, PortalModelForm
from dealer_portal.tenancy.models import Role

from .models import ApiToken, Invitation, User


class InvitationForm(PortalModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "full_name", "language", "role", "dealer", "region", "department"]
        help_texts = {
            "dealer": _("For service advisors, customer representatives and dealer managers."),
            "region": _("For regional managers."),
            "department": _("For dealer managers: service, sales or parts."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dealer"].queryset = self.fields["dealer"].queryset.filter(is_active=True)
        self.fields["role"].choices = [("", "---------"), *Role.choices]


class ProfileForm(PortalModelForm):
    """One's own name and language; saved through ``user_profile_update``, never by the form itself."""

    class Meta:
        model = User
        fields = ["full_name", "language"]


class InvitationAcceptForm(PortalForm):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), strip=False,
        help_text=password_validation.password_validators_help_text_html())
    password2 = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}), strip=False)

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            try:
                password_validation.validate_password(
                    password1, User(email=self.email, full_name=cleaned.get("full_name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ApiTokenForm(PortalForm):
    """A new API token's name; the token is made by ``api_token_create``, which checks the name again."""

    name = forms.CharField(label=_("Token name"), max_length=ApiToken._meta.get_field("name").max_length,
                           help_text=_("What uses it, so you know which one to revoke: for example “DMS export”."))
