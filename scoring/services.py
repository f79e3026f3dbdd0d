"""Writes on checklists: import and export as readable JSON, the shipped ones, and new versions."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .kpis import MEASURES, default_kpis
from .models import (
    Assessment,
    AssessmentEvidence,
    AssessmentStatus,
    ChecklistItem,
    ChecklistKind,
    ChecklistSection,
    ChecklistTemplate,
    Kpi,
)

SHIPPED = Path(__file__).resolve().parent / "checklists"


def checklist_export(template: ChecklistTemplate) -> dict:
    """The checklist as plain data (what ``checklist_import`` reads back)."""
    return {
        "code": template.code, "kind": template.kind, "name": template.name, "version": template.version,
        "sections": [
            {"code": section.code, "title": section.title,
             "items": [{"code": item.code, "text": item.text, "max_points": item.max_points,
                        **({"guidance": item.guidance} if item.guidance else {})}
                       for item in section.items.all()]}
            for section in template.sections.prefetch_related("items")
        ],
    }


# The longest text each part of a checklist may have (the columns' sizes).
CHECKLIST_LIMITS = {"code": 40, "name": 160, "section_code": 20, "section_title": 200, "item_code": 20}


def _too_long(errors: list, value, limit: int, what: str) -> None:
    if isinstance(value, str) and len(value) > limit:
        errors.append(_("%(what)s is longer than %(limit)d characters.") % {"what": what, "limit": limit})


def _validated(data) -> dict:
    """Every problem of a checklist file at once, in words an admin can act on (never a crash on odd input)."""
    if not isinstance(data, dict):
        raise ValidationError(_("A checklist is an object with code, kind, name and sections."))
    errors = []
    for name in ("code", "kind", "name"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            errors.append(_("“%(field)s” is missing.") % {"field": name})
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        errors.append(_("“%(field)s” is missing.") % {"field": "sections"})
        sections = []
    if isinstance(data.get("kind"), str) and data["kind"] and data["kind"] not in ChecklistKind.values:
        errors.append(_("“kind” must be one of %(kinds)s.") % {"kinds": ", ".join(ChecklistKind.values)})
    if isinstance(data.get("code"), str) and not re.fullmatch(r"[-a-zA-Z0-9_]+", data["code"]):
        errors.append(_("“code” may hold only letters, digits, hyphens and underscores."))
    _too_long(errors, data.get("code"), CHECKLIST_LIMITS["code"], _("The checklist code"))
    _too_long(errors, data.get("name"), CHECKLIST_LIMITS["name"], _("The checklist name"))
    seen = set()
    for section in sections:
        items = section.get("items") if isinstance(section, dict) else None
        if not isinstance(section, dict) or not isinstance(section.get("code"), str) or not section["code"] \
                or not isinstance(section.get("title"), str) or not section["title"] \
                or not isinstance(items, list) or not items:
            errors.append(_("Every section needs a code, a title and items."))
            continue
        _too_long(errors, section["code"], CHECKLIST_LIMITS["section_code"],
                  _("Section code %(code)s") % {"code": section["code"][:20]})
        _too_long(errors, section["title"], CHECKLIST_LIMITS["section_title"],
                  _("The title of section %(code)s") % {"code": section["code"][:20]})
        for item in items:
            if not isinstance(item, dict):
                errors.append(_("Every item of section %(section)s must be an object with code, text and "
                                "max_points.") % {"section": section["code"]})
                continue
            code, points = item.get("code"), item.get("max_points")
            if not isinstance(code, str) or not code or not isinstance(item.get("text"), str) or not item["text"]:
                errors.append(_("Every item needs a code and a text (section %(section)s).") % {
                    "section": section["code"]})
            _too_long(errors, code, CHECKLIST_LIMITS["item_code"], _("Item code %(code)s") % {"code": str(code)[:20]})
            if not isinstance(item.get("guidance", ""), str):
                errors.append(_("Item %(code)s: guidance must be text.") % {"code": code})
            if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 100:
                errors.append(_("Item %(code)s: maximum points must be a whole number from 1 to 100.") % {
                    "code": code})
            if isinstance(code, str) and code in seen:
                errors.append(_("Item code %(code)s appears twice.") % {"code": code})
            if isinstance(code, str):
                seen.add(code)
    if errors:
        raise ValidationError(errors)
    return data


@transaction.atomic
def checklist_import(*, network, data: dict | str) -> ChecklistTemplate:
    """Create a checklist from data (or JSON text). A code the network already has gets a new version;
    the earlier versions stay as they are, so past scores never change."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise ValidationError(_("The file is not valid JSON: %(error)s") % {"error": error.msg}) from error
    data = _validated(data)
    previous = (ChecklistTemplate.objects.select_for_update().filter(network=network, code=data["code"])
                .order_by("-version").first())
    if previous is not None:
        ChecklistTemplate.objects.filter(network=network, code=data["code"]).update(is_current=False)
    template = ChecklistTemplate.objects.create(network=network, code=data["code"], kind=data["kind"],
                                                name=data["name"], version=(previous.version + 1) if previous else 1)
    for position, section_data in enumerate(data["sections"]):
        section = ChecklistSection.objects.create(template=template, code=section_data["code"],
                                                  title=section_data["title"], position=position)
        ChecklistItem.objects.bulk_create([
            ChecklistItem(section=section, code=item["code"], text=item["text"], max_points=item["max_points"],
                          guidance=item.get("guidance", ""), position=index)
            for index, item in enumerate(section_data["items"])
        ])
    return template


