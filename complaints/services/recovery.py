"""Writes of the recovery process (PRC c.3.1–c.3.9): logging a complaint, its timeline entries, each step of
the process and reassigning complaints.

Every write runs in one transaction on the complaint's row, locked, and adds its timeline entry in the
same transaction; the timeline is only ever appended to.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dealer_portal.tenancy.models import Dealer
from outbox.services import email_queue

from ..inputs import NOT_AVAILABLE, moment_checked, words_checked
from ..models import (
    Channel,
    Complaint,
    ComplaintCategory,
    ComplaintPolicy,
    ComplaintState,
    EntryKind,
    Severity,
    TimelineEntry,
)
from ..selectors import dealer_representative, works_at
from ..timeline import SystemWords, entry_body_fields
from ..transitions import TRANSITIONS


@transaction.atomic
def complaint_log(*, dealer, customer, department: str, channel: str, words: str, by=None, vehicle=None,
                  service_job=None, category: ComplaintCategory | None = None, severity: str = Severity.MEDIUM,
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
        _tell_representative(complaint)
    return complaint


NEW_COMPLAINT_PURPOSE = "complaints-new-complaint"


def _tell_representative(complaint: Complaint) -> None:
    """Email the representative a new complaint has been given to (in the outbox, sent after commit)."""
    representative = complaint.representative
    with translation.override(representative.language):
        subject = _("New complaint %(reference)s") % {"reference": complaint.reference}
        body = _("%(customer)s (%(department)s): %(words)s\n\nOpen it: %(path)s") % {
            "customer": complaint.customer.name, "department": complaint.get_department_display(),
            "words": complaint.words[:500], "path": complaint.get_absolute_url()}
    email_queue(dealer=complaint.dealer, to=representative.email, purpose=NEW_COMPLAINT_PURPOSE, about=complaint,
                subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL)


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
    """Move the complaint on by ``action`` (confirm, propose, agree, …: ``complaints.transitions``), refusing
    with the reason when its state does not allow it. Side effects: the timeline entry, whatever the step
    records, and the step's announcement (a satisfied closing schedules the re-check call)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action “%(action)s”.") % {"action": action})
    complaint = Complaint.objects.select_for_update().select_related("dealer__network").get(pk=complaint.pk)
    refusal = transition.refusal(complaint)
    if refusal:
        raise ValidationError(refusal)
    before, after = complaint.state, transition.target(complaint)
    body = transition.handler(complaint, by=by, **data)
    complaint.state = after
    complaint.save()
    if transition.announce is not None:
        transition.announce.send(sender=Complaint, complaint=complaint,
                                 policy=ComplaintPolicy.objects.for_network(complaint.dealer.network))
    TimelineEntry.objects.create(dealer_id=complaint.dealer_id, complaint=complaint, kind=EntryKind.STATE,
                                 author=by, at=timezone.now(), from_state=before, to_state=complaint.state,
                                 **entry_body_fields(body))
    return complaint


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
                      at=now, **entry_body_fields(SystemWords("assigned", {"person": str(representative)})))
        for complaint in complaints
    ])
    return len(complaints)
