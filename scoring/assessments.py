"""Running an assessment: score items, submit (locks it), reopen (network admins, with a reason), the POE score."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Assessment, AssessmentEvent, AssessmentScore, AssessmentStatus, ChecklistItem, ChecklistTemplate


@transaction.atomic
def assessment_start(*, dealer, template: ChecklistTemplate, month: date, by=None,
                     is_self_assessment: bool = False) -> Assessment:
    """Open the month's assessment of ``dealer`` against the current version of a checklist of its network."""
    current = ChecklistTemplate.objects.filter(pk=template.pk, is_current=True).exists()
    if template.network_id != dealer.network_id or not current:
        raise ValidationError({"template": _("Select a valid choice. That choice is not one of the available "
                                             "choices.")})
    month = month.replace(day=1)
    if Assessment.objects.filter(dealer=dealer, template__code=template.code, month=month,
                                 is_self_assessment=is_self_assessment).exists():
        raise ValidationError({"month": _("This dealer already has this assessment for %(month)s.") % {
            "month": month.strftime("%B %Y")}})
    return Assessment.objects.create(dealer=dealer, template=template, month=month, auditor=by,
                                     is_self_assessment=is_self_assessment)


def _editable(assessment: Assessment) -> Assessment:
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ValidationError(_("This assessment was submitted and is locked; a network admin can reopen it."))
    return assessment


@transaction.atomic
def assessment_score(*, assessment: Assessment, item: ChecklistItem, points: int | None = None,
                     not_applicable: bool = False, comment: str = "") -> AssessmentScore:
    """Give an item its points (up to its maximum) or mark it not applicable."""
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

    A locked assessment raises ValidationError; refused rows raise ``ScoresRefused`` naming each one.
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
    """Lock the assessment; every item must be scored or marked not applicable first."""
    assessment = _editable(assessment)
    missing = (ChecklistItem.objects.filter(section__template=assessment.template)
               .exclude(pk__in=assessment.scores.values("item_id")).values_list("code", flat=True))
    if missing:
        raise ValidationError(_("Score these items first: %(codes)s.") % {"codes": ", ".join(missing)})
    assessment.status, assessment.submitted_at = AssessmentStatus.SUBMITTED, timezone.now()
    assessment.save(update_fields=["status", "submitted_at"])
    AssessmentEvent.objects.create(dealer_id=assessment.dealer_id, assessment=assessment, action="submitted", by=by)
    return assessment


@transaction.atomic
def assessment_reopen(*, assessment: Assessment, by, reason: str, is_network_admin: bool) -> Assessment:
    """Only a network admin reopens a submitted assessment, and says why (kept in its history)."""
    if not is_network_admin:
        raise ValidationError(_("Only a network admin can reopen a submitted assessment."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the assessment is reopened.")})
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment can be reopened."))
    assessment.status, assessment.submitted_at = AssessmentStatus.DRAFT, None
    assessment.save(update_fields=["status", "submitted_at"])
    AssessmentEvent.objects.create(dealer_id=assessment.dealer_id, assessment=assessment, action="reopened",
                                   reason=reason.strip(), by=by)
    return assessment


def one_decimal(value: float | Decimal | None) -> Decimal | None:
    """A score as people see it: one decimal, halves rounded up (76.25 → 76.3)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Percentage:
    """Points achieved over the applicable maximum: the POE formula, rounded half up to one decimal everywhere."""

    achieved: int
    applicable_max: int

    @property
    def exact(self) -> Decimal | None:
        return one_decimal(Decimal(100 * self.achieved) / self.applicable_max) if self.applicable_max else None

    @property
    def percent(self) -> float | None:
        return None if self.exact is None else float(self.exact)


def assessment_result(assessment: Assessment) -> tuple[Percentage, dict[str, Percentage]]:
    """Points achieved over the applicable maximum, in total and per section (not-applicable items left out)."""
    sections: dict[str, list[int]] = {}
    for score in assessment.scores.select_related("item__section"):
        if score.not_applicable:
            continue
        achieved_max = sections.setdefault(score.item.section.title, [0, 0])
        achieved_max[0] += score.points or 0
        achieved_max[1] += score.item.max_points
    per_section = {title: Percentage(*values) for title, values in sections.items()}
    total = Percentage(sum(part.achieved for part in per_section.values()),
                       sum(part.applicable_max for part in per_section.values()))
    return total, per_section
