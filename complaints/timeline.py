"""The timeline entries the system writes (an escalation, an assignment, a step's default words), stored as what
they say: a key and params, read in each reader's language through ``TimelineEntry.body_text``.

People's words (notes, contacts, a customer's words, a reason typed in a form) are stored as written and shown
as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealer_portal.sentences import Phrasebook, Sentence

from .durations import duration_words

LEVEL_NAMES = {1: gettext_lazy("dealer manager"), 2: gettext_lazy("regional manager"),
               3: gettext_lazy("after-sales HQ")}


def _escalation_words(params) -> dict:
    return {"who": LEVEL_NAMES[params["level"]],
            "late": duration_words(timedelta(minutes=params["late_minutes"])),
            "names": ", ".join(params["names"]) or _("nobody: no one holds that role")}


TIMELINE_SENTENCES = Phrasebook({
    "escalated": Sentence(gettext_lazy(
        "Escalated to level %(level)s (%(who)s), %(late)s past the reply limit. Told: %(names)s."),
        derive=_escalation_words),
    "assigned": Sentence(gettext_lazy("Assigned to %(person)s.")),
    "confirmed": Sentence(gettext_lazy("Confirmed with the customer.")),
    "owner_assigned": Sentence(gettext_lazy("%(owner)s carries the solution through.")),
    "implemented": Sentence(gettext_lazy("Solution implemented; waiting for the customer's confirmation.")),
    "resumed": Sentence(gettext_lazy("Resumed.")),
})


@dataclass(frozen=True)
class SystemWords:
    """What a system-written entry says: its key in ``TIMELINE_SENTENCES`` and its JSON-safe params."""

    key: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.key not in TIMELINE_SENTENCES:
            raise ValueError(f"Unknown timeline sentence {self.key!r}")

    @property
    def text(self) -> str:
        """In the active language (the words stored beside the key, for search and the admin)."""
        return TIMELINE_SENTENCES.render(self.key, self.params)


def entry_body_fields(body: str | SystemWords) -> dict:
    """The TimelineEntry fields for ``body``: a person's words as written, or the system's as key and params."""
    if isinstance(body, SystemWords):
        return {"body": body.text, "body_key": body.key, "body_params": body.params}
    return {"body": body}


def timeline_text(key: str, params: dict | None, *, fallback: str) -> str:
    """An entry's body in the active language; ``fallback`` (the stored words) for people's words and old rows."""
    return TIMELINE_SENTENCES.render(key, params, fallback=fallback)
