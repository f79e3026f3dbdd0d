"""No template carries code or style the Content-Security-Policy would block: every script is a file
(``<script src>``; ``type="application/json"`` data from json_script is not executed), no ``style=`` attribute,
no ``<style>`` block, no ``on…=`` handler, no ``javascript:`` URL, no htmx attribute that evaluates code."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")) + sorted(
    Path(settings.BASE_DIR, "templates").rglob("*.txt"))
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
FORBIDDEN = {
    "a style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "a <style> block": re.compile(r"<style\b", re.IGNORECASE),
    "an on… event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "a javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "hx-on (evaluated code)": re.compile(r"\shx-on", re.IGNORECASE),
    "js: values in hx-vals/hx-headers (evaluated code)": re.compile(r"hx-(?:vals|headers)\s*=\s*['\"]\s*js:",
                                                                   re.IGNORECASE),
    "an htmx trigger filter (evaluated code)": re.compile(r"hx-trigger\s*=\s*['\"][^'\"]*\[", re.IGNORECASE),
}


def problems_in(text: str) -> list[str]:
    found = [what for what, pattern in FORBIDDEN.items() if pattern.search(text)]
    for attributes in SCRIPT_TAG.findall(text):
        if not re.search(r"\ssrc\s*=", " " + attributes) and not re.search(
                r"type\s*=\s*['\"]application/json['\"]", attributes):
            found.append("an inline <script>")
    return found


def test_the_walk_finds_the_templates():
    names = {path.name for path in TEMPLATES}
    assert {"base.html", "scorecard.html", "dashboard.html", "api_docs.html", "400.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(settings.BASE_DIR)))
def test_no_template_has_inline_script_style_or_handler(path):
    assert problems_in(path.read_text()) == []


@pytest.mark.parametrize(("snippet", "problem"), [
    ("<script>alert(1)</script>", "an inline <script>"),
    ('<div style="color: red">', "a style attribute"),
    ("<style>p { color: red }</style>", "a <style> block"),
    ('<button onclick="go()">', "an on… event handler"),
    ('<a href="javascript:history.back()">', "a javascript: URL"),
    ('<div hx-on:click="go()">', "hx-on (evaluated code)"),
    ("<input hx-vals='js:{a: 1}'>", "js: values in hx-vals/hx-headers (evaluated code)"),
    ('<div hx-trigger="keyup[ctrlKey]">', "an htmx trigger filter (evaluated code)"),
])
def test_the_check_catches_each_kind(snippet, problem):
    assert problem in problems_in(snippet)


def test_the_check_lets_files_and_json_data_through():
    assert problems_in('<script src="/static/js/portal.js"></script>'
                       '<script id="d" type="application/json">{"a": 1}</script><p class="x">on=1</p>') == []
