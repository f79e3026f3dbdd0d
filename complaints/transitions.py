"""The recovery process (PRC c.3) declared once: each step names the states it may leave from, the state it
leads to, why it is refused elsewhere, the form of its inputs and the handler that records it.

The complaint's page shows the form of every step its state allows; the API's payload for a step is derived
from the same form and checked by it (``complaints/api.py``); ``services.complaint_transition`` locks the
complaint, checks the state again, runs the handler and writes the timeline entry. A handler records what
its step changes on the complaint (saved by the service) and returns the timeline entry's text: the person's
words as written, or ``SystemWords`` when the step writes its own (read in each reader's language).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import forms
from .inputs import NOT_AVAILABLE, moment_checked, words_checked
from .models import Channel, ComplaintState, HoldCause, SolutionProposal
from .selectors import works_at
from .signals import complaint_closed_satisfied
from .timeline import SystemWords

S = ComplaintState
OPEN_WORKING = frozenset({S.CONFIRMED, S.PROPOSED, S.AGREED, S.IMPLEMENTING, S.REOPENED})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    allowed_from: frozenset[str]
    leads_to: str | None  # None: back to the state before the hold
    needs: str  # what must have happened first, said when the action is refused
    form: type[forms.ActionForm]  # its inputs, for the page and the API alike
    handler: Callable[..., str | SystemWords]
    announce: Signal | None = None  # sent once the complaint is saved in its new state

    def refusal(self, complaint) -> str | None:
        """Why this step cannot happen in the complaint's state (the same words on the page and the API)."""
        if complaint.state in self.allowed_from:
            return None
        return _("“%(action)s” is not possible while the complaint is “%(state)s”: %(why)s.") % {
            "action": self.label, "state": complaint.get_state_display(), "why": self.needs}

    def target(self, complaint) -> str:
        """The state the complaint moves to (read before the handler runs)."""
        return self.leads_to or complaint.state_before_hold or S.CONFIRMED


TRANSITIONS: dict[str, Transition] = {}


def _step(action, label, *, allowed_from, leads_to, needs, form, announce=None):
    def declare(handler):
        TRANSITIONS[action] = Transition(action=action, label=label, allowed_from=frozenset(allowed_from),
                                         leads_to=leads_to, needs=needs, form=form, handler=handler,
                                         announce=announce)
        return handler
    return declare


def allowed_actions(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if state in t.allowed_from]


@_step("confirm", gettext_lazy("Confirm with the customer"), allowed_from={S.NEW, S.REOPENED},
       leads_to=S.CONFIRMED, form=forms.ConfirmForm,
       needs=gettext_lazy("only a new or reopened complaint is confirmed with the customer"))
def _confirm(complaint, *, by=None, channel: str = "", at: datetime | None = None,
             note: str = "") -> str | SystemWords:
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Say how the complaint was confirmed with the customer.")})
    moment = moment_checked(at, "at")
    complaint.confirmed_at = moment
    complaint.first_contact_at = complaint.first_contact_at or moment
    return note.strip() or SystemWords("confirmed")


@_step("propose", gettext_lazy("Propose a solution"), allowed_from={S.CONFIRMED, S.PROPOSED, S.REOPENED},
       leads_to=S.PROPOSED, form=forms.ProposeForm,
       needs=gettext_lazy("solutions are proposed once the complaint is confirmed with the customer"))
def _propose(complaint, *, by=None, text: str = "", informed: str = "") -> str:
    proposal_text = words_checked(text, "text", what=_("the proposed solution"))
    if not informed.strip():
        raise ValidationError({"informed": _("Say who was informed of the proposal (c.3.5).")})
    SolutionProposal.objects.create(dealer_id=complaint.dealer_id, complaint=complaint, text=proposal_text,
                                    informed=informed.strip()[:300], proposed_by=by, proposed_at=timezone.now())
    return proposal_text


@_step("agree", gettext_lazy("Record the customer's agreement"), allowed_from={S.PROPOSED}, leads_to=S.AGREED,
       form=forms.AgreeForm,
       needs=gettext_lazy("the customer agrees to a proposed solution, so one must be proposed first"))
def _agree(complaint, *, by=None, proposal_id: int | None = None, agreement: str = "") -> str:
    proposal = SolutionProposal.objects.filter(complaint=complaint, pk=proposal_id).first() if proposal_id else None
    if proposal is None:
        raise ValidationError({"proposal_id": NOT_AVAILABLE})
    proposal.agreement = words_checked(agreement, "agreement", what=_("what the customer agreed to"))
    proposal.agreed = True
    proposal.save(update_fields=["agreed", "agreement"])
    complaint.agreed_at = timezone.now()
    return proposal.agreement


@_step("assign_owner", gettext_lazy("Name the owner who carries it out"), allowed_from={S.AGREED},
       leads_to=S.IMPLEMENTING, form=forms.AssignOwnerForm,
       needs=gettext_lazy("an owner is named once the customer has agreed to a solution"))
