"""Writes of the recovery process (PRC c.3.1–c.3.9): logging a complaint, its timeline entries, each step of
the process and reassigning complaints.

Every write runs in one transaction on the complaint's row, locked, and adds its timeline entry in the
same transaction; the timeline is only ever appended to.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dealer_portal.tenancy.models import Dealer

from ..models import (
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintPolicy,
    ComplaintState,
    EntryKind,
    HoldCause,
    SolutionProposal,
    TimelineEntry,
)
from ..selectors import dealer_representative, works_at
from ..signals import complaint_closed_satisfied
from ..transitions import TRANSITIONS
from .inputs import NOT_AVAILABLE, moment_checked, words_checked


@transaction.atomic
def complaint_log(*, dealer, customer, department: str, channel: str, words: str, by=None, vehicle=None,
                  service_job=None, category: ComplaintCategory | None = None, severity: str = "medium",
                  received_at: datetime | None = None) -> Complaint:
    """Log a complaint (c.3.1) with a readable reference; the dealer's representative is assigned.

    Side effects: the first timeline entry.
    """
    errors = {}
    for field, row in (("customer", customer), ("vehicle", vehicle), ("service_job", service_job)):
        if row is not None and row.dealer_id != dealer.pk:
            errors[field] = NOT_AVAILABLE
    if category is not None and (category.network_id != dealer.network_id or not category.is_active):
        errors["category"] = NOT_AVAILABLE
    if errors:
        raise ValidationError(errors)
    text = words_checked(words, "words", what=_("what the customer said, in their own words"))
    received = moment_checked(received_at, "received_at")
    # Numbering is serialised per dealer: the dealer's row is the lock.
    Dealer.objects.select_for_update().filter(pk=dealer.pk).first()
    sequence = (Complaint.objects.filter(dealer=dealer).aggregate(last=Max("sequence"))["last"] or 0) + 1
    year = timezone.localtime(received, dealer.zone).year
    complaint = Complaint(
        dealer=dealer, sequence=sequence, reference=f"{dealer.code}-{year}-{sequence:04d}", customer=customer,
        vehicle=vehicle, service_job=service_job, department=department, category=category, channel=channel,
        words=text, severity=severity, received_at=received, logged_by=by,
        representative=dealer_representative(dealer),
    )
    complaint.full_clean(exclude=["customer", "vehicle", "service_job", "category", "representative"],
                         validate_constraints=False)
    complaint.save()
    TimelineEntry.objects.create(dealer=dealer, complaint=complaint, kind=EntryKind.STATE, author=by, at=received,
                                 channel=channel, body=text, to_state=ComplaintState.NEW)
    if complaint.representative is not None and complaint.representative != by:
        transaction.on_commit(lambda: _tell_representative(complaint))
    return complaint


def _tell_representative(complaint: Complaint) -> None:
    """Email the representative a new complaint has been given to (sent after commit)."""
    send_mail(
        _("New complaint %(reference)s") % {"reference": complaint.reference},
        _("%(customer)s (%(department)s): %(words)s\n\nOpen it: %(path)s") % {
            "customer": complaint.customer.name, "department": complaint.get_department_display(),
            "words": complaint.words[:500], "path": complaint.get_absolute_url()},
        settings.DEFAULT_FROM_EMAIL, [complaint.representative.email])


@transaction.atomic
def complaint_add_entry(*, complaint: Complaint, kind: str, by=None, body: str, channel: str = "",
                        at: datetime | None = None) -> TimelineEntry:
    """Add a contact, note or on-hold follow-up to the timeline (a contact counts as the first contact)."""
    if kind not in (EntryKind.CONTACT, EntryKind.NOTE, EntryKind.HOLD_FOLLOWUP):
        raise ValidationError({"kind": NOT_AVAILABLE})
    if kind == EntryKind.CONTACT and channel not in Channel.values:
        raise ValidationError({"channel": _("Say how the customer was contacted.")})
    moment = moment_checked(at, "at")
    text = words_checked(body, "body", what=_("the entry"))
    entry = TimelineEntry.objects.create(dealer_id=complaint.dealer_id, complaint=complaint, kind=kind, author=by,
                                         at=moment, channel=channel, body=text)
    if kind == EntryKind.CONTACT:
        Complaint.objects.filter(pk=complaint.pk, first_contact_at__isnull=True).update(first_contact_at=moment)
    if kind == EntryKind.HOLD_FOLLOWUP:
        Complaint.objects.filter(pk=complaint.pk).update(last_hold_followup_at=moment)
    return entry


@transaction.atomic
def complaint_transition(*, complaint: Complaint, action: str, by=None, **data) -> Complaint:
    """Move the complaint on by ``action`` (confirm, propose, agree, …), refusing with the reason when its
    state does not allow it. Side effects: the timeline entry, and whatever the action records."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action})
    complaint = Complaint.objects.select_for_update().select_related("dealer").get(pk=complaint.pk)
    if complaint.state not in transition.allowed_from:
        raise ValidationError(_("“%(action)s” is not possible while the complaint is “%(state)s”: %(why)s.") % {
            "action": transition.label, "state": complaint.get_state_display(), "why": transition.needs})
    before = complaint.state
    body = ACTIONS[action](complaint, by=by, **data)
    complaint.state = transition.leads_to or complaint.state_before_hold or ComplaintState.CONFIRMED
    if action == "resume":
        complaint.state_before_hold = ""
    complaint.save()
    if action == "close_satisfied":
        # Confirm, some days on, that the customer stayed satisfied (same transaction: never lost).
        complaint_closed_satisfied.send(sender=Complaint, complaint=complaint,
                                        policy=ComplaintPolicy.objects.for_network(complaint.dealer.network))
    TimelineEntry.objects.create(dealer_id=complaint.dealer_id, complaint=complaint, kind=EntryKind.STATE,
                                 author=by, at=timezone.now(), body=body, from_state=before, to_state=complaint.state)
    return complaint


