"""Checks that keep the translation catalogues complete: no user-visible template text left unmarked.

A template is read the way a person sees the page: Django's own lexer splits it into text and tags,
every tag or variable becomes a neutral placeholder (its output is marked, or is data), and the rebuilt
HTML is parsed so that only text nodes and the attributes people read (placeholder, title, aria-label…)
are checked. Text inside {% blocktranslate %}, {% comment %}, <script>/<style> bodies and literal machine
text (<code>, <kbd>, <samp>) is skipped.
"""

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

from django.template.base import Lexer, TokenType


class Finding(NamedTuple):
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text}"


# A character no template text uses; it stands where a tag or variable was.
PLACEHOLDER = "\ufffc"

TEMPLATE_SUFFIXES = {".html", ".txt"}

# Attributes whose values are shown or read aloud to the user.
VISIBLE_ATTRIBUTES = {
    "placeholder",
    "title",
    "alt",
    "label",
    "aria-label",
    "aria-description",
    "aria-placeholder",
    "aria-roledescription",
    "aria-valuetext",
    "data-confirm",
    "hx-confirm",
    "hx-prompt",
    "data-bs-title",
    "data-bs-content",
}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
RAW_TEXT_ELEMENTS = {"script", "style"}
# Literal machine text (a column name, a key to press): the same in every language.
LITERAL_ELEMENTS = {"code", "kbd", "samp"}

# Blocks whose inner text is either translated as a whole or never shown.
SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
# Acronyms and codes read the same in every language: PRC, POE, KPI, VIN, CSV, XLSX, 5S, Q3…
ACRONYM = re.compile(r"[A-Z0-9]*[A-Z][A-Z0-9]*")
ACRONYM_MAX_LETTERS = 5
# Capitalised words that are English, not acronyms.
ENGLISH_IN_CAPITALS = {"OK", "NEW", "ALL", "AND", "OR", "THE", "NOT", "YES", "NO", "NONE", "TODO"}


def unmarked_template_text(template_dirs) -> list[Finding]:
    """Every piece of user-visible text in the templates under template_dirs that is not marked."""
    findings = []
    for template_dir in template_dirs:
        for path in sorted(Path(template_dir).rglob("*")):
            if path.is_file() and path.suffix in TEMPLATE_SUFFIXES:
                findings.extend(unmarked_text_in_template(path))
    return findings


def unmarked_text_in_template(path: Path) -> list[Finding]:
    source = path.read_text(encoding="utf-8")
    rebuilt = _rebuild_with_placeholders(source)
    if path.suffix == ".txt":
        return [Finding(path, line, text) for line, text in _plain_text_findings(rebuilt)]
    parser = _VisibleTextParser()
    parser.feed(rebuilt)
    parser.close()
    return [Finding(path, line, text) for line, text in parser.findings]


def needs_translation(text: str) -> bool:
    """True when text, once placeholders and symbols are gone, still holds a word in some language."""
    return any(not _is_language_neutral(word) for word in WORD.findall(text.replace(PLACEHOLDER, " ")))


def _is_language_neutral(word: str) -> bool:
    if not any(character.isalpha() for character in word):
        return True
    letters = sum(character.isalpha() for character in word)
    has_digit = any(character.isdigit() for character in word)
    return (
        ACRONYM.fullmatch(word) is not None
        and (letters >= 2 or has_digit)
        and letters <= ACRONYM_MAX_LETTERS
        and word not in ENGLISH_IN_CAPITALS
    )


def _rebuild_with_placeholders(source: str) -> str:
    """The template source with each tag/variable replaced by a placeholder and skipped text blanked.

    Line breaks are kept, so a line in the rebuilt text is the same line in the template.
    """
    tokens = Lexer(source).tokenize()
    pieces = []
    closing_tag = None
    for index, token in enumerate(tokens):
        following = tokens[index + 1].lineno if index + 1 < len(tokens) else token.lineno
        line_breaks = "\n" * (following - token.lineno)
        if token.token_type == TokenType.TEXT:
            pieces.append(line_breaks if closing_tag else token.contents)
            continue
        if token.token_type == TokenType.BLOCK:
            tag_name = token.contents.split(maxsplit=1)[0] if token.contents else ""
            if closing_tag is None and tag_name in SKIPPED_BLOCKS:
                closing_tag = SKIPPED_BLOCKS[tag_name]
            elif tag_name == closing_tag:
                closing_tag = None
        pieces.append(PLACEHOLDER + line_breaks)
    return "".join(pieces)