def _assign_owner(complaint, *, by=None, owner=None) -> str | SystemWords:
    if not works_at(owner, complaint.dealer):
        raise ValidationError({"owner": NOT_AVAILABLE})
    complaint.owner = owner
    return SystemWords("owner_assigned", {"owner": str(owner)})


@_step("implemented", gettext_lazy("Solution implemented"), allowed_from={S.IMPLEMENTING},
       leads_to=S.AWAITING_CONFIRMATION, form=forms.NoteForm,
       needs=gettext_lazy("only a solution being implemented can be marked implemented"))
def _implemented(complaint, *, by=None, note: str = "") -> str | SystemWords:
    return note.strip() or SystemWords("implemented")


@_step("close_satisfied", gettext_lazy("Customer confirms they are satisfied"),
       allowed_from={S.AWAITING_CONFIRMATION}, leads_to=S.CLOSED_SATISFIED, form=forms.CloseSatisfiedForm,
       # Follow-up calls answer it with the re-check call, in the same transaction: never lost.
       announce=complaint_closed_satisfied,
       needs=gettext_lazy("a complaint closes as satisfied only after the solution is implemented and the "
                          "customer confirms it"))
def _close_satisfied(complaint, *, by=None, words: str = "", confirmed_by: str = "", channel: str = "") -> str:
    complaint.satisfaction_words = words_checked(words, "words",
                                                 what=_("the customer's confirmation, in their words"))
    if not confirmed_by.strip():
        raise ValidationError({"confirmed_by": _("Say who confirmed (the customer, or who spoke for them).")})
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Say how the customer confirmed.")})
    complaint.satisfaction_confirmed_by, complaint.satisfaction_channel = confirmed_by.strip()[:160], channel
    complaint.closed_at = timezone.now()
    return complaint.satisfaction_words


@_step("not_satisfied", gettext_lazy("Customer is not satisfied yet"), allowed_from={S.AWAITING_CONFIRMATION},
       leads_to=S.CONFIRMED, form=forms.NotSatisfiedForm,
       needs=gettext_lazy("the customer's verdict is asked once the solution is implemented"))
def _not_satisfied(complaint, *, by=None, words: str = "") -> str:
    return words_checked(words, "words", what=_("what the customer said"))


@_step("hold", gettext_lazy("Put on hold"), allowed_from=OPEN_WORKING, leads_to=S.ON_HOLD, form=forms.HoldForm,
       needs=gettext_lazy("only a complaint being worked on can wait for an outside cause"))
def _hold(complaint, *, by=None, cause: str = "", note: str = "") -> str:
    if cause not in HoldCause.values:
        raise ValidationError({"cause": _("Choose the outside cause the complaint waits for.")})
    complaint.state_before_hold, complaint.hold_cause = complaint.state, cause
    complaint.on_hold_since = complaint.last_hold_followup_at = timezone.now()
    return words_checked(note, "note", what=_("what the complaint is waiting for"))


@_step("resume", gettext_lazy("Resume"), allowed_from={S.ON_HOLD}, leads_to=None, form=forms.NoteForm,
       needs=gettext_lazy("only a complaint on hold is resumed"))
def _resume(complaint, *, by=None, note: str = "") -> str | SystemWords:
    if complaint.on_hold_since:
        complaint.time_on_hold += timezone.now() - complaint.on_hold_since
    complaint.on_hold_since, complaint.hold_cause, complaint.state_before_hold = None, "", ""
    return note.strip() or SystemWords("resumed")


@_step("close_unresolved", gettext_lazy("Close unresolved"),
       allowed_from={S.NEW, S.ON_HOLD, S.AWAITING_CONFIRMATION} | OPEN_WORKING, leads_to=S.CLOSED_UNRESOLVED,
       form=forms.ReasonForm, needs=gettext_lazy("the complaint is already closed"))
def _close_unresolved(complaint, *, by=None, reason: str = "") -> str:
    complaint.close_reason = words_checked(reason, "reason", what=_("why the complaint closes unresolved"))
    if complaint.on_hold_since:
        complaint.time_on_hold += timezone.now() - complaint.on_hold_since
        complaint.on_hold_since = None
    complaint.closed_at = timezone.now()
    return complaint.close_reason


@_step("reopen", gettext_lazy("Reopen"), allowed_from={S.CLOSED_SATISFIED, S.CLOSED_UNRESOLVED},
       leads_to=S.REOPENED, form=forms.ReasonForm, needs=gettext_lazy("only a closed complaint is reopened"))
def _reopen(complaint, *, by=None, reason: str = "") -> str:
    text = words_checked(reason, "reason", what=_("why the complaint is reopened"))
    # A reopened complaint starts its escalation ladder again.
    complaint.closed_at, complaint.escalation_level, complaint.escalated_at = None, 0, None
    return text
