"""The recovery process as data: which action is allowed in which state, where it leads, and why not."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import ComplaintState

S = ComplaintState
OPEN_WORKING = frozenset({S.CONFIRMED, S.PROPOSED, S.AGREED, S.IMPLEMENTING, S.REOPENED})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    allowed_from: frozenset[str]
    leads_to: str | None  # None: back to the state before the hold
    needs: str  # what must have happened first, said when the action is refused


TRANSITIONS: dict[str, Transition] = {t.action: t for t in [
    Transition("confirm", _("Confirm with the customer"), frozenset({S.NEW, S.REOPENED}), S.CONFIRMED,
               _("only a new or reopened complaint is confirmed with the customer")),
    Transition("propose", _("Propose a solution"), frozenset({S.CONFIRMED, S.PROPOSED, S.REOPENED}), S.PROPOSED,
               _("solutions are proposed once the complaint is confirmed with the customer")),
    Transition("agree", _("Record the customer's agreement"), frozenset({S.PROPOSED}), S.AGREED,
               _("the customer agrees to a proposed solution, so one must be proposed first")),
    Transition("assign_owner", _("Name the owner who carries it out"), frozenset({S.AGREED}), S.IMPLEMENTING,
               _("an owner is named once the customer has agreed to a solution")),
    Transition("implemented", _("Solution implemented"), frozenset({S.IMPLEMENTING}), S.AWAITING_CONFIRMATION,
               _("only a solution being implemented can be marked implemented")),
    Transition("close_satisfied", _("Customer confirms they are satisfied"), frozenset({S.AWAITING_CONFIRMATION}),
               S.CLOSED_SATISFIED,
               _("a complaint closes as satisfied only after the solution is implemented and the customer "
                 "confirms it")),
    Transition("not_satisfied", _("Customer is not satisfied yet"), frozenset({S.AWAITING_CONFIRMATION}),
               S.CONFIRMED, _("the customer's verdict is asked once the solution is implemented")),
    Transition("hold", _("Put on hold"), OPEN_WORKING, S.ON_HOLD,
               _("only a complaint being worked on can wait for an outside cause")),
    Transition("resume", _("Resume"), frozenset({S.ON_HOLD}), None, _("only a complaint on hold is resumed")),
    Transition("close_unresolved", _("Close unresolved"),
               frozenset({S.NEW, S.ON_HOLD, S.AWAITING_CONFIRMATION}) | OPEN_WORKING, S.CLOSED_UNRESOLVED,
               _("the complaint is already closed")),
    Transition("reopen", _("Reopen"), frozenset({S.CLOSED_SATISFIED, S.CLOSED_UNRESOLVED}), S.REOPENED,
               _("only a closed complaint is reopened")),
]}


def allowed_actions(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if state in t.allowed_from]
