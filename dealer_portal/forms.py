"""Form behaviour shared by every page: Bootstrap widgets and tenant-scoped choices."""

from django import forms

from .tenancy.scoping import TenantManager
from .validation import validate_plausible_year


class LocalDateTimeInput(forms.DateTimeInput):
    """A datetime-local picker; values are read and shown in the active (dealer's) time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class PortalFormMixin:
    """Bootstrap classes on every widget, choice fields over tenant rows scoped per request, plausible years.

    A ModelChoiceField's queryset is built when the form class is defined, outside any request; here it
    is rebuilt from the model's scoped manager, so an id of another dealer's row is refused exactly
    like an id that does not exist ("Select a valid choice"). Every date and date-time field refuses a year
    outside ``PLAUSIBLE_YEARS`` (year 1 or 9999 would overflow once converted to a time zone).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.DateField | forms.DateTimeField):
                field.validators.append(validate_plausible_year)
            if isinstance(field, forms.ModelChoiceField):
                manager = field.queryset.model._default_manager
                if isinstance(manager, TenantManager):
                    field.queryset = manager.all()
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                continue  # plain radios: Bootstrap's check style needs a wrapper Django's radios do not have
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class PortalForm(PortalFormMixin, forms.Form):
    pass


class PortalModelForm(PortalFormMixin, forms.ModelForm):
    """A ModelForm whose per-dealer unique constraints are checked although ``dealer`` is not a field.

    The view sets ``instance.dealer``; Django would otherwise skip every constraint that mentions the
    excluded ``dealer`` field and let the database raise instead of showing a form error.
    """

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        if getattr(self.instance, "dealer_id", None) is not None:
            exclusions.discard("dealer")
        return exclusions


def add_service_errors(form: forms.BaseForm, error: forms.ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where it names them."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
