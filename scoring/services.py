"""Writes on checklists: import and export as readable JSON, the shipped ones, and new versions."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import ChecklistItem, ChecklistKind, ChecklistSection, ChecklistTemplate

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


def _validated(data: dict) -> dict:
    if not isinstance(data, dict):
        raise ValidationError(_("A checklist is an object with code, kind, name and sections."))
    errors = []
    for field in ("code", "kind", "name", "sections"):
        if not data.get(field):
            errors.append(_("“%(field)s” is missing.") % {"field": field})
    if data.get("kind") and data["kind"] not in ChecklistKind.values:
        errors.append(_("“kind” must be one of %(kinds)s.") % {"kinds": ", ".join(ChecklistKind.values)})
    seen = set()
    for section in data.get("sections") or []:
        if not section.get("code") or not section.get("title") or not section.get("items"):
            errors.append(_("Every section needs a code, a title and items."))
            continue
        for item in section["items"]:
            code, points = item.get("code"), item.get("max_points")
            if not code or not item.get("text"):
                errors.append(_("Every item needs a code and a text (section %(section)s).") % {
                    "section": section["code"]})
            if not isinstance(points, int) or not 1 <= points <= 100:
                errors.append(_("Item %(code)s: maximum points must be a whole number from 1 to 100.") % {
                    "code": code})
            if code in seen:
                errors.append(_("Item code %(code)s appears twice.") % {"code": code})
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
