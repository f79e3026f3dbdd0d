"""Template filters for dates and figures in the reader's language (a builtin library: no {% load %} needed).

``{{ job.promised_at|date_as:"SHORT_DATE_WITH_WEEKDAY" }}`` and ``{{ share|percent }}`` / ``{{ share|percent:1 }}``.
"""

from django import template

from . import formatting

register = template.Library()


@register.filter(expects_localtime=True)  # in the current (the dealer's) time zone, like |date
def date_as(value, name: str) -> str:
    return formatting.date_as(value, name)


@register.filter
def percent(value, places=None) -> str:
    return formatting.percent_format(value, None if places in (None, "") else int(places))
