"""Limits every field shares, whoever reads it (page forms, the API, query strings): ids and years."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The largest id a bigint primary key holds; a larger one is refused before it reaches the database.
MAX_ID = 2**63 - 1

# No dealer's record is dated outside these years; beyond them local times and windows overflow (a 500).
PLAUSIBLE_YEARS = range(1900, 2200)


def id_or_none(value) -> int | None:
    """``value`` as a row id (ASCII digits, 1 to ``MAX_ID``), else None: never a ValueError or an overflow."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def validate_plausible_year(value) -> None:
    """A date or date-time in ``PLAUSIBLE_YEARS``; year 1 or 9999 is a field error, not an overflow later."""
    if isinstance(value, date) and value.year not in PLAUSIBLE_YEARS:
        raise ValidationError(_("Check the year: %(year)d cannot be right."), code="implausible_year",
                              params={"year": value.year})