def _confirm(complaint, *, by=None, channel: str = "", at: datetime | None = None, note: str = "") -> str:
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Say how the complaint was confirmed with the customer.")})
    moment = moment_checked(at, "at")
    complaint.confirmed_at = moment
    complaint.first_contact_at = complaint.first_contact_at or moment
    return note.strip() or _("Confirmed with the customer.")


def _propose(complaint, *, by=None, text: str = "", informed: str = "") -> str:
    proposal_text = words_checked(text, "text", what=_("the proposed solution"))
    if not informed.strip():
        raise ValidationError({"informed": _("Say who was informed of the proposal (c.3.5).")})
    SolutionProposal.objects.create(dealer_id=complaint.dealer_id, complaint=complaint, text=proposal_text,
                                    informed=informed.strip()[:300], proposed_by=by, proposed_at=timezone.now())
    return proposal_text


def _agree(complaint, *, by=None, proposal_id: int | None = None, agreement: str = "") -> str:
    proposal = SolutionProposal.objects.filter(complaint=complaint, pk=proposal_id).first() if proposal_id else None
    if proposal is None:
        raise ValidationError({"proposal_id": NOT_AVAILABLE})
    proposal.agreement = words_checked(agreement, "agreement", what=_("what the customer agreed to"))
    proposal.agreed = True
    proposal.save(update_fields=["agreed", "agreement"])
    complaint.agreed_at = timezone.now()
    return proposal.agreement


def _assign_owner(complaint, *, by=None, owner=None) -> str:
    if owner is None or not works_at(owner, complaint.dealer):
        raise ValidationError({"owner": NOT_AVAILABLE})
    complaint.owner = owner
    return _("%(owner)s carries the solution through.") % {"owner": owner}


def _implemented(complaint, *, by=None, note: str = "") -> str:
    return note.strip() or _("Solution implemented; waiting for the customer's confirmation.")


def _close_satisfied(complaint, *, by=None, words: str = "", confirmed_by: str = "", channel: str = "") -> str:
    complaint.satisfaction_words = words_checked(words, "words", what=_("the customer's confirmation, in their words"))
    if not confirmed_by.strip():
        raise ValidationError({"confirmed_by": _("Say who confirmed (the customer, or who spoke for them).")})
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Say how the customer confirmed.")})
    complaint.satisfaction_confirmed_by, complaint.satisfaction_channel = confirmed_by.strip()[:160], channel
    complaint.closed_at = timezone.now()
    return complaint.satisfaction_words


def _not_satisfied(complaint, *, by=None, words: str = "") -> str:
    return words_checked(words, "words", what=_("what the customer said"))


def _hold(complaint, *, by=None, cause: str = "", note: str = "") -> str:
    if cause not in HoldCause.values:
        raise ValidationError({"cause": _("Choose the outside cause the complaint waits for.")})
    complaint.state_before_hold, complaint.hold_cause = complaint.state, cause
    complaint.on_hold_since = complaint.last_hold_followup_at = timezone.now()
    return words_checked(note, "note", what=_("what the complaint is waiting for"))


def _resume(complaint, *, by=None, note: str = "") -> str:
    if complaint.on_hold_since:
        complaint.time_on_hold += timezone.now() - complaint.on_hold_since
    complaint.on_hold_since, complaint.hold_cause = None, ""
    return note.strip() or _("Resumed.")


def _close_unresolved(complaint, *, by=None, reason: str = "") -> str:
    complaint.close_reason = words_checked(reason, "reason", what=_("why the complaint closes unresolved"))
    if complaint.on_hold_since:
        complaint.time_on_hold += timezone.now() - complaint.on_hold_since
        complaint.on_hold_since = None
    complaint.closed_at = timezone.now()
    return complaint.close_reason


def _reopen(complaint, *, by=None, reason: str = "") -> str:
    text = words_checked(reason, "reason", what=_("why the complaint is reopened"))
    # A reopened complaint starts its escalation ladder again.
    complaint.closed_at, complaint.escalation_level, complaint.escalated_at = None, 0, None
    return text


ACTIONS = {
    "confirm": _confirm, "propose": _propose, "agree": _agree, "assign_owner": _assign_owner,
    "implemented": _implemented, "close_satisfied": _close_satisfied, "not_satisfied": _not_satisfied,
    "hold": _hold, "resume": _resume, "close_unresolved": _close_unresolved, "reopen": _reopen,
}


@transaction.atomic
def complaints_reassign(*, dealer, complaint_ids: list[int], representative, by=None) -> int:
    """Give these complaints to ``representative`` (who must work at the dealer); returns how many moved.

    Side effects: an assignment entry on each complaint's timeline.
    """
    if representative is None or not works_at(representative, dealer):
        raise ValidationError({"representative": NOT_AVAILABLE})
    complaints = list(Complaint.objects.select_for_update().filter(dealer=dealer, pk__in=complaint_ids)
                      .exclude(representative=representative))
    now = timezone.now()
    for complaint in complaints:
        complaint.representative = representative
        complaint.save(update_fields=["representative", "updated_at"])
    TimelineEntry.objects.bulk_create([
        TimelineEntry(dealer_id=complaint.dealer_id, complaint=complaint, kind=EntryKind.ASSIGNMENT, author=by,
                      at=now, body=_("Assigned to %(person)s.") % {"person": representative})
        for complaint in complaints
    ])
    return len(complaints)
