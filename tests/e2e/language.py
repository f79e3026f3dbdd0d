"""What a page in the browser still shows in English, judged against the English catalogue.

A page in Spanish (or Malay, Finnish, Chinese) fails the check when it shows, as a whole text, any English
msgid that its language's catalogue translates differently, or when its text contains a sentence fragment
(three words or more between placeholders) of such a msgid. Chart labels count as text: they are read from
the Chart.js instances on the page. Strings the language keeps as they are (POE, KPI, VIN) never count, nor
does text an element marks as another language (``lang="en"`` on "English" in the language picker).
English month and weekday names (January, Jan, Monday, Mon, as whole words) count too, but for names the
language's own date formats write the same way (Malay "Jan", "Nov").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import polib
from django.conf import settings
from django.utils import formats, translation
from django.utils.dateformat import format as date_format

LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}|<[^>]+>|&\w+;")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")

PAGE_TEXTS = """() => {
  const texts = [];
  const page = document.documentElement.lang;
  // Text marked as another language (each language's own name in the picker) is not a leftover.
  const foreign = (el) => { const marked = el.closest("[lang]"); return marked && marked.lang !== page; };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest("script, style, noscript, template") || foreign(parent)) continue;
    const text = walker.currentNode.textContent.replace(/\\s+/g, " ").trim();
    if (text) texts.push(text);
  }
  for (const el of document.querySelectorAll("[placeholder], [title], [aria-label], [alt], input[type=submit]")) {
    for (const name of ["placeholder", "title", "aria-label", "alt"]) {
      const value = el.getAttribute(name);
      if (value && value.trim()) texts.push(value.replace(/\\s+/g, " ").trim());
    }
    if (el.matches("input[type=submit]") && el.value) texts.push(el.value.trim());
  }
  if (window.Chart) {
    for (const canvas of document.querySelectorAll("canvas")) {
      const chart = Chart.getChart(canvas);
      if (!chart) continue;
      for (const label of chart.data.labels || []) texts.push(String(label));
      for (const dataset of chart.data.datasets) if (dataset.label) texts.push(String(dataset.label));
      for (const scale of Object.values(chart.scales || {})) {
        for (const tick of scale.ticks || []) if (tick.label) texts.push(String(tick.label));
        if (scale.options.title && scale.options.title.text) texts.push(String(scale.options.title.text));
      }
    }
  }
  texts.push(document.title);
  return texts;
}"""


@dataclass(frozen=True)
class English:
    whole: frozenset[str]  # msgids without placeholders, translated differently
    fragments: tuple[str, ...]  # runs of three or more words of a msgid, translated differently


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@cache
def english_of(language: str) -> English:
    catalogue = polib.pofile(str(LOCALE / translation.to_locale(language) / "LC_MESSAGES" / "django.po"))
    whole, fragments = set(), set()
    translations = " ".join(
        _normal(entry.msgstr or " ".join(entry.msgstr_plural.values())) for entry in catalogue)
    for entry in catalogue:
        if entry.obsolete:
            continue
        sources = [entry.msgid, *([entry.msgid_plural] if entry.msgid_plural else [])]
        translated = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for source in sources:
            source = _normal(source)
            if not WORD.search(source) or source in map(_normal, translated):
                continue
            if not PLACEHOLDER.search(source):
                whole.add(source)
            for part in PLACEHOLDER.split(source):
                part = _normal(part).strip(" .,:;·–—()")
                if len(WORD.findall(part)) >= 3 and part not in translations:
                    fragments.add(part)
    return English(frozenset(whole), tuple(sorted(fragments, key=len, reverse=True)))


ENGLISH_CALENDAR = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun"]
CALENDAR_DAYS = [datetime(2026, month, 1) for month in range(1, 13)] + [datetime(2026, 1, day) for day in range(5, 12)]


@cache
def english_calendar_words(language: str) -> re.Pattern:
    """English month and weekday names, as whole words, but for those the language's own date formats write
    the same way (Malay "Jan", "Nov"; Spanish writes "nov", so "Nov" still counts)."""
    with translation.override(language):
        patterns = {value for module in formats.get_format_modules(language) for name, value in vars(module).items()
                    if name.endswith("_FORMAT") and isinstance(value, str)}
        own = {word for pattern in patterns for day in CALENDAR_DAYS
               for word in re.findall(r"\w+", date_format(day, pattern))}
    names = [name for name in ENGLISH_CALENDAR if name not in own]
    return re.compile(r"(?<![\w-])(?:" + "|".join(names) + r")(?![\w-])")


def english_on(page, language: str) -> list[str]:
    """The English texts ``page`` still shows although ``language`` translates them."""
    english = english_of(language)
    texts = [_normal(text) for text in page.evaluate(PAGE_TEXTS)]
    found = [text for text in texts if text in english.whole]
    body = " ".join(texts)
    found += [fragment for fragment in english.fragments if fragment in body and fragment not in found]
    calendar = english_calendar_words(language)
    found += [text for text in texts if calendar.search(text) and text not in found]
    return sorted(set(found))


def assert_in_language(page, language: str, where: str) -> None:
    page.wait_for_load_state("load")
    leftovers = english_on(page, language)
    assert not leftovers, f"{where} ({page.url}) still shows English in {language}: {leftovers}"


def t(language: str, msgid: str, context: str | None = None) -> str:
    """``msgid`` as the catalogue of ``language`` gives it: how the journeys find buttons and labels."""
    with translation.override(language):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)
