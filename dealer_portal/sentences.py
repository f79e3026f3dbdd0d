"""Texts the system writes once and shows many times, stored as what they say, not in words.

A row keeps a sentence's key and its JSON params; each reader gets the sentence in their own language when it
is shown. A ``Sentence`` is one whole translatable sentence (``gettext_lazy``, or ``ngettext_lazy`` counting
one of its params) and says how its moments and dates read. Moments are stored with the dealer's UTC offset
of the time (``moment_param``), so they read in the dealer's zone without loading the dealer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone

from .formatting import format_for

CLOCK, DAY_MONTH, DAY_MONTH_TIME = "CLOCK", "DAY_MONTH", "DAY_MONTH_TIME"

def moment_param(moment: datetime) -> str:
    """A moment as a param: ISO 8601 in the current time zone (the dealer's, where sentences are written)."""
    return timezone.localtime(moment).isoformat()


def day_param(day: date) -> str:
    return day.isoformat()


def shape_format(shape: str) -> str:
    """The date format of ``shape`` in the active language (``<SHAPE>_FORMAT`` of dealer_portal.formats)."""
    return format_for(f"{shape}_FORMAT")


@dataclass(frozen=True)
class Sentence:
    """One whole sentence; ``clock``, ``day_month`` and ``day_month_time`` name the params shown in that shape
    (moments as ``moment_param``, days as ``day_param``); ``derive`` adds values worded at reading time (a
    duration, a role's name) from the params; other params are used as they are."""

    message: object  # a lazy gettext or ngettext (the latter counting one of the params)
    clock: tuple[str, ...] = ()
    day_month: tuple[str, ...] = ()
    day_month_time: tuple[str, ...] = ()
    derive: Callable[[Mapping], Mapping] | None = None

    def render(self, params: Mapping) -> str:
        values = dict(params)
        if self.derive is not None:
            values.update(self.derive(params))
        for names, shape, parse in ((self.clock, CLOCK, datetime.fromisoformat),
                                    (self.day_month, DAY_MONTH, date.fromisoformat),
                                    (self.day_month_time, DAY_MONTH_TIME, datetime.fromisoformat)):
            for name in names:
                # formats.date_format keeps the stored offset: the dealer's local time, in the reader's language.
                values[name] = formats.date_format(parse(values[name]), shape_format(shape))
        return str(self.message % values)


VERBATIM = "verbatim"  # a text that is not the system's (a person's words): shown as written


class Phrasebook:
    """The sentences of one kind of stored text, by key."""

    def __init__(self, sentences: Mapping[str, Sentence]):
        if VERBATIM in sentences:
            raise ValueError(f"{VERBATIM!r} is reserved for texts shown as written")
        self.sentences = dict(sentences)

    def __contains__(self, key: str) -> bool:
        return key in self.sentences or key == VERBATIM

    def render(self, key: str, params: Mapping | None, *, fallback: str = "") -> str:
        """The sentence in the active language; ``fallback`` (the stored words) for a key it does not know,
        such as rows written before keys were stored."""
        params = params or {}
        if key == VERBATIM:
            return str(params.get("text", fallback))
        sentence = self.sentences.get(key)
        if sentence is None:
            return fallback
        return sentence.render(params)
