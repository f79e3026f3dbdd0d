"""How every complaint write (a service or a step of the recovery process) checks the words and moments it is
given."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import WORDS_LIMIT

CLOCK_SKEW = timedelta(minutes=2)
# Further back (or ahead, for a due date) is a mistyped year: a year 2999 once broke the figures page.
PLAUSIBLE_SPAN = timedelta(days=5 * 366)
# Another dealer's row and a missing one get this same answer, so nothing says the other exists.
NOT_AVAILABLE = gettext_lazy("Select a valid choice. That choice is not one of the available choices.")


def words_checked(value: str, field: str, *, what: str) -> str:
    """The text, stripped; an error on ``field`` if it is empty or longer than a statement should be."""
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: _("Write %(what)s.") % {"what": what}})
    if len(text) > WORDS_LIMIT:
        raise ValidationError({field: _("Keep it under %(limit)s characters (this is %(size)s); attach long "
                                        "documents instead.") % {"limit": f"{WORDS_LIMIT:,}",
                                                                 "size": f"{len(text):,}"}})
    return text


def moment_checked(value: datetime | None, field: str) -> datetime:
    """``value`` (default: now); an error on ``field`` if it is in the future or implausibly long ago."""
    now = timezone.now()
    moment = value or now
    if moment > now + CLOCK_SKEW:
        raise ValidationError({field: _("This time is in the future.")})
    if moment < now - PLAUSIBLE_SPAN:
        raise ValidationError({field: _("This time is more than five years ago: check the year.")})
    return moment
