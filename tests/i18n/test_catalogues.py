"""The message catalogues are complete: every language has every domain, everything translated, nothing fuzzy,
every plural form filled, the placeholders kept; and makemessages would add nothing no catalogue has."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from dealer_portal.catalogues import (
    MAKEMESSAGES_IGNORE,
    catalogue_domains,
    catalogue_path,
    catalogue_problems,
    placeholders,
)

from ..conftest import IN_CI

LANGUAGES = [code for code, _name in settings.LANGUAGES]
PROJECT = Path(settings.BASE_DIR)
SOURCE_SKIP = {".git", ".venv", ".venv-prod", "locale", "node_modules", "staticfiles", "media", "test-artifacts",
               "tests", "bench", "build", "vendor", "__pycache__", ".pytest_cache", ".ruff_cache"}


def _listing(labels: list[str], limit: int = 40) -> str:
    shown = "\n".join(f"  - {label!r}" for label in labels[:limit])
    more = f"\n  … and {len(labels) - limit} more" if len(labels) > limit else ""
    return f"{shown}{more}"


def test_the_project_has_a_django_catalogue():
    assert "django" in catalogue_domains()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", catalogue_domains())
def test_catalogue_is_complete(language, domain):
    path = catalogue_path(language, domain)
    assert path.exists(), f"{language} has no {domain} catalogue: {path.relative_to(PROJECT)} is missing"
    problems = catalogue_problems(path)
    assert not problems, f"{path.relative_to(PROJECT)} is not complete:\n" + "\n".join(
        f"{kind} ({len(labels)}):\n{_listing(labels)}" for kind, labels in problems.items())


@pytest.mark.parametrize(("text", "expected"), [
    ("%(count)s complaints, %(late)d late", {"%(count)s": 1, "%(late)d": 1}),
    ("%s of %s", {"%s": 2}),
    ("{name} is {0}", {"{name}": 1, "{0}": 1}),
    ("97 %% on time, {{ literal }}", {}),
])
def test_placeholders_are_found(text, expected):
    assert placeholders(text) == expected


def test_an_incomplete_catalogue_is_refused(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    po.append(polib.POEntry(msgid="Open", msgstr=""))
    po.append(polib.POEntry(msgid="Closed", msgstr="Suljettu", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="%(count)s call", msgid_plural="%(count)s calls",
                            msgstr_plural={0: "%(count)s puhelu", 1: ""}))
    po.append(polib.POEntry(msgid="%(name)s was told", msgstr="%(nimi)s sai tiedon"))
    po.append(polib.POEntry(msgid="Saved", msgstr="Tallennettu"))
    po.save(str(tmp_path / "django.po"))

    assert catalogue_problems(tmp_path / "django.po") == {
        "untranslated": ["Open"], "fuzzy": ["Closed"], "plural forms missing": ["%(count)s call"],
        "placeholders differ": ["%(name)s was told"]}


@pytest.fixture
def source_copy(tmp_path):
    """The project's code and templates copied to a temporary folder, so makemessages never touches locale/."""
    if shutil.which("xgettext") is None:
        if IN_CI:
            pytest.fail("CI=true but xgettext is missing: .ci/run installs Debian's gettext package.")
        print("xgettext (GNU gettext) is not installed: cannot run makemessages (apt-get install gettext)")
        pytest.skip("needs GNU gettext's xgettext for makemessages (apt-get install gettext)")
    copy = tmp_path / "source"
    shutil.copytree(PROJECT, copy, ignore=lambda _dir, names: [name for name in names if name in SOURCE_SKIP
                                                                or name.endswith((".mo", ".pyc", ".sqlite3"))])
    (copy / "locale").mkdir()
    return copy


def _msgids(path: Path) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in polib.pofile(str(path)) if not entry.obsolete and entry.msgid}


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_makemessages_would_add_nothing(domain, source_copy, monkeypatch):
    monkeypatch.chdir(source_copy)
    with override_settings(LOCALE_PATHS=[source_copy / "locale"]):
        call_command("makemessages", locale=["en"], domain=domain, ignore_patterns=MAKEMESSAGES_IGNORE,
                     no_location=True, verbosity=0)
    extracted_path = source_copy / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
    extracted = _msgids(extracted_path) if extracted_path.exists() else set()

    for language in LANGUAGES:
        path = catalogue_path(language, domain)
        known = _msgids(path) if path.exists() else set()
        missing = sorted(msgid if context is None else f"{msgid} [{context}]"
                         for context, msgid in extracted - known)
        assert not missing, (f"makemessages finds {len(missing)} {domain} string(s) that "
                             f"{path.relative_to(PROJECT)} lacks (run makemessages -a, then translate):\n"
                             + _listing(missing))


def _write_catalogue(directory: Path, locale: str, entries: list[polib.POEntry]) -> Path:
    path = directory / locale / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    po.extend(entries)
    po.save(str(path))
    return path


def test_compile_catalogues_writes_each_mo_with_polib_leaving_out_fuzzy_entries(tmp_path):
    po_path = _write_catalogue(tmp_path, "fi", [polib.POEntry(msgid="Open", msgstr="Avoin"),
                                                polib.POEntry(msgid="Closed", msgstr="Suljettu", flags=["fuzzy"])])
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("compile_catalogues", verbosity=0)
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(po_path.with_suffix(".mo")))}
    assert compiled.get("Open") == "Avoin" and "Closed" not in compiled


def test_fill_source_catalogue_gives_english_its_msgids(tmp_path):
    po_path = _write_catalogue(tmp_path, "en", [
        polib.POEntry(msgid="Open", msgstr=""),
        polib.POEntry(msgid="%(count)s call", msgid_plural="%(count)s calls", msgstr_plural={0: "", 1: ""}),
        polib.POEntry(msgid="Closed", msgstr="Closed (old)", flags=["fuzzy"])])
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("fill_source_catalogue", verbosity=0)
    assert catalogue_problems(po_path) == {}
    entries = {entry.msgid: entry for entry in polib.pofile(str(po_path))}
    assert entries["Open"].msgstr == "Open" and entries["Closed"].msgstr == "Closed"
    assert entries["%(count)s call"].msgstr_plural == {0: "%(count)s call", 1: "%(count)s calls"}
