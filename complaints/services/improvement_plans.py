"""Improvement plans (PRC b.9, c.3.9): a fix at the root of a recurring complaint, opened and moved on."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..inputs import NOT_AVAILABLE, PLAUSIBLE_SPAN, words_checked
from ..models import ComplaintCategory, ImprovementPlan, PlanStatus
from ..selectors import works_at


@transaction.atomic
def improvement_plan_open(*, dealer, category: ComplaintCategory, cause: str, action: str, owner, due_date,
                          by=None) -> ImprovementPlan:
    """Open a plan against a recurring category (b.9): its owner must work at the dealer; due within five
    years. Side effects: none beyond the row."""
    if category.network_id != dealer.network_id:
        raise ValidationError({"category": NOT_AVAILABLE})
    if not works_at(owner, dealer):
        raise ValidationError({"owner": NOT_AVAILABLE})
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": _("The due date has already passed.")})
    if due_date > timezone.localdate() + PLAUSIBLE_SPAN:
        raise ValidationError({"due_date": _("This date is more than five years ahead: check the year.")})
    return ImprovementPlan.objects.create(
        dealer=dealer, category=category, cause=words_checked(cause, "cause", what=_("the root cause")),
        action=words_checked(action, "action", what=_("the action")), owner=owner, due_date=due_date, created_by=by)


@transaction.atomic
def improvement_plan_set_status(*, plan: ImprovementPlan, status: str) -> ImprovementPlan:
    """Move a plan on. Side effects: a done plan records when (``done_at``), any other status clears it."""
    plan.status = status
    plan.done_at = timezone.now() if status == PlanStatus.DONE else None
    plan.save(update_fields=["status", "done_at"])
    return plan
