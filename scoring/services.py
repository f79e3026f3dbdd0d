"""Writes of scoring: checklists (import, the shipped ones), the KPI set, assessments (start, score, submit,
reopen) and their evidence, and the published monthly ranking (publish, republish, the scheduled run).

Each service runs in one transaction and says its side effects in its docstring; reads are in ``selectors``,
the formulas in ``rules``.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from dealer_portal.tenancy.calendar import previous_month, zone_of
from dealer_portal.tenancy.content import content_for_network, translation_errors, translations_current
from dealer_portal.tenancy.models import Network

from .file_signatures import file_is_of_type
from .kpis import MEASURES, default_kpis
from .models import (
    Assessment,
    AssessmentAction,
    AssessmentEvent,
    AssessmentEvidence,
    AssessmentScore,
    AssessmentStatus,
    ChecklistItem,
    ChecklistKind,
    ChecklistSection,
    ChecklistTemplate,
    Kpi,
    Ranking,
    RankingEntry,
    ScoringPolicy,
)
from .rules import ROUNDING_RULE, TIE_RULE, TOP, month_check, ranked
from .selectors import ranking_current, ranking_dealers, scorecards_compute

SHIPPED = Path(__file__).resolve().parent / "checklists"
LOCKED = gettext_noop("This assessment was submitted and is locked; a network admin can reopen it.")


# --- Checklists ---------------------------------------------------------------------------------------------

# The longest text each part of a checklist may have (the columns' sizes).
CHECKLIST_LIMITS = {"code": 40, "name": 160, "section_code": 20, "section_title": 200, "item_code": 20}


def _too_long(errors: list, value, limit: int, what: str) -> None:
    if isinstance(value, str) and len(value) > limit:
        errors.append(_("%(what)s is longer than %(limit)d characters.") % {"what": what, "limit": limit})


def _translation_problems(errors: list, part: dict, *, model, network, where: str) -> None:
    for problem in translation_errors(part.get("translations", {}), model=model, network=network):
        errors.append(f"{where}: {problem}")


def _validated(data, *, network) -> dict:
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
        _translation_problems(errors, section, model=ChecklistSection, network=network,
                              where=_("Section %(code)s") % {"code": section["code"][:20]})
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
            _translation_problems(errors, item, model=ChecklistItem, network=network,
                                  where=_("Item %(code)s") % {"code": str(code)[:20]})
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
    the earlier versions stay as they are, so past scores never change.

    The file's texts are in its "language" (the network's default when it names none): they are re-based for the
    network (``_checklist_for_network``); ``template.import_warnings`` says where a text stayed in the file's
    language for want of one in the network's default.

    Side effects: writes the template, its sections and items; marks the code's earlier versions not current.
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise ValidationError(_("The file is not valid JSON: %(error)s") % {"error": error.msg}) from error
    # What the file sends is checked as it is, then once more as the network keeps it.
    data, kept_language = _checklist_for_network(_validated(data, network=network), network=network)
    data = _validated(data, network=network)
    previous = (ChecklistTemplate.objects.select_for_update().filter(network=network, code=data["code"])
                .order_by("-version").first())
    if previous is not None:
        ChecklistTemplate.objects.filter(network=network, code=data["code"]).update(is_current=False)
    template = ChecklistTemplate.objects.create(network=network, code=data["code"], kind=data["kind"],
                                                name=data["name"], version=(previous.version + 1) if previous else 1)
    for position, section_data in enumerate(data["sections"]):
        section = ChecklistSection.objects.create(template=template, code=section_data["code"],
                                                  title=section_data["title"], position=position,
                                                  translations=_kept(section_data, network=network))
        ChecklistItem.objects.bulk_create([
            ChecklistItem(section=section, code=item["code"], text=item["text"], max_points=item["max_points"],
                          guidance=item.get("guidance", ""), position=index,
                          translations=_kept(item, network=network))
            for index, item in enumerate(section_data["items"])
        ])
    template.import_warnings = []
    if kept_language:
        names = dict(settings.LANGUAGES)
        template.import_warnings.append(
            _("Where the file has no text in %(default)s, its text in %(language)s was kept; translate it in the "
              "admin.") % {"default": names.get(network.default_language, network.default_language),
                          "language": names.get(kept_language, kept_language)})
    return template


def _kept(part: dict, *, network) -> dict:
    """The part's translations as its row keeps them (none into a language the network does not translate into)."""
    return translations_current(part.get("translations") or {}, network=network)


