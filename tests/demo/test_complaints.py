"""The demo's complaints: every state of the recovery process, consistent timestamps, dealers that differ."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command

from complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintState,
    Compliment,
    EntryKind,
    SolutionProposal,
    StandardAnswer,
    TimelineEntry,
)
from complaints.services import network_taxonomy_install
from complaints.transitions import TRANSITIONS
from dealer_portal.tenancy.models import Network
from dealer_portal.tenancy.scoping import unscoped

pytestmark = pytest.mark.django_db

PAST_AGREED = {ComplaintState.AGREED, ComplaintState.IMPLEMENTING, ComplaintState.AWAITING_CONFIRMATION,
               ComplaintState.CLOSED_SATISFIED}


@pytest.fixture
def demo():
    call_command("seed_demo", "--dealers", "6", "--months", "2")


def _snapshot():
    with unscoped():
        return list(Complaint.objects.order_by("dealer__code", "sequence").values_list(
            "reference", "state", "category__name", "words", "received_at", "closed_at", "customer__name"))


def test_complaints_are_in_every_state(demo):
    with unscoped():
        states = Counter(Complaint.objects.values_list("state", flat=True))
        assert set(states) == set(ComplaintState.values)
        on_hold = list(Complaint.objects.filter(state=ComplaintState.ON_HOLD))
        assert all(c.hold_cause and c.on_hold_since and c.state_before_hold for c in on_hold)
        assert Complaint.objects.filter(time_on_hold__gt=timedelta(0)).exists()  # some were on hold and resumed
        assert Compliment.objects.exists()


def test_satisfied_ones_have_the_customers_words_and_closed_ones_a_close_time(demo):
    with unscoped():
        satisfied = list(Complaint.objects.filter(state=ComplaintState.CLOSED_SATISFIED))
        assert satisfied
        assert all(c.satisfaction_words and c.satisfaction_confirmed_by and c.satisfaction_channel
                   for c in satisfied)
        assert not Complaint.objects.filter(state__in=["closed_satisfied", "closed_unresolved"],
                                            closed_at__isnull=True).exists()
        assert not Complaint.objects.filter(state="closed_unresolved", close_reason="").exists()
        assert not Complaint.objects.exclude(state__in=["closed_satisfied", "closed_unresolved"]) \
            .filter(closed_at__isnull=False).exists()


def test_timestamps_follow_the_process(demo):
    fields = ("received_at", "first_contact_at", "confirmed_at", "agreed_at", "closed_at")
    with unscoped():
        rows = list(Complaint.objects.values_list("reference", "state", *fields))
    assert rows
    for reference, state, *moments in rows:
        present = [moment for moment in moments if moment is not None]
        assert present == sorted(present), reference
        if state in PAST_AGREED:
            assert moments[3] is not None, reference


def test_references_are_unique_per_dealer_and_numbered_in_order(demo):
    with unscoped():
        by_dealer = defaultdict(list)
        for dealer_code, reference, sequence in Complaint.objects.order_by("received_at", "pk").values_list(
                "dealer__code", "reference", "sequence"):
            by_dealer[dealer_code].append((reference, sequence))
    assert len(by_dealer) == 6 + 2  # every Aurora outlet, and both Malaysian ones (from their follow-up calls)
    for code, rows in by_dealer.items():
        assert [sequence for _, sequence in rows] == list(range(1, len(rows) + 1)), code
        assert len({reference for reference, _ in rows}) == len(rows)
        assert all(reference.startswith(f"{code}-") and reference.endswith(f"-{sequence:04d}")
                   for reference, sequence in rows)
        assert rows  # a few a month: 0.8–3.2 per 100 delivered jobs (tests/demo/test_realism.py counts them)


def test_each_dealer_has_its_own_recurring_complaints(demo):
    with unscoped():
        counts = defaultdict(Counter)
        for dealer_id, category in Complaint.objects.values_list("dealer_id", "category__name"):
            counts[dealer_id][category] += 1
    tops = {counter.most_common(1)[0][0] for counter in counts.values()}
    assert len(tops) >= 2


def test_timelines_start_with_the_logging_entry_and_record_each_move(demo):
    with unscoped():
        complaints = {c.pk: c for c in Complaint.objects.all()}
        timelines = defaultdict(list)
        for entry in TimelineEntry.objects.order_by("at", "pk"):
            timelines[entry.complaint_id].append(entry)
        agreed = set(SolutionProposal.objects.filter(agreed=True).values_list("complaint_id", flat=True))
    assert set(timelines) == set(complaints)
    for pk, entries in timelines.items():
        complaint, first = complaints[pk], entries[0]
        assert (first.kind, first.from_state, first.to_state) == (EntryKind.STATE, "", ComplaintState.NEW)
        assert first.at == complaint.received_at and first.body == complaint.words
        moves = [entry for entry in entries if entry.kind == EntryKind.STATE]
        for previous, following in zip(moves, moves[1:], strict=False):
            assert following.from_state == previous.to_state, complaint.reference
        assert moves[-1].to_state == complaint.state, complaint.reference
        if complaint.state in PAST_AGREED:
            assert pk in agreed, complaint.reference
            assert complaint.owner_id or complaint.state == ComplaintState.AGREED, complaint.reference


def test_every_move_in_a_demo_timeline_is_a_declared_step_of_the_process(demo):
    steps = {(source, step.leads_to) for step in TRANSITIONS.values() for source in step.allowed_from}
    with unscoped():
        moves = set(TimelineEntry.objects.filter(kind=EntryKind.STATE).exclude(from_state="")
                    .values_list("from_state", "to_state"))
        resumed = {(ComplaintState.ON_HOLD, to_state) for source, to_state in moves if source == ComplaintState.ON_HOLD}
    assert moves
    # Resuming goes back to the state before the hold (a step declared without a fixed target).
    assert moves - resumed <= steps, moves - resumed - steps
    assert {to_state for _, to_state in resumed} <= TRANSITIONS["hold"].allowed_from


def test_taxonomy_install_is_idempotent(demo):
    with unscoped():
        aurora = Network.objects.get(slug="aurora-mx")
        categories = ComplaintCategory.objects.filter(network=aurora).count()
        answers = StandardAnswer.objects.filter(network=aurora).count()
        assert categories >= 4 + 12 and answers >= 12
        assert not ComplaintCategory.objects.filter(network=aurora, parent__isnull=False,
                                                    standard_answers__isnull=True).exists()
        assert network_taxonomy_install(network=aurora) == 0
        assert ComplaintCategory.objects.filter(network=aurora).count() == categories
        assert StandardAnswer.objects.filter(network=aurora).count() == answers


def test_the_same_seed_gives_the_same_complaints(demo):
    first = _snapshot()
    assert first
    call_command("seed_demo", "--dealers", "6", "--months", "2", "--reset")
    assert _snapshot() == first
