"""The message catalogues under LOCALE_PATHS: where they are, what makes one complete, how they compile.

Compiled with polib, so an install needs nothing but Python (no GNU gettext). English is the source
language: its catalogue is filled from the msgids (``catalogue_fill_source``), the others are translated.
"""

import re
from collections import Counter
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation import to_locale

SOURCE_LANGUAGE = "en"
# What makemessages reads: the project's code and templates, not its tests, benchmarks or vendored files.
MAKEMESSAGES_IGNORE = ["tests/*", "bench/*", "static/vendor/*", "staticfiles/*", "test-artifacts/*", "build/*"]

# %(name)s, %(count)d, %s, %d, %.1f and {name}, {0}; "%%" is a literal percent sign, not a placeholder.
_PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[#0\- +]*\d*(?:\.\d+)?[sdifrx]")
_BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{[A-Za-z_0-9][\w.]*\}(?!\})")


def locale_dirs() -> list[Path]:
    return [Path(path) for path in settings.LOCALE_PATHS]


def catalogue_paths() -> list[Path]:
    """Every .po file under LOCALE_PATHS (<locale>/LC_MESSAGES/<domain>.po)."""
    return sorted(po for directory in locale_dirs() for po in directory.glob("*/LC_MESSAGES/*.po"))


def catalogue_domains() -> list[str]:
    """The gettext domains the project has catalogues for: django, and djangojs once it exists."""
    return sorted({path.stem for path in catalogue_paths()})


def catalogue_path(language: str, domain: str = "django") -> Path:
    """Where a language's catalogue lives: zh-hans is locale/zh_Hans/LC_MESSAGES/django.po."""
    return locale_dirs()[0] / to_locale(language) / "LC_MESSAGES" / f"{domain}.po"


def catalogue_compile(path: Path) -> Path:
    """Write the .mo beside one .po and return its path; fuzzy and untranslated entries are left out."""
    mo_path = path.with_suffix(".mo")
    polib.pofile(str(path)).save_as_mofile(str(mo_path))
    return mo_path


def catalogue_fill_source(path: Path) -> int:
    """The English catalogue says what the msgids say: msgstr = msgid (msgid_plural for the plural form).

    Side effects: rewrites the .po at ``path``. Returns how many entries changed.
    """
    po = polib.pofile(str(path))
    plural_forms = _plural_count(po)
    changed = 0
    for entry in po:
        if entry.obsolete:
            continue
        before = (entry.msgstr, dict(entry.msgstr_plural), "fuzzy" in entry.flags)
        if entry.msgid_plural:
            entry.msgstr_plural = {index: entry.msgid if index == 0 else entry.msgid_plural
                                   for index in range(plural_forms)}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        if before != (entry.msgstr, dict(entry.msgstr_plural), "fuzzy" in entry.flags):
            changed += 1
    po.save(str(path))
    return changed


def placeholders(text: str) -> Counter:
    """The interpolation placeholders in one string, counted (positional ones matter by number)."""
    text = text.replace("%%", "")
    return Counter(_PERCENT_PLACEHOLDER.findall(text) + _BRACE_PLACEHOLDER.findall(text))


def catalogue_problems(path: Path) -> dict[str, list[str]]:
    """What keeps one catalogue from being complete, by kind, each naming the msgids at fault."""
    po = polib.pofile(str(path))
    plural_forms = _plural_count(po)
    problems: dict[str, list[str]] = {"untranslated": [], "fuzzy": [], "plural forms missing": [],
                                      "placeholders differ": []}
    for entry in po:
        if entry.obsolete:
            continue
        label = entry.msgid if not entry.msgctxt else f"{entry.msgid} [{entry.msgctxt}]"
        if "fuzzy" in entry.flags:
            problems["fuzzy"].append(label)
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(index, "") for index in range(plural_forms)]
            if not any(forms):
                problems["untranslated"].append(label)
                continue
            if not all(forms):
                problems["plural forms missing"].append(label)
            if not _plural_placeholders_match(entry, forms):
                problems["placeholders differ"].append(label)
        else:
            if not entry.msgstr:
                problems["untranslated"].append(label)
                continue
            if placeholders(entry.msgstr) != placeholders(entry.msgid):
                problems["placeholders differ"].append(label)
    return {kind: labels for kind, labels in problems.items() if labels}


def _plural_placeholders_match(entry: polib.POEntry, forms: list[str]) -> bool:
    # The singular form may leave out the count ("one complaint"); the last ("other") form is the plural msgid's.
    allowed = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
    if any(set(placeholders(form)) - allowed for form in forms if form):
        return False
    return not forms[-1] or set(placeholders(forms[-1])) == set(placeholders(entry.msgid_plural))


def _plural_count(po: polib.POFile) -> int:
    match = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    return int(match.group(1)) if match else 2
