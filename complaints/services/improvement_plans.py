"""Improvement plans (PRC b.9, c.3.9): a fix at the root of a recurring complaint, opened and moved on."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..inputs import NOT_AVAILABLE, PLAUSIBLE_SPAN, words_checked
from ..models import ImprovementPlan, PlanStatus
from ..selectors import works_at

FIXED_ONCE_OPEN = ("category", "cause", "action", "owner", "due_date")


def _plan_fields_checked(*, dealer, **fields) -> dict:
    """The checks a plan's fields pass when it is opened, for the fields given: their values, cleaned, or the
    errors on each field that is wrong (so a wrong value gets the same answer when opening or changing)."""
    errors, cleaned = {}, dict(fields)
    if "category" in fields and (fields["category"] is None or fields["category"].network_id != dealer.network_id):
        errors["category"] = NOT_AVAILABLE
    if "owner" in fields and not works_at(fields["owner"], dealer):
        errors["owner"] = NOT_AVAILABLE
    if "due_date" in fields:
        if fields["due_date"] < timezone.localdate():
            errors["due_date"] = _("The due date has already passed.")
        elif fields["due_date"] > timezone.localdate() + PLAUSIBLE_SPAN:
            errors["due_date"] = _("This date is more than five years ahead: check the year.")
    for name, what in (("cause", _("the root cause")), ("action", _("the action"))):
        if name in fields:
            try:
                cleaned[name] = words_checked(fields[name], name, what=what)
            except ValidationError as error:
                errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def improvement_plan_open(*, dealer, category, cause: str, action: str, owner, due_date, by=None) -> ImprovementPlan:
    """Open a plan against a recurring category (b.9) of the dealer's network: its owner works at the dealer,
    and it is due within five years. Side effects: none beyond the row."""
    fields = _plan_fields_checked(dealer=dealer, category=category, cause=cause, action=action, owner=owner,
                                  due_date=due_date)
    return ImprovementPlan.objects.create(dealer=dealer, created_by=by, **fields)


@transaction.atomic
def improvement_plan_set_status(*, plan: ImprovementPlan, status: str) -> ImprovementPlan:
    """Move a plan on. Side effects: a done plan records when (``done_at``), any other status clears it."""
    plan.status = status
    plan.done_at = timezone.now() if status == PlanStatus.DONE else None
    plan.save(update_fields=["status", "done_at"])
    return plan


@transaction.atomic
def improvement_plan_update(*, plan: ImprovementPlan, status: str, **fields) -> ImprovementPlan:
    """The whole plan as it should be (an API PUT or PATCH): only its status may change, since a new action is a
    new plan; a changed field is first checked as when opening, so a wrong value gets the same field error.
    Side effects: those of ``improvement_plan_set_status``."""
    changed = {name: value for name, value in fields.items()
               if name in FIXED_ONCE_OPEN and value != getattr(plan, name)}
    if changed:
        _plan_fields_checked(dealer=plan.dealer, **changed)
        raise ValidationError({"status": _("Only a plan's status changes; open a new plan for a new action.")})
    return improvement_plan_set_status(plan=plan, status=status)
