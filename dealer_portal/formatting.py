"""Dates and figures as the reader's language writes them: the project's named formats and percentages.

Django's own names (SHORT_DATE_FORMAT, …) come from ``formats.get_format``; the project's (SHORT_DATE_WITH_WEEKDAY,
PERCENT_FORMAT, …) live in the same modules under ``dealer_portal.formats`` and are read here, falling back to
English for a language without them.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import formats, translation
from django.utils.dateformat import format as date_format_string
from django.utils.dateformat import time_format as time_format_string

FALLBACK_LANGUAGE = "en"


def format_for(name: str, language: str | None = None) -> str:
    """The project format ``name`` in ``language`` (the active one by default)."""
    language = language or translation.get_language() or FALLBACK_LANGUAGE
    for code in (language, FALLBACK_LANGUAGE):
        for module in formats.get_format_modules(code):
            value = getattr(module, name, None)
            if value is not None:
                return value
    raise KeyError(f"No format {name} in dealer_portal.formats")


def date_as(value, name: str) -> str:
    """A date or datetime in a named format: Django's (``SHORT_DATE_FORMAT``) or the project's
    (``SHORT_DATE_WITH_WEEKDAY``); the names may leave off ``_FORMAT``. "" for no value."""
    if value in (None, ""):
        return ""
    if name in formats.FORMAT_SETTINGS:
        return formats.date_format(value, name)
    for candidate in (name, f"{name}_FORMAT"):
        try:
            pattern = format_for(candidate)
        except KeyError:
            continue
        if not hasattr(value, "year"):  # a time of day
            return time_format_string(value, pattern)
        return date_format_string(value, pattern)
    raise KeyError(f"No date format {name}")


def percent_format(value, places: int | None = None) -> str:
    """A percentage as the language writes it: "97.6%" (en, ms, zh), "97,6 %" (es, fi, no-break space).

    ``places`` rounds half up; without it the figure keeps the decimals it has (it was rounded where computed).
    A figure already written as the language writes it ("97,6" from ``|shown``) is read back first.
    "" for no value, so ``|default:"—"`` reads well in a template.
    """
    if value in (None, ""):
        return ""
    try:
        figure = Decimal(formats.sanitize_separators(value) if isinstance(value, str) else str(value))
    except InvalidOperation:
        return str(value)
    if places is not None:
        figure = figure.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    number = formats.number_format(figure, decimal_pos=None if places is None else int(places))
    return format_for("PERCENT_FORMAT").format(number)
