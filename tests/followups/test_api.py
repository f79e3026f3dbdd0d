"""/api/v1/followups/ and /api/v1/questionnaires/: scoped, with attempts and answers."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.urls import reverse
from django.utils import timezone

from dealer_portal.tenancy.scoping import unscoped
from followups.models import CallAnswer, FollowUpCall, Questionnaire
from outbox.models import Email, EmailStatus
from outbox.tasks import emails_sweep
from tests.cross_tenant import assert_not_found_for
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(in_dealer, make_job):
    job = walk_to(make_job(), "handover")
    call = FollowUpCall.objects.get(service_job=job)
    # Due today at the dealer, so it sits in the representative's list.
    FollowUpCall.objects.filter(pk=call.pk).update(window_start=timezone.localdate(timezone=job.dealer.zone))
    return FollowUpCall.objects.get(pk=call.pk)


def test_list_by_due_state_then_attempt_and_answer(api_as, representative, call):
    api = api_as(representative)
    due = api.get(reverse("followup-list"), {"due": "due_today"}).json()
    assert [c["id"] for c in due["results"]] == [call.pk]
    assert api.get(reverse("followup-list"), {"due": "sometime"}).status_code == 400
    attempt = api.post(reverse("followup-attempts", args=[call.pk]), {"outcome": "voicemail"}, format="json")
    assert attempt.status_code == 201 and attempt.json()["status"] == "attempted"
    callback = api.post(reverse("followup-attempts", args=[call.pk]), {"outcome": "call_back"}, format="json")
    assert callback.json()["errors"]["callback_at"]
    bad = api.post(reverse("followup-answers", args=[call.pk]), {
        "overall": 7, "work_done_right": True, "ready_when_promised": True, "would_recommend": True}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"]["overall"]
    answered = api.post(reverse("followup-answers", args=[call.pk]), {
        "overall": 1, "work_done_right": False, "ready_when_promised": False, "would_recommend": False,
        "comments": "Me lo entregaron tarde y sucio"}, format="json")
    assert answered.status_code == 201
    assert answered.json()["dissatisfied"] and answered.json()["complaint"]
    again = api.post(reverse("followup-answers", args=[call.pk]), {
        "overall": 5, "work_done_right": True, "ready_when_promised": True, "would_recommend": True}, format="json")
    assert again.status_code == 400 and "This call is closed" in again.json()["errors"]["call"][0]
    with unscoped():
        assert CallAnswer.objects.count() == 1


def test_a_part_of_the_list_is_paged_like_the_whole_list(api_as, representative, call):
    api = api_as(representative)
    due = api.get(reverse("followup-list"), {"due": "due_today"}).json()
    assert ([row["id"] for row in due["results"]], due["next"], due["previous"]) == ([call.pk], None, None)
    assert "count" not in due  # pages by cursor: nothing counts the rows
    for cursor in ("false", "0", "", "bm90IG91cnM="):
        refused = api.get(reverse("followup-list"), {"due": "due_today", "cursor": cursor})
        assert refused.status_code == 400 and refused.json()["errors"]["cursor"], cursor


def test_the_questionnaire_is_the_callers_networks(api_as, advisor, network, other_network):
    Questionnaire.objects.create(network=network, dissatisfied_at_or_below=3)
    Questionnaire.objects.create(network=other_network)
    body = api_as(advisor).get(reverse("questionnaire-list")).json()["results"]
    assert [(q["network"], q["dissatisfied_at_or_below"]) for q in body] == [(network.pk, 3)]
    assert [q["name"] for q in body[0]["questions"]][0] == "overall"


def test_a_network_threshold_decides_what_is_dissatisfied(api_as, representative, call, network):
    Questionnaire.objects.create(network=network, dissatisfied_at_or_below=3, work_not_right_is_dissatisfied=False)
    answered = api_as(representative).post(reverse("followup-answers", args=[call.pk]), {
        "overall": 3, "work_done_right": True, "ready_when_promised": True, "would_recommend": True},
        format="json")
    assert answered.json()["dissatisfied"] is True


def test_other_dealers_calls_are_404(api_as, call, neighbour, outsider):
    for user in (neighbour, outsider):
        assert_not_found_for(user, api=[reverse("followup-detail", args=[call.pk])])
        for name, body in (("followup-attempts", {"outcome": "no_answer"}),
                           ("followup-answers", {"overall": 5, "work_done_right": True, "ready_when_promised": True,
                                                 "would_recommend": True})):
            assert api_as(user).post(reverse(name, args=[call.pk]), body, format="json").status_code == 404
        assert api_as(user).get(reverse("followup-list"), {"due": "due_today"}).json()["results"] == []
    with unscoped():
        assert FollowUpCall.objects.get(pk=call.pk).status == "scheduled"


@pytest.mark.parametrize("callback_at", ["2999-01-01T10:00", "9999-12-31T23:59:59", "0001-01-01T00:00"])
def test_a_callback_beyond_the_calls_window_or_off_the_calendar_is_refused_on_its_field(api_as, representative,
                                                                                        call, callback_at):
    response = api_as(representative).post(reverse("followup-attempts", args=[call.pk]),
                                           {"outcome": "call_back", "callback_at": callback_at}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["callback_at"]
    with unscoped():
        assert (FollowUpCall.objects.get(pk=call.pk).status, call.attempts.count()) == ("scheduled", 0)


def test_the_page_refuses_a_callback_after_the_window_closes(client, representative, dealer, call):
    client.force_login(representative)
    response = client.post(reverse("followup_attempt", args=[dealer.network.slug, dealer.code, call.pk, "call_back"]),
                           {"callback_at": "2150-01-01T10:00"})  # after the window, yet a plausible year
    assert response.status_code == 400 and "window" in response.content.decode()
    with unscoped():
        assert call.attempts.count() == 0


def test_answer_comments_longer_than_the_page_allows_are_refused_on_their_field(api_as, representative, call):
    response = api_as(representative).post(reverse("followup-answers", args=[call.pk]), {
        "overall": 5, "work_done_right": True, "ready_when_promised": True, "would_recommend": True,
        "comments": "Muy bien. " * 501}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["comments"]
    with unscoped():
        assert not CallAnswer.objects.exists()
        assert FollowUpCall.objects.get(pk=call.pk).status == "scheduled"


def test_the_api_emails_the_answer_link_as_the_page_does(api_as, representative, call, neighbour, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    api = api_as(representative)
    with django_capture_on_commit_callbacks(execute=True):
        sent = api.post(reverse("followup-send-link", args=[call.pk]), format="json")
    assert sent.status_code == 202 and sent.json() == {"sent_to": call.customer.email}
    assert mailoutbox[0].to == [call.customer.email] and "http://testserver/answer/" in mailoutbox[0].body
    with unscoped():
        call.customer.email = ""
        call.customer.save()
    refused = api.post(reverse("followup-send-link", args=[call.pk]), format="json")
    assert refused.status_code == 400 and refused.json()["errors"]["call"] == [
        "The customer has no email address on record."]
    assert api_as(neighbour).post(reverse("followup-send-link", args=[call.pk]), format="json").status_code == 404
    assert len(mailoutbox) == 1


def test_another_networks_questionnaire_is_not_found(api_as, advisor, other_network):
    theirs = Questionnaire.objects.create(network=other_network)
    assert api_as(advisor).get(reverse("questionnaire-detail", args=[theirs.pk])).status_code == 404


def test_the_answer_link_asked_for_while_the_mail_server_is_down_is_accepted_and_sent_once_it_is_back(
        api_as, representative, call, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        sent = api_as(representative).post(reverse("followup-send-link", args=[call.pk]), format="json")
    assert sent.status_code == 202 and mailoutbox == []
    with unscoped():
        [email] = Email.objects.filter(purpose="followups-answer-link")
    assert email.to == call.customer.email and email.status == EmailStatus.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for moment in (email.next_attempt_at, email.next_attempt_at + timedelta(hours=1)):
        with patch("django.utils.timezone.now", return_value=moment):
            emails_sweep.delay()
    assert [m.to for m in mailoutbox] == [[call.customer.email]] and "/answer/" in mailoutbox[0].body
