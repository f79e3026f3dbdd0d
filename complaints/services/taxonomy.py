"""The complaint taxonomy and standard answers that ship with the platform (PRC b.9, seed 002).

Two levels: an area (a department of the dealer) and the categories under it, each with one or two
approved answers a representative can reuse so the network answers "with one voice". It ships in every
platform language: a network gets its default language in the fields and its other content languages as
translations; a network admin renames, adds or retires categories and answers in the admin afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from dealer_portal.tenancy.content import shipped_translations

from ..models import ComplaintCategory, Department, StandardAnswer

# The taxonomy in every platform language (taxonomy.json beside this module): a list of areas, each
# {"department", "name": {language: text}, "categories": [{"name": {...}, "answers": [{"title": {...},
# "body": {...}}]}]}.
DEFAULT_TAXONOMY: list[dict] = json.loads((Path(__file__).resolve().parent / "taxonomy.json").read_text(
    encoding="utf-8"))

# Any language's name of a shipped area or category → its names in every language.
_SHIPPED_NAMES = {name: part["name"] for area in DEFAULT_TAXONOMY for part in [area, *area["categories"]]
                  for name in part["name"].values()}
# Any language's name of a shipped area → its department.
_AREA_DEPARTMENTS = {name: area["department"] for area in DEFAULT_TAXONOMY for name in area["name"].values()}


@transaction.atomic
def network_taxonomy_install(*, network) -> int:
    """Give ``network`` the default taxonomy and standard answers if it has no categories yet; returns the
    number of rows created (0 when it already has a taxonomy).

    Side effects: bulk-inserts ComplaintCategory and StandardAnswer rows; runs in the caller's tenant scope.
    """
    # A network that has any category has been set up (or customised) already: never add to it.
    if ComplaintCategory.objects.filter(network=network).exists():
        return 0

    def row(model, texts: dict, **fields):
        values, translations = shipped_translations(texts, network=network)
        return model(network=network, translations=translations, **values, **fields)

    areas = ComplaintCategory.objects.bulk_create(
        [row(ComplaintCategory, {"name": area["name"]}) for area in DEFAULT_TAXONOMY])
    children: list[ComplaintCategory] = []
    answers: list[tuple[int, dict]] = []  # (index into children, the answer's texts)
    for area, area_data in zip(areas, DEFAULT_TAXONOMY, strict=True):
        for category in area_data["categories"]:
            children.append(row(ComplaintCategory, {"name": category["name"]}, parent=area))
            answers += [(len(children) - 1, answer) for answer in category["answers"]]
    children = ComplaintCategory.objects.bulk_create(children)
    created = StandardAnswer.objects.bulk_create(
        [row(StandardAnswer, {"title": answer["title"], "body": answer["body"]}, category=children[index])
         for index, answer in answers])
    return len(areas) + len(children) + len(created)


def shipped_category_name(name: str, language: str) -> str:
    """The name a shipped area or category has in ``language``, given its name in any language (``name``
    itself for one that did not ship)."""
    return _SHIPPED_NAMES.get(name, {}).get(language, name)


def department_of_area(area_name: str) -> str:
    """The department an area of the default taxonomy belongs to, by its name in any language (``other`` for an
    area it does not know)."""
    return _AREA_DEPARTMENTS.get(area_name, Department.OTHER)