def _checklist_for_network(data, *, network) -> tuple[dict, str | None]:
    """A checklist file (its texts in ``data["language"]``, the importing network's default when it says none)
    re-based for ``network`` as ``content_for_network`` does it; and the file's language when some text stayed in
    it for want of text in the network's default language (else None). What is odd is left for ``_validated``."""
    if not isinstance(data, dict) or not isinstance(data.get("sections"), list):
        return data, None
    language = data.get("language") if isinstance(data.get("language"), str) and data.get("language") \
        else network.default_language
    kept = False

    def based(part, fields: tuple[str, ...]):
        nonlocal kept
        translations = part.get("translations", {}) if isinstance(part, dict) else None
        if not isinstance(translations, dict) or not all(isinstance(texts, dict) for texts in translations.values()):
            return part
        default = translations.get(network.default_language, {})
        if language == network.default_language or not all(isinstance(text, str) for text in default.values()):
            default = {}
        values = {field: part[field] for field in fields if isinstance(part.get(field), str) and part[field]}
        values, translations = content_for_network(values, {**translations, network.default_language: default},
                                                   language=language, network=network)
        kept = kept or (language != network.default_language and any(not default.get(field) for field in values))
        return {**part, **values, "translations": translations}

    sections = []
    for section in data["sections"]:
        items = section.get("items") if isinstance(section, dict) else None
        section = based(section, ("title",))
        if isinstance(items, list):
            section = {**section, "items": [based(item, ("text", "guidance")) for item in items]}
        sections.append(section)
    return {**data, "sections": sections}, language if kept else None


def shipped_checklists_install(*, network) -> int:
    """Give a network the POE and PRC checklists that ship with the platform (once: idempotent).

    Side effects: imports each shipped checklist the network lacks (see ``checklist_import``); returns how many.
    """
    installed = 0
    for path in sorted(SHIPPED.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if not ChecklistTemplate.objects.filter(network=network, code=data["code"]).exists():
            checklist_import(network=network, data=shipped_checklist_for(data, network=network))
            installed += 1
    return installed


def shipped_checklist_for(data: dict, *, network) -> dict:
    """A shipped checklist (written in ``data["language"]`` with translations into every platform language) as
    ``network`` imports it: its default language in the fields, its other content languages as translations."""
    language = data.get("language", "en")

    def based(part: dict, fields: tuple[str, ...]) -> dict:
        values, translations = content_for_network({field: part[field] for field in fields if part.get(field)},
                                                   part.get("translations", {}), language=language, network=network)
        return {**part, **values, "translations": translations}

    return {**data, "language": network.default_language, "sections": [
        {**based(section, ("title",)), "items": [based(item, ("text", "guidance")) for item in section["items"]]}
        for section in data["sections"]]}


# --- Service Quality KPIs -----------------------------------------------------------------------------------

KPI_FIELDS = ("code", "name", "measure", "focus_area", "category", "target", "weight", "translations")


@transaction.atomic
def kpi_set_replace(*, network, rows: list[dict]) -> list[Kpi]:
    """Replace the network's whole KPI set at once; the weights must add up to exactly 100.

    Side effects: deletes the network's KPIs and writes the new set. Published rankings keep the KPIs they
    were computed with, so this never changes a past month.
    """
    errors: dict[str, list] = {}
    kpis = []
    codes = set()
    for index, row in enumerate(rows):
        kpi = Kpi(network=network, position=index, **{name: row.get(name) for name in KPI_FIELDS})
        kpi.translations = kpi.translations or {}
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
    """Give a network the default KPI set if it has none (idempotent). Side effects: writes the default KPIs."""
    if Kpi.objects.filter(network=network).exists():
        return 0
    return len(Kpi.objects.bulk_create(default_kpis(network)))


# --- Assessments ---------------------------------------------------------------------------------------------


@transaction.atomic
def assessment_start(*, dealer, template: ChecklistTemplate, month: date, by=None,
                     is_self_assessment: bool = False) -> Assessment:
    """Open the month's assessment of ``dealer`` against the current version of a checklist of its network.

    Side effects: writes the Assessment (a draft).
    """
    current = ChecklistTemplate.objects.filter(pk=template.pk, is_current=True).exists()
    if template.network_id != dealer.network_id or not current:
        raise ValidationError({"template": _("Select a valid choice. That choice is not one of the available "
                                             "choices.")})
    month = month.replace(day=1)
    if Assessment.objects.filter(dealer=dealer, template__code=template.code, month=month,
                                 is_self_assessment=is_self_assessment).exists():
        raise ValidationError({"month": _("This dealer already has this assessment for %(month)s.") % {
            "month": date_format(month, "YEAR_MONTH_FORMAT")}})
    return Assessment.objects.create(dealer=dealer, template=template, month=month, auditor=by,
                                     is_self_assessment=is_self_assessment)


def _editable(assessment: Assessment) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_(LOCKED))
    return assessment


