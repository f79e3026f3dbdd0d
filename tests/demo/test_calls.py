"""The demo's follow-up calls: one per delivery, every status, complaints from dissatisfied answers, promise 9."""

from collections import Counter

import pytest
from django.core.management import call_command

from dealer_portal.tenancy.scoping import unscoped
from followups.models import CallAnswer, CallAttempt, CallStatus, FollowUpCall
from servicejobs.models import JobStatus, PromiseCheck, SalesHandover, ServiceJob

pytestmark = pytest.mark.django_db

DEMO = ("seed_demo", "--dealers", "6", "--months", "2")


def _calls():
    # Two deliveries may share a minute: the customer's phone settles their order.
    return list(FollowUpCall.objects.order_by("dealer__code", "kind", "delivered_at", "window_start",
                                              "customer__phone").values_list(
        "dealer__code", "kind", "customer__phone", "delivered_at", "window_start", "window_end", "status",
        "reached_at", "callback_at"))


@pytest.fixture
def demo():
    call_command(*DEMO)


def test_every_delivery_has_exactly_one_call(demo):
    with unscoped():
        delivered = ServiceJob.objects.filter(status=JobStatus.DELIVERED)
        per_job = Counter(FollowUpCall.objects.filter(service_job__isnull=False).values_list("service_job_id",
                                                                                               flat=True))
        assert delivered.exists()
        assert set(per_job) == set(delivered.values_list("pk", flat=True))
        assert set(per_job.values()) == {1}
        assert not FollowUpCall.objects.exclude(service_job__isnull=True).exclude(
            service_job__status=JobStatus.DELIVERED).exists()
        assert FollowUpCall.objects.filter(sales_handover__isnull=False).count() == SalesHandover.objects.count()


def test_calls_are_in_every_status_and_consistent(demo):
    with unscoped():
        statuses = set(FollowUpCall.objects.values_list("status", flat=True))
        assert {CallStatus.REACHED, CallStatus.MISSED, CallStatus.SCHEDULED, CallStatus.NOT_CONTACTED} <= statuses
        assert CallAnswer.objects.count() == FollowUpCall.objects.filter(status=CallStatus.REACHED).count()
        assert CallAttempt.objects.exists()
        assert not FollowUpCall.objects.filter(status=CallStatus.NOT_CONTACTED, not_contacted_reason="").exists()
        for call in FollowUpCall.objects.filter(status=CallStatus.REACHED).select_related("dealer"):
            assert call.window_start <= call.reached_at.astimezone(call.dealer.zone).date() <= call.window_end
        assert set(CallAnswer.objects.values_list("via", flat=True)) <= {"call", "online"}


def test_every_dissatisfied_answer_has_its_follow_up_complaint(demo):
    with unscoped():
        dissatisfied = CallAnswer.objects.filter(dissatisfied=True).select_related("complaint", "call")
        assert dissatisfied.exists()
        for answer in dissatisfied:
            complaint = answer.complaint
            assert complaint is not None and complaint.channel == "follow_up_call"
            assert complaint.customer_id == answer.call.customer_id
            assert complaint.reference.startswith(answer.dealer.code)
            assert complaint.timeline.filter(to_state="new").exists()
        assert not CallAnswer.objects.filter(dissatisfied=False, complaint__isnull=False).exists()


def test_promise_nine_follows_the_call(demo):
    with unscoped():
        reached = FollowUpCall.objects.filter(status=CallStatus.REACHED, service_job__isnull=False).first()
        missed = FollowUpCall.objects.filter(status=CallStatus.MISSED, service_job__isnull=False).first()
        assert PromiseCheck.objects.get(job_id=reached.service_job_id, number=9).status == "kept"
        assert PromiseCheck.objects.get(job_id=missed.service_job_id, number=9).status == "broken"
        statuses = dict(PromiseCheck.objects.filter(number=9, job__status=JobStatus.DELIVERED)
                        .values_list("job_id", "status"))
        expected = {"reached": "kept", "missed": "broken", "not_contacted": "not_applicable",
                    "scheduled": "pending", "attempted": "pending"}
        for job_id, status in FollowUpCall.objects.filter(service_job__isnull=False).values_list("service_job_id",
                                                                                                  "status"):
            assert statuses[job_id] == expected[status]


def test_the_same_seed_gives_the_same_calls_after_reset(demo):
    with unscoped():
        first = _calls()
    call_command(*DEMO, "--reset")
    with unscoped():
        assert _calls() == first


def test_promise_nine_reads_as_the_selector_words_it(demo):
    from servicejobs.selectors import followup_outcome_for

    with unscoped():
        for status in (CallStatus.REACHED, CallStatus.MISSED, CallStatus.NOT_CONTACTED, CallStatus.SCHEDULED):
            call = FollowUpCall.objects.filter(status=status, service_job__isnull=False).select_related(
                "service_job__dealer").first()
            outcome = followup_outcome_for(call.service_job)
            check = PromiseCheck.objects.get(job_id=call.service_job_id, number=9)
            assert (check.status, check.reason) == (outcome.status, outcome.reason)
