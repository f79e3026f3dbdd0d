"""How scoring pages show a figure: ``{{ value|shown }}`` (one decimal) or ``{{ value|shown:2 }}``, rounded once,
half up, by ``scoring.rules.shown`` — the figures themselves stay unrounded — and written as the reader's language
writes numbers ("97.6", "97,6"; ``|percent`` reads it back when chained); and a focus area by its number,
``{{ area.area|focus_area }}``, in the reader's language (a published snapshot keeps the number, not words)."""

from django import template
from django.utils import formats

from scoring.models import FocusArea
from scoring.rules import shown as shown_figure

register = template.Library()


@register.filter
def shown(value, places: int = 1) -> str:
    """The figure as text with ``places`` decimals in the active language; "" for no figure (so ``|default:"—"``
    reads well, while a figure of 0 still shows as "0.0")."""
    places = int(places)
    figure = shown_figure(value, places)
    return "" if figure is None else formats.number_format(figure, decimal_pos=places)


@register.filter
def focus_area(number) -> str:
    """The focus area numbered ``number`` (1–6) named in the active language; "" for a number it does not know."""
    try:
        return str(FocusArea(int(number)).label)
    except (TypeError, ValueError):
        return ""