@transaction.atomic
def assessment_score(*, assessment: Assessment, item: ChecklistItem, points: int | None = None,
                     not_applicable: bool = False, comment: str = "") -> AssessmentScore:
    """Give an item its points (up to its maximum) or mark it not applicable. Side effects: writes the item's
    AssessmentScore (replacing an earlier one)."""
    assessment = _editable(assessment)
    if item.section.template_id != assessment.template_id:
        raise ValidationError({"item": _("Select a valid choice. That choice is not one of the available choices.")})
    if not not_applicable and (points is None or not 0 <= points <= item.max_points):
        raise ValidationError({"points": _("Give from 0 to %(max)d points, or mark it not applicable.") % {
            "max": item.max_points}})
    score, _created = AssessmentScore.objects.update_or_create(
        dealer_id=assessment.dealer_id, assessment=assessment, item=item,
        defaults={"points": None if not_applicable else points, "not_applicable": not_applicable,
                  "comment": comment.strip()})
    return score


class ScoresRefused(Exception):
    """Some rows of ``assessment_score_many`` were refused; ``by_row`` maps each row's index to its error."""

    def __init__(self, by_row: dict[int, ValidationError]):
        super().__init__(f"{len(by_row)} item score(s) refused")
        self.by_row = by_row


def assessment_score_many(*, assessment: Assessment, rows: list[dict]) -> list[AssessmentScore]:
    """Score several items at once (rows of item, points, not_applicable, comment): every row is saved, or none.

    Side effects: writes each row's AssessmentScore. A locked assessment raises ValidationError; refused rows
    raise ``ScoresRefused`` naming each one.
    """
    with transaction.atomic():
        saved, refused = [], {}
        for index, row in enumerate(rows):
            try:
                saved.append(assessment_score(assessment=assessment, **row))
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    raise  # the assessment as a whole refuses (locked)
                refused[index] = error
        if refused:
            raise ScoresRefused(refused)  # raised inside the block: the rows saved so far roll back
    return saved


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by=None) -> Assessment:
    """Lock the assessment; every item must be scored or marked not applicable first.

    Side effects: marks the assessment submitted and writes its "submitted" history entry.
    """
    assessment = _editable(assessment)
    missing = (ChecklistItem.objects.filter(section__template=assessment.template)
               .exclude(pk__in=assessment.scores.values("item_id")).values_list("code", flat=True))
    if missing:
        raise ValidationError(_("Score these items first: %(codes)s.") % {"codes": ", ".join(missing)})
    assessment.status, assessment.submitted_at = AssessmentStatus.SUBMITTED, timezone.now()
    assessment.save(update_fields=["status", "submitted_at"])
    AssessmentEvent.objects.create(dealer_id=assessment.dealer_id, assessment=assessment,
                                   action=AssessmentAction.SUBMITTED, by=by)
    return assessment


@transaction.atomic
def assessment_reopen(*, assessment: Assessment, by, reason: str, is_network_admin: bool) -> Assessment:
    """Only a network admin reopens a submitted assessment, and says why.

    Side effects: marks the assessment a draft again and writes its "reopened" history entry with the reason.
    """
    if not is_network_admin:
        raise ValidationError(_("Only a network admin can reopen a submitted assessment."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the assessment is reopened.")})
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment can be reopened."))
    assessment.status, assessment.submitted_at = AssessmentStatus.DRAFT, None
    assessment.save(update_fields=["status", "submitted_at"])
    AssessmentEvent.objects.create(dealer_id=assessment.dealer_id, assessment=assessment,
                                   action=AssessmentAction.REOPENED, reason=reason.strip(), by=by)
    return assessment


# --- Assessment evidence ------------------------------------------------------------------------------------

# What counts as a photo or a document: the extension, and the file's own bytes must agree (file_signatures).
EVIDENCE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _evidence_type(upload) -> str:
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise ValidationError({"file": _("Attach a photo (JPEG, PNG, WebP, HEIC) or a document (PDF, Word, "
                                         "Excel); “%(name)s” is neither.") % {"name": upload.name}})
    if not file_is_of_type(upload, suffix):
        raise ValidationError({"file": _("“%(name)s” is not really a %(kind)s file.") % {
            "name": upload.name, "kind": suffix.lstrip(".").upper()}})
    return EVIDENCE_TYPES[suffix]


@transaction.atomic
def evidence_attach(*, assessment: Assessment, upload, by=None, item: ChecklistItem | None = None,
                    note: str = "") -> AssessmentEvidence:
    """Attach a photo or document to an assessment that is still being scored.

    Side effects: stores the file through Django's storage (removed again if the row cannot be written) and
    writes the AssessmentEvidence.
    """
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_(LOCKED))
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
    """Remove evidence from an assessment still being scored.

    Side effects: deletes the AssessmentEvidence; the file leaves the storage after commit.
    """
    assessment = Assessment.objects.select_for_update().get(pk=evidence.assessment_id)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_(LOCKED))
    storage, name = evidence.file.storage, evidence.file.name
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- The published monthly ranking ---------------------------------------------------------------------------


