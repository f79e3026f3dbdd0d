"""How scoring pages show a figure: ``{{ value|shown }}`` (one decimal) or ``{{ value|shown:2 }}``, rounded once,
half up, by ``scoring.rules.shown`` — the figures themselves stay unrounded."""

from django import template

from scoring.rules import shown as shown_figure

register = template.Library()


@register.filter
def shown(value, places: int = 1) -> str:
    """The figure as text with ``places`` decimals; "" for no figure (so ``|default:"—"`` reads well)."""
    figure = shown_figure(value, int(places))
    return "" if figure is None else str(figure)