def shipped_checklists_install(*, network) -> int:
    """Give a network the POE and PRC checklists that ship with the platform (once: idempotent)."""
    installed = 0
    for path in sorted(SHIPPED.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not ChecklistTemplate.objects.filter(network=network, code=data["code"]).exists():
            checklist_import(network=network, data=data)
            installed += 1
    return installed


# --- Service Quality KPIs -----------------------------------------------------------------------------------

KPI_FIELDS = ("code", "name", "measure", "focus_area", "category", "target", "weight")


@transaction.atomic
def kpi_set_replace(*, network, rows: list[dict]) -> list[Kpi]:
    """Replace the network's whole KPI set at once; the weights must add up to exactly 100.

    Published rankings keep the KPIs they were computed with, so this never changes a past month.
    """
    errors: dict[str, list] = {}
    kpis = []
    codes = set()
    for index, row in enumerate(rows):
        kpi = Kpi(network=network, position=index, **{name: row.get(name) for name in KPI_FIELDS})
        if kpi.measure in MEASURES and not kpi.name:
            kpi.name = str(MEASURES[kpi.measure].label)
        try:
            kpi.full_clean(exclude=["network"], validate_unique=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(f"kpis[{index}].{name}", []).extend(messages)
        if kpi.measure not in MEASURES:
            errors.setdefault(f"kpis[{index}].measure", []).append(
                _("Choose one of: %(measures)s.") % {"measures": ", ".join(MEASURES)})
        if kpi.code in codes:
            errors.setdefault(f"kpis[{index}].code", []).append(_("Code %(code)s appears twice.") % {
                "code": kpi.code})
        codes.add(kpi.code)
        kpis.append(kpi)
    if not rows:
        errors["kpis"] = [_("Keep at least one KPI.")]
    elif not errors:
        total = sum(int(kpi.weight) for kpi in kpis)
        if total != 100:
            errors["weight"] = [_("The weights add up to %(total)d; they must add up to 100.") % {"total": total}]
    if errors:
        raise ValidationError(errors)
    Kpi.objects.filter(network=network).delete()
    return Kpi.objects.bulk_create(kpis)


def kpi_defaults_install(*, network) -> int:
    """Give a network the default KPI set if it has none (idempotent)."""
    if Kpi.objects.filter(network=network).exists():
        return 0
    return len(Kpi.objects.bulk_create(default_kpis(network)))


# --- Assessment evidence ------------------------------------------------------------------------------------

# What counts as a photo or a document: the extension, and the file's first bytes must agree.
EVIDENCE_TYPES = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".webp": ("image/webp", (b"RIFF",)),
    ".heic": ("image/heic", (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypmsf1")),
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
}


def _evidence_type(upload) -> str:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError({"file": _("Attach a photo (JPEG, PNG, WebP, HEIC) or a document (PDF, Word, "
                                         "Excel); “%(name)s” is neither.") % {"name": upload.name}})
    content_type, signatures = EVIDENCE_TYPES[suffix]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    # HEIC keeps its signature after a 4-byte box size; the others start with it.
    if not any(head.startswith(signature) or head[4:].startswith(signature) for signature in signatures):
        raise ValidationError({"file": _("“%(name)s” is not really a %(kind)s file.") % {
            "name": upload.name, "kind": suffix.lstrip(".").upper()}})
    return content_type


@transaction.atomic
def evidence_attach(*, assessment: Assessment, upload, by=None, item: ChecklistItem | None = None,
                    note: str = "") -> AssessmentEvidence:
    """Attach a photo or document to an assessment that is still being scored (stored through Django's storage)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_("This assessment was submitted and is locked; a network admin can reopen it."))
    if item is not None and item.section.template_id != assessment.template_id:
        raise ValidationError({"item": _("Select a valid choice. That choice is not one of the available choices.")})
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise ValidationError({"file": _("“%(name)s” is %(size)s; the limit is %(limit)s.") % {
            "name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}})
    if not upload.size:
        raise ValidationError({"file": _("“%(name)s” is empty.") % {"name": upload.name}})
    content_type = _evidence_type(upload)
    evidence = AssessmentEvidence(dealer_id=assessment.dealer_id, assessment=assessment, item=item,
                                  original_name=Path(upload.name).name[:200], content_type=content_type,
                                  size=upload.size, note=note.strip()[:300], uploaded_by=by)
    evidence.file.save(upload.name, upload, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)  # the row could not be written: the stored file goes too
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: AssessmentEvidence) -> None:
    """Remove evidence from an assessment still being scored; the file leaves the storage after commit."""
    assessment = Assessment.objects.select_for_update().get(pk=evidence.assessment_id)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_("This assessment was submitted and is locked; a network admin can reopen it."))
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))
