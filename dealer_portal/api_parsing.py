"""How the API reads a request: the JSON parser and the page number, refusing what no field can hold with a 400.

Named in REST_FRAMEWORK's defaults, so it must not import ``rest_framework.views`` (DRF imports these while
building its views).
"""

import math

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

# Deeper than any payload of ours; far short of the nesting that exhausts Python's recursion (a 500).
MAX_JSON_DEPTH = 32


class CheckedJSONParser(JSONParser):
    """JSON that every field can hold, else a 400: nested at most ``MAX_JSON_DEPTH`` deep (else a ``detail``),
    numbers that are finite (``1e309`` parses as infinity; DRF's strict parsing refuses ``NaN``) and text
    without NUL characters (else an error on the field, named by its path: ``items.0.text``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_nested_too_deeply()) from error
        _check_json(data)
        return data


def _nested_too_deeply() -> str:
    return _("The JSON is nested too deeply: at most %(depth)d levels are accepted.") % {"depth": MAX_JSON_DEPTH}


def _check_json(data) -> None:
    pending = [(data, ())]
    while pending:
        value, path = pending.pop()
        if isinstance(value, dict | list):
            if len(path) >= MAX_JSON_DEPTH:
                raise ParseError(_nested_too_deeply())
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    _refuse(path, _("A name contains a NUL character, which no field accepts."))
                pending.append((item, (*path, str(key))))
        elif isinstance(value, str) and "\x00" in value:
            _refuse(path, _("Contains a NUL character, which no field accepts."))
        elif isinstance(value, float) and not math.isfinite(value):
            _refuse(path, _("This number is too large."))


def _refuse(path: tuple, message) -> None:
    raise ValidationError({".".join(path) or "non_field_errors": [message]})

