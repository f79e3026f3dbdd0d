"""Django admin, scoped like everything else.

Admin requests run in the request's tenant scope (the middleware), so every list, lookup and choice
comes from the scoped managers: a network admin sees and edits their own networks' rows only, and
superusers see everything.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .content import field_max_length, translation_languages, translations_current
from .models import Dealer, Membership, Network, Region, Role


class TenantScopedAdmin(admin.ModelAdmin):
    """Network admins manage their networks' rows; everybody else without superuser rights sees nothing."""

    def _may_manage(self, request) -> bool:
        return request.user.is_active and (request.user.is_superuser or request.tenancy.is_network_admin())

    def has_module_permission(self, request):
        return self._may_manage(request)

    def has_view_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_add_permission(self, request):
        return self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request)


class ReadOnlyTenantAdmin(TenantScopedAdmin):
    """Rows written only through their services (which check the process and keep the history): read here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserCreatesAdmin(TenantScopedAdmin):
    """Rows only superusers create or delete; network admins may view and edit their own."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Network)
class NetworkAdmin(SuperuserCreatesAdmin):
    list_display = ["name", "slug", "time_zone"]
    search_fields = ["name", "slug"]


@admin.register(Region)
class RegionAdmin(TenantScopedAdmin):
    list_display = ["name", "code", "network"]
    list_filter = ["network"]
    search_fields = ["name", "code"]


@admin.register(Dealer)
class DealerAdmin(TenantScopedAdmin):
    list_display = ["code", "name", "city", "region", "network", "time_zone", "is_active"]
    list_filter = ["is_active", "network", "region"]
    search_fields = ["code", "name", "city"]
    list_select_related = ["region", "network"]

    def has_delete_permission(self, request, obj=None):
        # Dealers carry history; deactivate instead.
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "role", "department", "dealer", "region", "network", "is_active"]
    list_filter = ["role", "is_active", "network"]
    search_fields = ["user__email", "user__full_name", "dealer__code", "dealer__name"]
    list_select_related = ["user", "dealer", "region", "network"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # As membership_grant does: network admins need staff status to reach this admin.
        if obj.role == Role.NETWORK_ADMIN and obj.is_active and not obj.user.is_staff:
            obj.user.is_staff = True
            obj.user.save(update_fields=["is_staff"])


# --- The network's own content in its other languages ---------------------------------------------------------

TRANSLATION_PREFIX = "translation__"


def translation_field_name(language: str, field: str) -> str:
    return f"{TRANSLATION_PREFIX}{language.replace('-', '_')}__{field}"


class TranslationsFormMixin:
    """Saves the per-language boxes into ``translations``; a box left empty removes that translation."""

    translation_boxes: tuple[tuple[str, str, str], ...] = ()  # (form field name, language, model field)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        saved = self.instance.translations or {}
        for name, language, field in self.translation_boxes:
            self.initial.setdefault(name, saved.get(language, {}).get(field, ""))

    def _content_network(self):
        data = self.cleaned_data
        if data.get("network"):
            return data["network"]
        if data.get("template"):
            return data["template"].network
        if data.get("section"):
            return data["section"].template.network
        return self.instance.content_network

    def clean(self):
        cleaned = super().clean()
        network = self._content_network()
        allowed = translation_languages(network)
        shown = {language for _name, language, _field in self.translation_boxes}
        # What the form does not show is kept, but not the translations into languages the network no longer
        # translates into (a content language it dropped, or the one it now writes in): those go.
        stored = translations_current(self.instance.translations or {}, network=network)
        translations = {language: dict(texts) for language, texts in stored.items()
                        if language not in shown and isinstance(texts, dict)}
        for name, language, field in self.translation_boxes:
            text = (cleaned.get(name) or "").strip()
            if not text:
                continue
            if language not in allowed:
                self.add_error(name, _("%(language)s is not one of this network's content languages besides its "
                                       "default.") % {"language": language})
                continue
            translations.setdefault(language, {})[field] = text
        if not self.errors:
            self.instance.translations = translations
        return cleaned

    def _update_errors(self, errors):
        # The model checks ``translations``, which the form shows as boxes: its complaint is the form's own
        # (never a ValueError for a field the form does not have).
        if hasattr(errors, "error_dict") and "translations" in errors.error_dict and "translations" not in self.fields:
            errors.error_dict.setdefault(NON_FIELD_ERRORS, []).extend(errors.error_dict.pop("translations"))
        super()._update_errors(errors)


class TranslatedContentAdmin(TenantScopedAdmin):
    """The admin of a network's translatable content: one box per field and content language of its network
    (for a new row, every platform language: the network is not chosen yet)."""

    exclude = ("translations",)

    def translation_languages(self, obj) -> list[str]:
        network = obj.content_network if obj is not None else None
        if network is None:
            return [code for code, _name in settings.LANGUAGES]
        return translation_languages(network)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if kwargs.get("fields"):
            kwargs["fields"] = [name for name in kwargs["fields"] if not name.startswith(TRANSLATION_PREFIX)]
        form = super().get_form(request, obj, change=change, **kwargs)
        names = dict(settings.LANGUAGES)
        boxes, fields = [], {}
        for language in self.translation_languages(obj):
            for field in self.model.translatable_fields:
                model_field = self.model._meta.get_field(field)
                name = translation_field_name(language, field)
                fields[name] = forms.CharField(
                    label=_("%(field)s (%(language)s)") % {"field": capfirst(model_field.verbose_name),
                                                          "language": names.get(language, language)},
                    required=False, max_length=field_max_length(self.model, field),
                    widget=forms.Textarea(attrs={"rows": 3}) if isinstance(model_field, models.TextField) else None)
                boxes.append((name, language, field))
        return type(form.__name__, (TranslationsFormMixin, form), {**fields, "translation_boxes": tuple(boxes)})


class TranslationsOnlyAdmin(TranslatedContentAdmin):
    """Rows changed only through their services (a checklist version, the KPI set as a whole): here a network
    admin adds or corrects their translations and nothing else."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.concrete_fields
                if field.editable and field.name != "translations" and not field.primary_key]
