"""Every string the Python code hands to a user is marked for translation, and this check keeps it so.

It reads the project's modules (not tests, migrations, bench or the virtualenv) and looks at the places a
string reaches a person: flash messages, the messages of errors shown to users (Django's and DRF's
ValidationError, PermissionDenied, Http404, DRF's NotFound…, and our own error classes), form and model
labels (``label=``, ``help_text=``, ``verbose_name=``, ``empty_label=``, ``error_messages``, ``Meta``),
choice labels, admin descriptions, email subjects and bodies, and export headers and sheet names. A plain
literal with letters there (or an f-string, or a literal formatted with ``%``/``.format``/``+``) is a
finding, listed as ``path:line: "text"``. Anything else — a variable, a call to ``gettext`` and friends,
a translated string formatted with ``%`` — passes: the check is about literals left unmarked, not about
proving where every variable came from.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"tests", "migrations", "bench", "bin", ".venv", "node_modules", "locale", "static", "templates"}

TRANSLATING = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy",
               "npgettext", "npgettext_lazy", "gettext_noop", "format_lazy"}
# Errors whose first argument (or message=/detail=) is read by a person: Django's, DRF's and our own.
USER_ERRORS = {"ValidationError", "PermissionDenied", "Http404", "NotFound", "ParseError", "AuthenticationFailed",
               "NotAuthenticated", "MethodNotAllowed", "NotAcceptable", "UnsupportedMediaType", "Throttled",
               "APIException", "BackgroundUnavailable", "ScoresRefused", "FileRefused", "RowRejected",
               "InvitationUnusable", "AnswerLinkUnusable"}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
LABEL_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label"}
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
ADMIN_TITLES = {"short_description", "site_header", "site_title", "index_title"}
HEADER_NAMES = re.compile(r"^(header|headers|[a-z_]+_header|[A-Z_]*EXPORT_[A-Z_]*HEADERS?)$")  # an export's header row
LETTER = re.compile(r"[^\W\d_]")


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def unmarked_text(node: ast.expr | None) -> str | None:
    """``node`` as written (quoted) if it is a literal with letters that no gettext call marks, else None."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        return repr(node.value) if isinstance(node.value, str) and LETTER.search(node.value) else None
    if isinstance(node, ast.JoinedStr):
        text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        return ast.unparse(node) if LETTER.search(text) else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return unmarked_text(node.left)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return unmarked_text(node.left) or unmarked_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return unmarked_text(node.func.value)
    if isinstance(node, ast.BoolOp):
        return next((text for text in map(unmarked_text, node.values) if text), None)
    if isinstance(node, ast.IfExp):
        return unmarked_text(node.body) or unmarked_text(node.orelse)
    return None


def _nested(node: ast.expr | None):
    """``node`` and, for a dict, list, tuple or set literal, every value inside it (the messages of an error)."""
    if isinstance(node, ast.Dict):
        for value in node.values:
            yield from _nested(value)
    elif isinstance(node, ast.List | ast.Tuple | ast.Set):
        for element in node.elts:
            yield from _nested(element)
    elif node is not None:
        yield node


def _argument(call: ast.Call, index: int, *keywords: str) -> ast.expr | None:
    if len(call.args) > index and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return next((keyword.value for keyword in call.keywords if keyword.arg in keywords), None)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _call_sinks(call: ast.Call):
    """The expressions of ``call`` that a person reads."""
    name = _name(call.func)
    receiver = _name(call.func.value) if isinstance(call.func, ast.Attribute) else ""
    if receiver == "messages" and name in MESSAGE_LEVELS:
        yield from _nested(_argument(call, 1, "message"))
    elif receiver == "messages" and name == "add_message":
        yield from _nested(_argument(call, 2, "message"))
    if name in USER_ERRORS:
        yield from _nested(_argument(call, 0, "message", "detail"))
    if name == "add_error":
        yield from _nested(_argument(call, 1, "error"))
    for keyword in call.keywords:
        if keyword.arg in LABEL_KEYWORDS:
            yield keyword.value
        elif keyword.arg == "error_messages":
            yield from _nested(keyword.value)
        elif keyword.arg == "description" and name in {"display", "action"}:
            yield keyword.value
        elif keyword.arg == "choices" and isinstance(keyword.value, ast.List | ast.Tuple):
            for choice in keyword.value.elts:
                if isinstance(choice, ast.Tuple) and len(choice.elts) == 2:
                    yield choice.elts[1]
    if receiver == "models" and name.endswith("Field") and name not in RELATION_FIELDS:
        yield _argument(call, 0)  # a model field's first positional argument is its verbose_name
    if name == "email_queue":
        yield _keyword(call, "subject")
        yield _keyword(call, "body")
    if name in {"send_mail", "EmailMessage", "EmailMultiAlternatives"}:
        yield _argument(call, 0, "subject")
        yield _argument(call, 1, "message", "body")
    if name == "writerow":
        yield from _nested(_argument(call, 0))
    if name == "append" and ("sheet" in receiver or receiver == "ws"):
        yield from _nested(_argument(call, 0))
    if name == "create_sheet":
        yield _argument(call, 0, "title")