def _rules_snapshot(network) -> dict:
    """The network's rules as the published ranking keeps them (its scorecard pages read them back)."""
    policy = ScoringPolicy.objects.for_network(network)
    return {
        "poe_weight": policy.poe_weight, "service_quality_weight": policy.service_quality_weight,
        "min_sample": policy.min_sample, "min_data_weight_percent": policy.min_data_weight_percent,
        "stars_from": {"5": str(policy.five_stars_from), "4": str(policy.four_stars_from),
                       "3": str(policy.three_stars_from), "2": str(policy.two_stars_from)},
        "tie_rule": TIE_RULE,
        "rounding": ROUNDING_RULE,  # rankings published before it was written kept one-decimal figures
    }


@transaction.atomic
def ranking_publish(*, network, month: date, by=None, reason: str = "", republish: bool = False,
                    is_network_admin: bool = False, today: date | None = None) -> tuple[Ranking, bool]:
    """Publish the month's ranking as an immutable snapshot; returns (ranking, whether it was published now).

    Side effects: writes a Ranking and one RankingEntry per active dealer; a republish marks the month's
    earlier versions not current. Without ``republish`` a month already published is left as it is (the beat
    task may run twice). Republishing is a network admin's, with a reason: a new version, the old one kept.
    """
    month = month_check(month, network=network, finished=True, today=today)
    Network.objects.select_for_update().filter(pk=network.pk).first()  # one publisher per network at a time
    existing = Ranking.objects.filter(network=network, month=month).order_by("-version").first()
    if existing is not None and not republish:
        return existing, False
    if republish:
        if not is_network_admin:
            raise ValidationError(_("Only a network admin can republish a ranking."))
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the ranking is republished.")})
        if existing is None:
            raise ValidationError({"month": _("%(month)s has not been published yet.") % {
                "month": date_format(month, "YEAR_MONTH_FORMAT")}})
        Ranking.objects.filter(network=network, month=month).update(is_current=False)
    dealers = ranking_dealers(network)
    cards = scorecards_compute(network=network, month=month, dealers=dealers)
    codes = {dealer.pk: dealer.code for dealer in dealers}
    order = ranked(list(cards.values()), codes)
    rank_network = {card.dealer_id: position for position, card in enumerate(order, start=1)}
    rank_region: dict[int, int] = {}
    region_count: dict[int, int] = {}
    region_of = {dealer.pk: dealer.region_id for dealer in dealers}
    for card in order:
        region = region_of[card.dealer_id]
        region_count[region] = region_count.get(region, 0) + 1
        rank_region[card.dealer_id] = region_count[region]
    previous = ranking_current(network=network, month=previous_month(month))
    previous_ranks = dict(previous.entries.values_list("dealer_id", "rank_network")) if previous else {}
    try:
        with transaction.atomic():
            ranking = Ranking.objects.create(
                network=network, month=month, version=(existing.version + 1) if existing else 1,
                reason=reason.strip(), published_by=by, published_at=timezone.now(), rules=_rules_snapshot(network))
    except IntegrityError:  # published meanwhile by another worker
        return Ranking.objects.get(network=network, month=month, is_current=True), False
    RankingEntry.objects.bulk_create([
        RankingEntry(ranking=ranking, dealer_id=card.dealer_id, region_id=region_of[card.dealer_id],
                     status=card.status, **card.figures(), stars=card.stars,
                     rank_network=rank_network.get(card.dealer_id), rank_region=rank_region.get(card.dealer_id),
                     previous_rank=previous_ranks.get(card.dealer_id),
                     is_top_five=rank_network.get(card.dealer_id, TOP + 1) <= TOP, details=card.details())
        for card in cards.values()
    ], batch_size=1000)
    return ranking, True


def ranking_publish_due(*, network, now: datetime | None = None) -> Ranking | None:
    """The scheduled run: from the 1st at the network's publishing hour, publish last month once (see
    ``ranking_publish`` for what it writes)."""
    local = timezone.localtime(now or timezone.now(), zone_of(network))
    if local.day == 1 and local.hour < ScoringPolicy.objects.for_network(network).publish_hour:
        return None
    today = local.date()
    ranking, published = ranking_publish(network=network, month=previous_month(today), today=today)
    return ranking if published else None
