"""The network's own content in several languages: one field holds the text in the network's default language,
``translations`` holds {language: {field: text}} for its other content languages.

A translatable model declares ``translatable_fields`` and a ``translations`` field (``translations_field()``),
and says which network it belongs to through ``content_network`` (a property). Readers see
``localized(obj, field)``: the translation into the active language if there is one, else the default text.
The translations ride on the row itself, so showing a list in any language costs no extra query.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def translations_field():
    return models.JSONField(
        _("translations"), default=dict, blank=True,
        help_text=_("The text in the network's other content languages: {language: {field: text}}."))


def localized(obj, field: str, language: str | None = None) -> str:
    """``obj.field`` in ``language`` (the active language by default), falling back to the default text.

    ``obj`` is a row or its plain-data copy (a dict with the field and "translations", as snapshots keep it).
    """
    language = language or translation.get_language() or ""
    is_data = isinstance(obj, Mapping)
    texts = (obj.get("translations") if is_data else getattr(obj, "translations", None)) or {}
    text = (texts.get(language) or texts.get(language.split("-")[0]) or {}).get(field)
    if isinstance(text, str) and text:
        return text
    return obj.get(field, "") if is_data else getattr(obj, field)


def field_max_length(model, field: str) -> int | None:
    """The longest text the model's field accepts (its own max_length or its MaxLengthValidator)."""
    model_field = model._meta.get_field(field)
    if model_field.max_length:
        return model_field.max_length
    limits = [validator.limit_value for validator in model_field.validators if hasattr(validator, "limit_value")
              and validator.code == "max_length"]
    return min(limits) if limits else None


def translation_languages(network) -> list[str]:
    """The languages a row of ``network`` is translated into: its content languages besides its default."""
    return [code for code in network.languages if code != network.default_language] if network else []


def translations_current(value, *, network):
    """``value`` without its translations into platform languages ``network`` no longer translates into (one it
    dropped, or the one it now writes in): those are left behind by a change of the network's languages, so every
    save (admin, form, API, import) drops them rather than refusing the row. Anything else is left to be checked."""
    if not isinstance(value, dict) or network is None:
        return value
    platform = {code for code, _name in settings.LANGUAGES}
    allowed = translation_languages(network)
    return {language: texts for language, texts in value.items() if language in allowed or language not in platform}


def translation_errors(value, *, model, network) -> list[str]:
    """What is wrong with ``value`` as the translations of a ``model`` row of ``network`` (empty when fine):
    only the network's content languages other than its default, only the model's translatable fields,
    non-empty text no longer than the field takes. Translations left behind by a change of the network's
    languages are not errors: they are dropped (``translations_current``)."""
    value = translations_current(value, network=network)
    if not isinstance(value, dict):
        return [gettext("Give the translations as {language: {field: text}}.")]
    errors = []
    allowed = translation_languages(network)
    fields = model.translatable_fields
    for language, texts in value.items():
        if language not in allowed:
            errors.append(gettext("%(language)s is not one of the network's content languages besides its "
                                  "default (%(allowed)s).") % {"language": language,
                                                                "allowed": ", ".join(allowed) or "—"})
            continue
        if not isinstance(texts, dict):
            errors.append(gettext("%(language)s: give the texts as {field: text}.") % {"language": language})
            continue
        for field, text in texts.items():
            if field not in fields:
                errors.append(gettext("%(language)s: %(field)s cannot be translated (%(fields)s can).") % {
                    "language": language, "field": field, "fields": ", ".join(fields)})
            elif not isinstance(text, str) or not text.strip():
                errors.append(gettext("%(language)s: %(field)s must be text, not empty.") % {
                    "language": language, "field": field})
            elif (limit := field_max_length(model, field)) and len(text) > limit:
                errors.append(gettext("%(language)s: %(field)s is longer than %(limit)d characters.") % {
                    "language": language, "field": field, "limit": limit})
    return errors


def translations_validate(value, *, model, network) -> dict:
    """``value`` cleaned (without the translations the network no longer takes, texts stripped) or
    ValidationError({"translations": [...]})."""
    errors = translation_errors(value, model=model, network=network)
    if errors:
        raise ValidationError({"translations": errors})
    value = translations_current(value, network=network)
    return {language: {field: text.strip() for field, text in texts.items()} for language, texts in value.items()}


def content_for_network(values: dict[str, str], translations: dict, *, language: str, network
                        ) -> tuple[dict[str, str], dict]:
    """Texts written in ``language`` with their translations ({language: {field: text}}), re-based for ``network``:
    (the fields in its default language where a translation has it, else as written; the translations into its
    other content languages, and no others)."""
    by_language = {**translations, language: values}
    default = by_language.get(network.default_language, {})
    based = {field: default.get(field) or text for field, text in values.items()}
    others = {code: {field: text for field, text in by_language[code].items() if field in values and text}
              for code in network.languages if code != network.default_language and code in by_language}
    return based, {code: texts for code, texts in others.items() if texts}


def shipped_texts(texts: dict[str, str] | str, *, network) -> tuple[str, dict[str, str]]:
    """Split shipped text ({language: text}, or one text) for ``network``: (its default-language text,
    {other content language: text}). Falls back to English, then to the first language given."""
    if isinstance(texts, str):
        return texts, {}
    default = texts.get(network.default_language) or texts.get("en") or next(iter(texts.values()))
    others = {code: texts[code] for code in network.languages
              if code != network.default_language and texts.get(code)}
    return default, others


def shipped_translations(fields: dict[str, dict[str, str] | str], *, network) -> tuple[dict[str, str], dict]:
    """For a row whose ``fields`` ship in several languages: ({field: default text}, translations)."""
    values, translations = {}, {}
    for field, texts in fields.items():
        values[field], others = shipped_texts(texts, network=network)
        for language, text in others.items():
            translations.setdefault(language, {})[field] = text
    return values, translations


class TranslatableModel(models.Model):
    """Base of a network's translatable content: checks its translations against its network on clean."""

    translatable_fields: tuple[str, ...] = ()
    translations = translations_field()

    class Meta:
        abstract = True

    @property
    def content_network(self):
        """The network whose languages the translations are in (None while the row has none)."""
        return self.network if self.network_id else None

    def clean(self):
        super().clean()
        self.translations = translations_validate(self.translations or {}, model=type(self),
                                                  network=self.content_network)


def content_save(row, values: dict):
    """Write ``values`` ({field: value}) on the network's content ``row`` and save it, checked as the admin checks
    it (the model's full clean: field lengths, translations against the network's languages, its constraints).
    A row not yet saved (a network's settings row still on its defaults) is created. ValidationError, with the
    row in the database as it was, if anything is wrong."""
    for field, value in values.items():
        setattr(row, field, value)
    row.full_clean()
    row.save()
    return row