def _class_sinks(node: ast.ClassDef):
    """Choice labels of a TextChoices/IntegerChoices class; labels and names in a ``Meta``."""
    bases = {_name(base) for base in node.bases}
    for statement in node.body:
        if not isinstance(statement, ast.Assign):
            continue
        targets = {_name(target) for target in statement.targets}
        is_choice = any(base.endswith("Choices") for base in bases)
        if is_choice and isinstance(statement.value, ast.Tuple) and len(statement.value.elts) >= 2:
            yield statement.value.elts[-1]
        if node.name == "Meta" and targets & {"verbose_name", "verbose_name_plural"}:
            yield statement.value
        if node.name == "Meta" and targets & {"labels", "help_texts", "error_messages"}:
            yield from _nested(statement.value)


def findings_in_source(source: str, path: str = "<source>") -> list[str]:
    """``path:line: "text"`` for every unmarked user-visible literal in ``source``."""
    tree = ast.parse(source)
    found = []

    def report(sink):
        text = unmarked_text(sink)
        if text is not None:
            found.append(f"{path}:{sink.lineno}: {text}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for sink in _call_sinks(node):
                report(sink)
        elif isinstance(node, ast.ClassDef):
            for sink in _class_sinks(node):
                report(sink)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.List | ast.Tuple) \
                and any(HEADER_NAMES.match(_name(target)) for target in node.targets):
            for sink in _nested(node.value):
                report(sink)
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and (target.attr in ADMIN_TITLES or (
                        target.attr == "title" and "sheet" in _name(target.value))):
                    report(node.value)
    return sorted(set(found), key=lambda line: (int(line.split(":")[1]), line))


def project_modules():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        folders = relative.parts[:-1]
        if not SKIPPED_DIRS.intersection(folders) and not any(part.startswith(".") for part in folders):
            yield relative


def test_every_user_visible_literal_in_python_is_marked_for_translation():
    findings = []
    for relative in project_modules():
        findings += findings_in_source((ROOT / relative).read_text(encoding="utf-8"), str(relative))
    assert not findings, "Mark these for translation (gettext / gettext_lazy):\n" + "\n".join(findings)


def test_the_walk_reads_the_apps_and_leaves_out_tests_and_migrations():
    modules = {str(path) for path in project_modules()}
    assert "complaints/models.py" in modules and "dealer_portal/errors.py" in modules
    assert not any(path.startswith(("tests/", "bench/")) or "/migrations/" in path for path in modules)


# The check's own tests, on sample sources: a marked string passes, an unmarked one is caught.

def _texts(source: str) -> list[str]:
    return [finding.split(": ", 1)[1] for finding in findings_in_source(source)]


def test_a_flash_message_is_caught_unless_marked():
    assert _texts('messages.success(request, "Saved.")') == ["'Saved.'"]
    assert _texts('messages.add_message(request, messages.INFO, f"Saved {name}.")') == ["f'Saved {name}.'"]
    assert _texts('messages.success(request, _("Saved."))') == []
    assert _texts('messages.error(request, _("%(n)s left") % {"n": n})') == []
    assert _texts('messages.warning(request, message)') == []


def test_error_messages_are_caught_in_any_shape_unless_marked():
    assert _texts('raise ValidationError("Too late.")') == ["'Too late.'"]
    assert _texts('raise serializers.ValidationError({"due": ["Too late."]})') == ["'Too late.'"]
    assert _texts('raise Http404(query.missing or "Nothing published yet.")') == ["'Nothing published yet.'"]
    assert _texts('raise RowRejected("vin: %s is taken" % vin)') == ["'vin: %s is taken'"]
    assert _texts('raise FileRefused(" ".join(problems))') == []
    assert _texts('raise ValidationError(_("Too late."), code="late")') == []
    assert _texts('form.add_error("due", "Too late.")') == ["'Too late.'"]
    assert _texts('form.add_error(None, gettext("Too late."))') == []


def test_field_labels_meta_and_choice_labels_are_caught_unless_marked():
    source = '''
class Status(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", _("Closed")
    BARE = "bare"

class Complaint(models.Model):
    title = models.CharField("Title", max_length=9, help_text=_("Short."))
    dealer = models.ForeignKey("tenancy.Dealer", on_delete=models.CASCADE)
    kind = models.CharField(max_length=9, choices=[("a", "Alpha"), ("b", _("Beta"))])

    class Meta:
        verbose_name_plural = "complaints"

class Form(forms.Form):
    due = forms.DateField(label="Due", error_messages={"invalid": "Bad date."}, empty_label=None)
'''
    assert _texts(source) == ["'Open'", "'Title'", "'Alpha'", "'complaints'", "'Bad date.'", "'Due'"]


def test_emails_and_export_headers_are_caught_unless_marked():
    source = '''
email_queue(dealer=d, to=to, subject="New complaint", body=body, purpose="complaint_new")
email_queue(dealer=d, to=to, subject=_("New complaint"), body=body, purpose="complaint_new")
header = ["Rank", _("Dealer")]
writer.writerow(["Dealer", _("Rank")])
sheet = workbook.create_sheet(title="Ranking")
admin.site.site_header = "Dealer Portal administration"
admin.site.site_title = gettext_lazy("Dealer Portal")
'''
    assert _texts(source) == ["'New complaint'", "'Rank'", "'Dealer'", "'Ranking'", "'Dealer Portal administration'"]


def test_codes_and_literals_no_one_reads_are_not_findings():
    source = '''
raise ValidationError(_("Too late."), code="late")
email_queue(dealer=d, to="a@b.c", subject=subject, body=body, purpose="complaint_new")
rows.append(["KPI", 1])
total = models.DecimalField(max_digits=5, decimal_places=2)
raise ValidationError({"due": [_("Too late.")]})
'''
    assert _texts(source) == []
