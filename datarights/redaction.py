"""How a customer's personal values are taken out of text: the pure rules the erasure applies to every row."""

from __future__ import annotations

import re

# What stands where a personal value was: the same in every language, and matching no one's name.
REDACTED = "[…]"
# A value shorter than this is too common to find in free text (it is still cleared from the customer's fields).
MIN_VALUE_LENGTH = 3


def personal_values(*, name: str, phones: list[str], emails: list[str], vins: list[str],
                    plates: list[str]) -> list[str]:
    """Every value that identifies the customer, longest first (so a longer value is replaced whole)."""
    values = [name.strip(), *emails, *vins, *plates]
    for phone in phones:
        values += [phone, phone.lstrip("+")]
    kept = {value.strip() for value in values if value and len(value.strip()) >= MIN_VALUE_LENGTH}
    return sorted(kept, key=lambda value: (-len(value), value))


def name_parts(name: str) -> list[str]:
    """The words of a name, for the customer's own records (where "Mrs García" names them too)."""
    return sorted({part for part in re.split(r"[\s,.;:()\"']+", name) if len(part) >= MIN_VALUE_LENGTH},
                  key=lambda part: (-len(part), part))


def _pattern(values: list[str], words: list[str]) -> re.Pattern | None:
    alternatives = [re.escape(value) for value in values]
    alternatives += [rf"(?<!\w){re.escape(word)}(?!\w)" for word in words]
    return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None


def redact_text(text: str, *, values: list[str], words: list[str] = ()) -> str:
    """``text`` with each of ``values`` (anywhere) and ``words`` (as whole words) replaced, ignoring case."""
    pattern = _pattern(list(values), list(words))
    if not text or pattern is None:
        return text
    return pattern.sub(REDACTED, text)


def redact_json(value, *, values: list[str], words: list[str] = ()):
    """A JSON value with the personal values taken out of every string in it (keys included)."""
    if isinstance(value, str):
        return redact_text(value, values=values, words=words)
    if isinstance(value, list):
        return [redact_json(item, values=values, words=words) for item in value]
    if isinstance(value, dict):
        return {redact_text(key, values=values, words=words): redact_json(item, values=values, words=words)
                for key, item in value.items()}
    return value

