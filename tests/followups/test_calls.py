"""The representative's calling session: the list, one-tap attempts, answers, dissatisfied → complaint."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from complaints.models import Complaint
from dealer_portal.tenancy.scoping import unscoped
from followups import services
from followups.models import CallAnswer, FollowUpCall
from followups.selectors import call_list
from servicejobs.models import PromiseCheck, ServiceJob
from tests.cross_tenant import assert_not_found_for
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(in_dealer, make_job):
    job = walk_to(make_job(), "handover")
    return FollowUpCall.objects.get(service_job=job)


def url(dealer, name, *args):
    return reverse(name, args=[dealer.network.slug, dealer.code, *args])


ANSWERS = {"overall": "5", "work_done_right": "yes", "ready_when_promised": "yes", "would_recommend": "yes",
           "comments": "Todo excelente"}


def test_the_list_sorts_calls_by_the_dealers_day(in_dealer, call, dealer):
    start = timezone.make_aware(timezone.datetime.combine(call.window_start, timezone.datetime.min.time()))
    assert call in call_list(now=start - timedelta(days=1)).due_soon
    assert call in call_list(now=start + timedelta(hours=10)).due_today
    last = timezone.make_aware(timezone.datetime.combine(call.window_end, timezone.datetime.min.time()))
    assert call in call_list(now=last + timedelta(hours=10)).last_day


def test_the_list_shows_what_to_ask_about(client, representative, dealer, call, in_dealer):
    job = ServiceJob.objects.get(pk=call.service_job_id)
    PromiseCheck.objects.filter(job=job, number=7).update(status="broken", reason_key="invoice_not_explained")
    FollowUpCall.objects.filter(pk=call.pk).update(window_start=timezone.localdate())
    client.force_login(representative)
    page = client.get(url(dealer, "followup_list")).content.decode()
    assert "Ask about" in page and "The invoice was not explained at handover." in page


def test_one_tap_attempts_and_a_callback_requeues_the_call(client, representative, dealer, call):
    client.force_login(representative)
    assert client.post(url(dealer, "followup_attempt", call.pk, "no_answer")).status_code == 302
    later = (timezone.localtime(timezone=dealer.zone) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url(dealer, "followup_attempt", call.pk, "call_back"), {"callback_at": later}).status_code == 302
    with unscoped():
        call.refresh_from_db()
        assert (call.status, call.attempts.count(), call.callback_at is not None) == ("attempted", 2, True)
    past = (timezone.localtime(timezone=dealer.zone) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url(dealer, "followup_attempt", call.pk, "call_back"), {"callback_at": past})
    assert refused.status_code == 400
    assert "Give the time the customer asked to be called back." in refused.content.decode()


SPANISH_MONTHS = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"]


def test_a_callback_after_the_window_is_refused_naming_the_last_day_in_the_readers_language(
        client, representative, dealer, call):
    User.objects.filter(pk=representative.pk).update(language="es")
    client.force_login(representative)
    late = (timezone.localtime(timezone=dealer.zone) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(url(dealer, "followup_attempt", call.pk, "call_back"), {"callback_at": late})
    assert refused.status_code == 400
    last_day = f"{call.window_end.day} {SPANISH_MONTHS[call.window_end.month - 1]}"
    assert f"El periodo de la llamada termina el {last_day}:" in refused.content.decode()


def test_a_satisfied_answer_keeps_promise_nine(client, representative, dealer, call):
    client.force_login(representative)
    response = client.post(url(dealer, "followup_answers", call.pk), ANSWERS)
    assert response.status_code == 302 and response.url == url(dealer, "followup_list")
    with unscoped():
        assert PromiseCheck.objects.get(job_id=call.service_job_id, number=9).status == "kept"
        assert not Complaint.objects.exists()


def test_a_dissatisfied_answer_opens_a_complaint_and_lands_on_it(client, representative, dealer, call):
    client.force_login(representative)
    response = client.post(url(dealer, "followup_answers", call.pk), {
        **ANSWERS, "overall": "2", "comments": "El ruido sigue igual"})
    with unscoped():
        complaint = Complaint.objects.get()
        answer = CallAnswer.objects.get()
    assert response.url == url(dealer, "complaint_detail", complaint.pk)
    assert (complaint.words, complaint.channel, complaint.service_job_id) == ("El ruido sigue igual",
                                                                              "follow_up_call", call.service_job_id)
    assert answer.complaint == complaint and answer.dissatisfied


def test_a_score_out_of_range_is_a_form_error_and_nothing_is_recorded(client, representative, dealer, call):
    client.force_login(representative)
    response = client.post(url(dealer, "followup_answers", call.pk), {**ANSWERS, "overall": "9"})
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    with unscoped():
        assert not CallAnswer.objects.exists()


def test_nothing_more_is_recorded_on_a_closed_call(in_dealer, call, representative):
    services.call_answers_record(call=call, overall=4, work_done_right=True, ready_when_promised=True,
                                 would_recommend=True)
    for record in (lambda: services.call_attempt_log(call=call, outcome="no_answer"),
                   lambda: services.call_answers_record(call=call, overall=5, work_done_right=True,
                                                        ready_when_promised=True, would_recommend=True)):
        with pytest.raises(ValidationError) as refused:
            record()
        assert "This call is closed (Reached)" in refused.value.messages[0]
    assert CallAnswer.objects.count() == 1


def test_another_dealers_calls_are_not_found(call, dealer, other_dealer, neighbour, outsider):
    for user in (neighbour, outsider):
        assert_not_found_for(user, web=[url(dealer, "followup_call", call.pk), url(dealer, "followup_list"),
                                        url(dealer, "followup_answers", call.pk),
                                        url(dealer, "followup_attempt", call.pk, "no_answer")])
    assert_not_found_for(neighbour, web=[url(other_dealer, "followup_call", call.pk)])


def _closed_satisfied_complaint(dealer, manager, customer=None):
    from complaints import services as complaint_services
    from tests import factories

    customer = customer or factories.CustomerFactory(dealer=dealer)
    complaint = complaint_services.complaint_log(dealer=dealer, customer=customer,
                                                 department="service", channel="phone", words="Ruido")
    for action, data in (("confirm", {"channel": "phone"}), ("propose", {"text": "Ajuste", "informed": "Taller"})):
        complaint = complaint_services.complaint_transition(complaint=complaint, action=action, **data)
    complaint = complaint_services.complaint_transition(complaint=complaint, action="agree",
                                                        proposal_id=complaint.proposals.get().pk, agreement="Ok")
    complaint = complaint_services.complaint_transition(complaint=complaint, action="assign_owner", owner=manager)
    complaint = complaint_services.complaint_transition(complaint=complaint, action="implemented")
    return complaint_services.complaint_transition(complaint=complaint, action="close_satisfied", words="Bien",
                                                   confirmed_by="Cliente", channel="phone")


def test_closing_satisfied_schedules_a_recheck_and_a_dissatisfied_recheck_reopens(in_dealer, dealer, manager):
    complaint = _closed_satisfied_complaint(dealer, manager)
    recheck = FollowUpCall.objects.get(complaint=complaint)
    closed_day = timezone.localtime(complaint.closed_at, dealer.zone).date()
    assert (recheck.kind, recheck.window_start) == ("recheck", closed_day + timedelta(days=10))
    answer = services.call_answers_record(call=recheck, overall=2, work_done_right=False, ready_when_promised=True,
                                          would_recommend=False, comments="Volvió el ruido")
    complaint.refresh_from_db()
    assert complaint.state == "reopened"
    assert answer.complaint == complaint
    assert Complaint.objects.count() == 1  # reopened, not a second complaint


def test_the_figures_count_reach_satisfaction_and_complaints(client, manager, dealer, in_dealer, make_job):
    from followups.dashboard import followup_figures

    calls = [FollowUpCall.objects.get(service_job=walk_to(make_job(), "handover")) for _ in range(3)]
    # Two windows open today, so the customers are reached inside them.
    FollowUpCall.objects.filter(pk__in=[calls[0].pk, calls[1].pk]).update(window_start=timezone.localdate())
    services.call_answers_record(call=calls[0], overall=5, work_done_right=True, ready_when_promised=True,
                                 would_recommend=True)
    services.call_answers_record(call=calls[1], overall=1, work_done_right=False, ready_when_promised=False,
                                 would_recommend=False, comments="Mal")
    month = next(m for m in followup_figures().months if m.due)
    assert (month.due, month.reached, month.reached_in_window, month.complaints) == (3, 2, 2, 1)
    assert month.satisfaction == 3.0 and month.reach_percent == 66.7
    client.force_login(manager)
    page = client.get(url(dealer, "followup_figures")).content.decode()
    assert "2 (66.7%)" in page


def test_calls_are_offered_only_within_calling_hours(client, representative, dealer, call, in_dealer):
    import datetime as dt

    dealer.calling_from, dealer.calling_until = dt.time(9, 0), dt.time(19, 0)
    dealer.save()
    day = call.window_start
    evening = timezone.make_aware(dt.datetime.combine(day, dt.time(20, 30)), dealer.zone)
    morning = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)), dealer.zone)
    assert call_list(now=evening).due_today == [] and call_list(now=evening).outside_hours == [dealer]
    assert [c.pk for c in call_list(now=morning).due_today] == [call.pk]


def test_a_dissatisfied_answer_and_its_complaint_are_saved_together_or_not_at_all(in_dealer, call):
    from unittest import mock

    # The last write fails (after the complaint, the answer and the call were saved): all of it rolls back.
    with mock.patch("followups.services.job_promises_refresh", side_effect=RuntimeError("database went away")), \
            pytest.raises(RuntimeError):
        services.call_answers_record(call=call, overall=1, work_done_right=False, ready_when_promised=False,
                                     would_recommend=False, comments="Mal")
    call.refresh_from_db()
    assert call.status == "scheduled"
    assert not CallAnswer.objects.exists() and not Complaint.objects.exists()


def test_the_figures_do_not_count_a_call_reached_before_its_window_opened(in_dealer, call):
    from followups.dashboard import followup_figures

    # Answered right after the handover: days before the window (day 3 to day 5) opens.
    services.call_answers_record(call=call, overall=5, work_done_right=True, ready_when_promised=True,
                                 would_recommend=True)
    month = next(m for m in followup_figures().months if m.due)
    assert (month.due, month.reached, month.reached_in_window) == (1, 1, 0)


def test_promise_9_of_a_customer_reached_before_the_window_is_kept_and_says_when(in_dealer, dealer, call):
    services.call_answers_record(call=call, overall=5, work_done_right=True, ready_when_promised=True,
                                 would_recommend=True)
    promise = PromiseCheck.objects.get(job_id=call.service_job_id, number=9)
    today = timezone.localdate(timezone=dealer.zone)
    reached_day = f"{today.day} {today:%b}"  # English: "3 Dec"
    assert promise.status == "kept"
    assert promise.reason.startswith(f"Customer reached on {reached_day}, before the call window")
    assert "within" not in promise.reason


@pytest.mark.parametrize(("customer_fields", "reason"), [
    ({"do_not_contact": True, "do_not_contact_reason": "Pidió no ser llamado"}, "Pidió no ser llamado"),
    ({"contact_consent": False}, "The customer gave no consent to be contacted."),
])
def test_a_recheck_for_a_customer_not_to_be_contacted_is_created_not_to_be_contacted(in_dealer, dealer, manager,
                                                                                      customer_fields, reason):
    from tests import factories

    customer = factories.CustomerFactory(dealer=dealer, **customer_fields)
    recheck = FollowUpCall.objects.get(complaint=_closed_satisfied_complaint(dealer, manager, customer))
    assert (recheck.kind, recheck.status, recheck.not_contacted_reason) == ("recheck", "not_contacted", reason)


def test_the_call_page_offers_attempts_and_answers_only_while_the_call_is_open(client, representative, dealer, call):
    client.force_login(representative)
    page = client.get(url(dealer, "followup_call", call.pk)).content.decode()
    start = page.index('data-testid="attempt-buttons"')
    buttons = page[start:page.index("</div>", start)]
    assert [label for label in ("No answer", "Voicemail", "Wrong number") if label in buttons] == [
        "No answer", "Voicemail", "Wrong number"]
    assert url(dealer, "followup_attempt", call.pk, "call_back") not in buttons  # it needs a time: its own form
    assert url(dealer, "followup_attempt", call.pk, "call_back") in page
    with unscoped():
        services.call_answers_record(call=call, overall=5, work_done_right=True, ready_when_promised=True,
                                     would_recommend=True)
    closed = client.get(url(dealer, "followup_call", call.pk)).content.decode()
    assert 'data-testid="attempt-buttons"' not in closed and 'data-testid="answers-form"' not in closed
