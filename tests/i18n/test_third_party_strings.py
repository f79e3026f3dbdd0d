"""The texts of allauth and Django that our pages show are in every language, and still exist in those packages."""

from pathlib import Path

import allauth
import django
import polib
import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from accounts import third_party_strings as strings

OTHER_LANGUAGES = ["es", "fi", "ms", "zh-hans"]
SINGULAR = [*strings.ALLAUTH_MESSAGES, *strings.ALLAUTH_LABELS, *strings.DJANGO_MESSAGES]


def english_msgids(*catalogues: Path) -> set[str]:
    return {entry.msgid for path in catalogues for entry in polib.pofile(str(path))}


def english_plurals(*catalogues: Path) -> set[str]:
    return {entry.msgid_plural for path in catalogues for entry in polib.pofile(str(path)) if entry.msgid_plural}


ALLAUTH_IDS = english_msgids(Path(allauth.__file__).parent / "locale/en/LC_MESSAGES/django.po")
DJANGO_CATALOGUES = (Path(django.__file__).parent / "contrib/auth/locale/en/LC_MESSAGES/django.po",
                     Path(django.__file__).parent / "conf/locale/en/LC_MESSAGES/django.po")
DJANGO_IDS = english_msgids(*DJANGO_CATALOGUES)
DJANGO_PLURAL_IDS = english_plurals(*DJANGO_CATALOGUES)


@pytest.mark.parametrize("msgid", [*strings.ALLAUTH_MESSAGES, *strings.ALLAUTH_LABELS])
def test_each_allauth_text_we_carry_is_still_one_of_allauths(msgid):
    assert msgid in ALLAUTH_IDS, f"allauth no longer has {msgid!r}: find its new wording"


@pytest.mark.parametrize("msgid", strings.DJANGO_MESSAGES)
def test_each_django_text_we_carry_is_still_one_of_djangos(msgid):
    assert msgid in DJANGO_IDS, f"Django no longer has {msgid!r}: find its new wording"


@pytest.mark.parametrize("message", strings.DJANGO_PLURAL_MESSAGES)
def test_each_django_plural_text_we_carry_is_still_one_of_djangos(message):
    with translation.override("en"):
        msgid_plural = (message % 10).replace("10", "%d")
    assert msgid_plural in DJANGO_PLURAL_IDS, f"Django no longer has {msgid_plural!r}: find its new wording"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
@pytest.mark.parametrize("msgid", SINGULAR)
def test_each_third_party_text_is_translated(language, msgid):
    with translation.override(language):
        assert gettext(msgid) != msgid, f"{msgid!r} is still English in {language}"


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
@pytest.mark.parametrize("message", strings.DJANGO_PLURAL_MESSAGES)
def test_each_third_party_plural_text_is_translated(language, message):
    with translation.override("en"):
        english = message % 10
    with translation.override(language):
        assert message % 10 != english, f"{english!r} is still English in {language}"


@pytest.mark.parametrize("msgid", strings.DJANGO_MESSAGES)
def test_our_malay_catalogue_corrects_djangos(msgid):
    """Django's Malay says "too short" for "too common": our catalogue must carry its own translation."""
    ours = {entry.msgid: entry for entry in polib.pofile(str(settings.LOCALE_PATHS[0] / "ms/LC_MESSAGES/django.po"))}
    assert msgid in ours and ours[msgid].translated(), f"locale/ms has no translation of {msgid!r}"
