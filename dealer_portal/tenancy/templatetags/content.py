"""``{{ category|localized:"name" }}``: the network's own text in the reader's language (see tenancy.content)."""

from django import template

from dealer_portal.tenancy.content import localized as localized_text

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    if obj is None or obj == "":
        return ""
    return localized_text(obj, field)