def _plain_text_findings(text: str):
    for line_number, line in enumerate(text.splitlines(), start=1):
        if needs_translation(line):
            yield line_number, line.replace(PLACEHOLDER, "…").strip()


class _VisibleTextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.findings = []
        self._raw_text_element = None
        self._literal_depth = 0

    def handle_starttag(self, tag, attrs):
        self._check_attributes(tag, attrs)
        if tag in RAW_TEXT_ELEMENTS:
            self._raw_text_element = tag
        elif tag in LITERAL_ELEMENTS:
            self._literal_depth += 1

    def handle_startendtag(self, tag, attrs):
        self._check_attributes(tag, attrs)

    def handle_endtag(self, tag):
        if tag == self._raw_text_element:
            self._raw_text_element = None
        elif tag in LITERAL_ELEMENTS and self._literal_depth:
            self._literal_depth -= 1

    def handle_data(self, data):
        if self._raw_text_element or self._literal_depth or not needs_translation(data):
            return
        line, _ = self.getpos()
        leading = data[: len(data) - len(data.lstrip())]
        self.findings.append((line + leading.count("\n"), _shown(data)))

    def _check_attributes(self, tag, attrs):
        values = dict(attrs)
        visible = set(VISIBLE_ATTRIBUTES)
        if tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES:
            visible.add("value")
        line, _ = self.getpos()
        for name, value in attrs:
            if name in visible and value and needs_translation(value):
                self.findings.append((line, f'{name}="{_shown(value)}"'))


def _shown(text: str) -> str:
    return " ".join(text.replace(PLACEHOLDER, "…").split())


# Where a script puts a string literal in front of the user: a chart's label or title, an element's text,
# an alert or confirm, or a unit glued to a number ("%", " min").
SCRIPT_VISIBLE_TEXT = re.compile(
    r"""\b(?:label|title|text|placeholder|ariaLabel)\s*:\s*(?P<q1>["'`])(?P<t1>.*?)(?P=q1)"""
    r"""|\.(?:textContent|innerText|innerHTML|title|placeholder)\s*[+]?=\s*(?P<q2>["'`])(?P<t2>.*?)(?P=q2)"""
    r"""|\b(?:alert|confirm|prompt)\(\s*(?P<q3>["'`])(?P<t3>.*?)(?P=q3)"""
    r"""|\+\s*(?P<q4>["'`])(?P<t4>\s*%.*?)(?P=q4)"""
)
SCRIPT_SUFFIXES = {".js"}


def unmarked_script_text(paths) -> list[Finding]:
    """User-visible English in JavaScript: static scripts under paths and the inline scripts of templates.

    Scripts take their words from the server (json_script data built with gettext) and format numbers
    with Intl in the page's language, so any literal shown to the user is a finding.
    """
    findings = []
    for root in paths:
        for path in sorted(Path(root).rglob("*")):
            if path.is_file() and path.suffix in SCRIPT_SUFFIXES | TEMPLATE_SUFFIXES:
                findings.extend(_script_findings(path))
    return findings


def _script_findings(path: Path) -> list[Finding]:
    findings = []
    for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith("//"):
            continue
        for match in SCRIPT_VISIBLE_TEXT.finditer(line):
            text = next(value for key, value in match.groupdict().items() if key.startswith("t") and value is not None)
            if text.strip().startswith("%") or needs_translation(re.sub(r"\$\{[^}]*\}", " ", text)):
                findings.append(Finding(path, line_number, match.group(0).strip()))
    return findings
