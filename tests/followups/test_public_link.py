"""The customer answers online through a signed, single-use, expiring link."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation

from complaints.models import Complaint
from dealer_portal.tenancy.scoping import unscoped
from followups.models import CallAnswer, FollowUpCall
from followups.services import answer_link_token
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db
ANSWERS = {"overall": "4", "work_done_right": "yes", "ready_when_promised": "yes", "would_recommend": "yes"}


@pytest.fixture
def call(in_dealer, make_job):
    job = walk_to(make_job(), "handover")
    job.customer.email, job.customer.language = "cliente@example.com", "es"
    job.customer.save()
    return FollowUpCall.objects.select_related("customer").get(service_job=job)


def test_the_representative_emails_the_link_and_the_customer_answers_in_their_language(
        client, representative, dealer, call, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(representative)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("followup_send_link", args=[dealer.network.slug, dealer.code, call.pk]))
    assert mailoutbox[0].to == ["cliente@example.com"]
    path = re.search(r"http://testserver(/answer/[^\s]+/)", mailoutbox[0].body).group(1)
    client.logout()
    page = client.get(path)
    assert page.status_code == 200 and '<html lang="es">' in page.content.decode()
    done = client.post(path, {**ANSWERS, "comments": "Muy bien"})
    with translation.override("es"):
        thanks = translation.gettext("Thank you! Your answers were received.")
    assert thanks != "Thank you! Your answers were received."  # the Spanish catalogue has it
    assert done.status_code == 200 and thanks in done.content.decode()
    with unscoped():
        answer = CallAnswer.objects.get()
        assert (answer.via, answer.call.status, answer.comments) == ("online", "reached", "Muy bien")


def test_a_used_link_records_nothing_more(client, call):
    path = reverse("followup_public_answer", args=[answer_link_token(call)])
    client.post(path, ANSWERS)
    again = client.post(path, {**ANSWERS, "overall": "1"})
    assert again.status_code == 410
    with unscoped():
        assert CallAnswer.objects.count() == 1 and not Complaint.objects.exists()


def test_an_expired_link_is_refused_politely(client, call):
    token = answer_link_token(call)
    later = timezone.now() + timedelta(days=8)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = client.get(reverse("followup_public_answer", args=[token]))
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_tampered_or_foreign_link_is_refused_and_records_nothing(client, call):
    tampered = answer_link_token(call)[:-2] + "xx"
    other_salt = signing.TimestampSigner(salt="accounts.invitation").sign(str(call.pk))
    for token in (tampered, other_salt, "garbage"):
        response = client.post(reverse("followup_public_answer", args=[token]), ANSWERS)
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()
    with unscoped():
        assert not CallAnswer.objects.exists()


def test_a_dissatisfied_online_answer_opens_a_complaint(client, call):
    client.post(reverse("followup_public_answer", args=[answer_link_token(call)]),
                {**ANSWERS, "overall": "1", "comments": "Pésimo servicio"})
    with unscoped():
        complaint = Complaint.objects.get()
    assert (complaint.words, complaint.channel) == ("Pésimo servicio", "follow_up_call")


def test_a_bad_score_online_is_a_form_error(client, call):
    response = client.post(reverse("followup_public_answer", args=[answer_link_token(call)]),
                           {**ANSWERS, "overall": "0"})
    assert response.status_code == 400
    with unscoped():
        assert not CallAnswer.objects.exists()
