"""The recovery process (PRC c.3): every allowed and refused transition, and what each one records."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintState, SolutionProposal, TimelineEntry
from complaints.transitions import TRANSITIONS
from tests import factories

pytestmark = pytest.mark.django_db
S = ComplaintState

# What each action needs to succeed, given the complaint (for agree: its latest proposal).
def payload(action, complaint, owner):
    return {
        "confirm": {"channel": "phone"},
        "propose": {"text": "Replace the wiper motor free of charge", "informed": "Service manager, parts"},
        "agree": {"proposal_id": getattr(complaint.proposals.last(), "pk", None),
                  "agreement": "Customer brings the car on Thursday"},
        "assign_owner": {"owner": owner},
        "implemented": {},
        "close_satisfied": {"words": "Todo perfecto, gracias", "confirmed_by": "The customer", "channel": "phone"},
        "not_satisfied": {"words": "Still squeaks"},
        "hold": {"cause": "parts_back_order", "note": "Motor on back-order until the 20th"},
        "resume": {},
        "close_unresolved": {"reason": "Customer sold the car"},
        "reopen": {"reason": "The noise came back"},
    }[action]


# The path to reach each state from a new complaint.
PATHS = {
    S.NEW: [], S.CONFIRMED: ["confirm"], S.PROPOSED: ["confirm", "propose"],
    S.AGREED: ["confirm", "propose", "agree"], S.IMPLEMENTING: ["confirm", "propose", "agree", "assign_owner"],
    S.AWAITING_CONFIRMATION: ["confirm", "propose", "agree", "assign_owner", "implemented"],
    S.ON_HOLD: ["confirm", "hold"],
    S.CLOSED_SATISFIED: ["confirm", "propose", "agree", "assign_owner", "implemented", "close_satisfied"],
    S.CLOSED_UNRESOLVED: ["close_unresolved"], S.REOPENED: ["close_unresolved", "reopen"],
}


@pytest.fixture
def new_complaint(in_dealer, dealer, representative, advisor):
    customer = factories.CustomerFactory(dealer=dealer)
    return services.complaint_log(dealer=dealer, customer=customer, department="service", channel="phone",
                                  words="El limpiaparabrisas hace ruido desde el servicio", by=advisor)


def walk(complaint, state, owner):
    for action in PATHS[state]:
        complaint = services.complaint_transition(complaint=complaint, action=action,
                                                  **payload(action, complaint, owner))
    assert complaint.state == state
    return complaint


def test_logging_gives_a_readable_reference_and_the_dealers_representative(new_complaint, dealer, representative):
    year = timezone.localtime(new_complaint.received_at, dealer.zone).year
    assert new_complaint.reference == f"NTE-001-{year}-0001"
    assert new_complaint.representative == representative
    assert new_complaint.state == S.NEW
    assert TimelineEntry.objects.filter(complaint=new_complaint).count() == 1


CASES = [(state, action) for state in PATHS for action in TRANSITIONS]


@pytest.mark.parametrize(("state", "action"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_every_transition_is_allowed_or_refused_with_the_reason(new_complaint, manager, state, action):
    complaint = walk(new_complaint, state, manager)
    entries = TimelineEntry.objects.filter(complaint=complaint).count()
    if state in TRANSITIONS[action].allowed_from:
        moved = services.complaint_transition(complaint=complaint, action=action,
                                              **payload(action, complaint, manager))
        expected = TRANSITIONS[action].leads_to or S.CONFIRMED  # resume goes back to where it was held
        assert moved.state == expected
        assert TimelineEntry.objects.filter(complaint=complaint).count() == entries + 1
    else:
        with pytest.raises(ValidationError) as refused:
            services.complaint_transition(complaint=complaint, action=action, **payload(action, complaint, manager))
        message = refused.value.messages[0]
        assert message.startswith(f"“{TRANSITIONS[action].label}” is not possible while the complaint is")
        assert Complaint.objects.get(pk=complaint.pk).state == state
        assert TimelineEntry.objects.filter(complaint=complaint).count() == entries


def test_a_complaint_cannot_close_satisfied_without_the_customers_words(new_complaint, manager):
    complaint = walk(new_complaint, S.AWAITING_CONFIRMATION, manager)
    for missing in ("words", "confirmed_by", "channel"):
        data = {**payload("close_satisfied", complaint, manager), missing: ""}
        with pytest.raises(ValidationError) as refused:
            services.complaint_transition(complaint=complaint, action="close_satisfied", **data)
        assert missing in refused.value.message_dict
    assert Complaint.objects.get(pk=complaint.pk).state == S.AWAITING_CONFIRMATION
    closed = services.complaint_transition(complaint=complaint, action="close_satisfied",
                                           **payload("close_satisfied", complaint, manager))
    assert (closed.satisfaction_words, closed.closed_at is not None) == ("Todo perfecto, gracias", True)


def test_the_owner_must_work_at_the_dealer(new_complaint, manager, neighbour, outsider):
    complaint = walk(new_complaint, S.AGREED, manager)
    for stranger in (neighbour, outsider, None):
        with pytest.raises(ValidationError) as refused:
            services.complaint_transition(complaint=complaint, action="assign_owner", owner=stranger)
        assert "Select a valid choice" in refused.value.message_dict["owner"][0]


def test_agreeing_needs_one_of_this_complaints_proposals(new_complaint, manager, dealer):
    complaint = walk(new_complaint, S.PROPOSED, manager)
    other = services.complaint_log(dealer=dealer, customer=complaint.customer, department="sales", channel="email",
                                   words="Otra queja")
    other = walk(other, S.PROPOSED, manager)
    with pytest.raises(ValidationError):
        services.complaint_transition(complaint=complaint, action="agree", proposal_id=other.proposals.get().pk,
                                      agreement="x")
    agreed = services.complaint_transition(complaint=complaint, action="agree", **payload("agree", complaint, manager))
    assert SolutionProposal.objects.get(complaint=agreed).agreed


def test_time_on_hold_is_kept_and_resume_returns_to_the_same_step(new_complaint, manager):
    complaint = walk(new_complaint, S.AGREED, manager)
    held = services.complaint_transition(complaint=complaint, action="hold", cause="warranty_decision",
                                         note="Waiting for the factory's warranty decision")
    Complaint.objects.filter(pk=held.pk).update(on_hold_since=timezone.now() - timezone.timedelta(days=3))
    resumed = services.complaint_transition(complaint=held, action="resume")
    assert resumed.state == S.AGREED
    assert resumed.time_on_hold >= timezone.timedelta(days=3)
    assert (resumed.hold_cause, resumed.on_hold_since, resumed.state_before_hold) == ("", None, "")


def test_an_empty_or_huge_complaint_is_refused_with_a_message(in_dealer, dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    with pytest.raises(ValidationError) as empty:
        services.complaint_log(dealer=dealer, customer=customer, department="service", channel="phone",
                               words="   ")
    assert empty.value.message_dict["words"] == ["Write what the customer said, in their own words."]
    with pytest.raises(ValidationError) as huge:
        services.complaint_log(dealer=dealer, customer=customer, department="service", channel="phone",
                               words="x" * (10 * 1024 * 1024))
    assert "Keep it under 10,000 characters (this is 10,485,760)" in huge.value.message_dict["words"][0]
    assert not Complaint.objects.exists()


def test_a_customer_of_another_dealer_is_refused(in_dealer, dealer, other_dealer):
    theirs = factories.CustomerFactory(dealer=other_dealer)
    with pytest.raises(ValidationError) as refused:
        services.complaint_log(dealer=dealer, customer=theirs, department="service", channel="phone", words="x")
    assert "customer" in refused.value.message_dict


def test_references_count_up_per_dealer(new_complaint, dealer):
    second = services.complaint_log(dealer=dealer, customer=new_complaint.customer, department="parts",
                                    channel="walk_in", words="Pieza equivocada")
    assert second.reference.endswith("-0002")


def test_timeline_entries_are_only_added(new_complaint, representative, manager):
    services.complaint_add_entry(complaint=new_complaint, kind="contact", by=representative, channel="phone",
                                 body="Called the customer, apologised")
    services.complaint_add_entry(complaint=new_complaint, kind="note", by=manager, body="Checked the job card")
    complaint = Complaint.objects.get(pk=new_complaint.pk)
    assert complaint.first_contact_at is not None
    kinds = list(TimelineEntry.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert kinds == ["state", "contact", "note"]


def test_the_representative_is_told_of_a_new_complaint(in_dealer, dealer, representative, advisor,
                                                       django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = services.complaint_log(dealer=dealer, customer=factories.CustomerFactory(dealer=dealer),
                                           department="sales", channel="walk_in", words="Nadie me atendió",
                                           by=advisor)
    assert [m.to for m in mailoutbox] == [[representative.email]]
    assert complaint.reference in mailoutbox[0].subject
    assert f"/complaints/{complaint.pk}/" in mailoutbox[0].body
