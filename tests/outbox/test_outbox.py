"""The outbox: an email queued with its claim is sent once, retried while the server fails, handed on when its
worker dies, failed with its reason after the last attempt — and never sent twice."""

import threading
from contextlib import nullcontext
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from outbox import rules, services, tasks
from outbox.models import Email, EmailStatus

from .backends import DYING, LOCMEM, REFUSING, SECOND, HeldBackend, WorkerKilled, at
from .smtp_server import free_port, smtp_server

pytestmark = pytest.mark.django_db


def queue(dealer, capture, *, to="manager@example.com", subject="Complaint log", send=True):
    """Queue one email in a transaction that commits; its send task runs after commit unless ``send`` is False."""
    no_worker = nullcontext() if send else patch.object(tasks.email_send, "delay")
    with no_worker, tenant_scope(TenantScope.for_dealer(dealer)), capture(execute=True), transaction.atomic():
        return services.email_queue(dealer=dealer, to=to, subject=subject, body="Open: 3", purpose="test")


def reloaded(email) -> Email:
    with unscoped():
        return Email.objects.select_related("dealer").get(pk=email.pk)


def sweep(moment) -> int:
    with at(moment):
        return tasks.emails_sweep.delay().get()


def test_an_email_is_sent_after_commit_and_marked_sent(dealer, django_capture_on_commit_callbacks):
    email = queue(dealer, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["manager@example.com"] and message.subject == "Complaint log"
    email = reloaded(email)
    assert email.status == EmailStatus.SENT and email.attempts == 1
    assert email.delivery_note.startswith("Sent at ")


def test_an_email_queued_in_a_transaction_that_rolls_back_is_neither_kept_nor_sent(
        dealer, django_capture_on_commit_callbacks):
    with pytest.raises(RuntimeError), tenant_scope(TenantScope.for_dealer(dealer)), \
            django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.email_queue(dealer=dealer, to="manager@example.com", subject="Log", body="…", purpose="test")
        raise RuntimeError("the claim failed after the email was queued")
    with unscoped():
        assert not Email.objects.exists()
    assert mail.outbox == []


def test_a_send_task_run_again_after_success_sends_nothing(dealer, django_capture_on_commit_callbacks):
    email = queue(dealer, django_capture_on_commit_callbacks)
    assert tasks.email_send.delay(dealer.pk, email.pk).get() is False  # a redelivered or duplicated task
    assert tasks.email_send.delay(dealer.pk, email.pk).get() is False
    assert sweep(timezone.now() + timedelta(days=1)) == 0
    assert len(mail.outbox) == 1


def test_a_failing_server_is_retried_with_growing_waits_and_the_email_fails_with_its_reason_at_last(
        dealer, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    start = timezone.now()
    with at(start):
        email = queue(dealer, django_capture_on_commit_callbacks)
    email = reloaded(email)
    assert email.status == EmailStatus.PENDING and email.attempts == 1
    assert email.delivery_note.startswith(
        "Not yet sent: retrying (1 attempt, last error: SMTPServerDisconnected: Connection unexpectedly closed)")

    # Not due yet: the sweeper leaves it alone.
    assert sweep(email.next_attempt_at - SECOND) == 0
    assert reloaded(email).attempts == 1

    waits, tried_at = [], start
    while (email := reloaded(email)).status == EmailStatus.PENDING:
        waits.append(email.next_attempt_at - tried_at)
        tried_at = email.next_attempt_at
        assert sweep(tried_at) == 1
    assert waits == [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16, 32, 60)]
    assert email.status == EmailStatus.FAILED and email.attempts == rules.MAX_ATTEMPTS
    assert email.delivery_note == ("Failed after 8 attempts: SMTPServerDisconnected: "
                                   "Connection unexpectedly closed")
    assert mail.outbox == []

    # Failed is final: the server coming back does not resend it behind anyone's back.
    settings.EMAIL_BACKEND = LOCMEM
    assert sweep(tried_at + timedelta(days=1)) == 0
    assert tasks.email_send.delay(dealer.pk, email.pk).get() is False
    assert mail.outbox == [] and reloaded(email).status == EmailStatus.FAILED


def test_an_email_retried_after_the_server_is_back_is_sent_exactly_once(
        dealer, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    email = queue(dealer, django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = LOCMEM
    due = reloaded(email).next_attempt_at
    assert sweep(due) == 1
    assert sweep(due + timedelta(minutes=1)) == 0
    assert tasks.email_send.delay(dealer.pk, email.pk).get() is False
    assert len(mail.outbox) == 1
    email = reloaded(email)
    assert email.status == EmailStatus.SENT and email.attempts == 2


def test_a_worker_dying_mid_send_leaves_the_email_to_the_sweeper_once_its_lease_has_expired(
        dealer, settings, django_capture_on_commit_callbacks):
    email = queue(dealer, django_capture_on_commit_callbacks, send=False)  # the worker below runs the send
    settings.EMAIL_BACKEND = DYING
    with pytest.raises(WorkerKilled), tenant_scope(TenantScope.for_dealer(dealer)):
        services.email_send(email_id=email.pk)
    email = reloaded(email)
    assert email.status == EmailStatus.SENDING and email.delivery_note == "Sending (attempt 1)"

    settings.EMAIL_BACKEND = LOCMEM
    # While the lease holds, a live worker might still be talking to the server: nobody else sends.
    assert sweep(email.lease_until - SECOND) == 0
    assert tasks.email_send.delay(dealer.pk, email.pk).get() is False
    assert mail.outbox == []
    # Once it has expired, the sweeper hands the email on and it goes out.
    assert sweep(email.lease_until + SECOND) == 1
    assert len(mail.outbox) == 1
    email = reloaded(email)
    assert email.status == EmailStatus.SENT and email.attempts == 2
    assert "lease expired" in email.last_error


def test_a_worker_dying_on_the_last_attempt_ends_failed_with_that_reason(
        dealer, settings, django_capture_on_commit_callbacks):
    email = queue(dealer, django_capture_on_commit_callbacks, send=False)
    with unscoped():
        Email.objects.filter(pk=email.pk).update(attempts=rules.MAX_ATTEMPTS - 1)
    settings.EMAIL_BACKEND = DYING
    with pytest.raises(WorkerKilled), tenant_scope(TenantScope.for_dealer(dealer)):
        services.email_send(email_id=email.pk)
    settings.EMAIL_BACKEND = LOCMEM
    assert sweep(reloaded(email).lease_until + SECOND) == 0
    email = reloaded(email)
    assert email.status == EmailStatus.FAILED
    assert email.delivery_note.startswith("Failed after 8 attempts: The worker stopped while sending")
    assert mail.outbox == []


def test_when_the_broker_cannot_take_the_send_the_email_waits_for_the_sweeper(
        dealer, django_capture_on_commit_callbacks):
    with patch.object(tasks.email_send, "delay", side_effect=OperationalError("Connection refused")):
        email = queue(dealer, django_capture_on_commit_callbacks)  # the claim's transaction is not failed for it
    email = reloaded(email)
    assert email.status == EmailStatus.PENDING and email.attempts == 0
    assert email.delivery_note.startswith("Not yet sent: queued at ")
    assert sweep(timezone.now()) == 1
    assert len(mail.outbox) == 1 and reloaded(email).status == EmailStatus.SENT


def test_an_inactive_dealers_email_is_not_swept(dealer, django_capture_on_commit_callbacks):
    with patch.object(tasks.email_send, "delay", side_effect=OperationalError("Connection refused")):
        queue(dealer, django_capture_on_commit_callbacks)
    with unscoped():
        type(dealer).objects.filter(pk=dealer.pk).update(is_active=False)
    assert sweep(timezone.now()) == 0
    assert mail.outbox == []


def test_the_admin_lists_a_networks_emails_with_their_status_and_nobody_elses(
        client, dealer, foreign_dealer, network_admin, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    queue(dealer, django_capture_on_commit_callbacks, subject="Complaint log AUR-1")
    queue(foreign_dealer, django_capture_on_commit_callbacks, subject="Complaint log FOREIGN-1")
    client.force_login(network_admin)
    page = client.get(reverse("admin:outbox_email_changelist"), {"status__exact": EmailStatus.PENDING})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Complaint log AUR-1" in text and "Not yet sent: retrying (1 attempt" in text
    assert "FOREIGN-1" not in text
    assert client.get(reverse("admin:outbox_email_changelist"),
                      {"status__exact": EmailStatus.SENT}).content.decode().count("Complaint log AUR-1") == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sends_of_one_email_send_it_once(dealer, settings, django_capture_on_commit_callbacks):
    email = queue(dealer, django_capture_on_commit_callbacks, send=False)
    settings.EMAIL_BACKEND = "tests.outbox.backends.HeldBackend"
    HeldBackend.entered.clear()
    HeldBackend.release.clear()
    start, finished = threading.Barrier(2), threading.Semaphore(0)
    results = []

    def worker():
        try:
            start.wait(timeout=30)
            results.append(tasks.email_send.apply(args=(dealer.pk, email.pk)).get())
        finally:
            connection.close()
            finished.release()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    # One worker is inside the SMTP conversation with the email; the other has already given up on it.
    assert HeldBackend.entered.wait(timeout=30)
    assert finished.acquire(timeout=30)
    assert results == [False]
    HeldBackend.release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1
    assert reloaded(email).status == EmailStatus.SENT


def test_over_real_smtp_a_server_that_is_down_is_retried_and_the_email_delivered_once_it_is_up(
        dealer, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens there yet
    email = queue(dealer, django_capture_on_commit_callbacks, to="manager@example.com")
    email = reloaded(email)
    assert email.status == EmailStatus.PENDING
    assert email.last_error.startswith("ConnectionRefusedError")
    with smtp_server(settings.EMAIL_PORT) as server:
        assert sweep(email.next_attempt_at) == 1
        assert sweep(email.next_attempt_at + timedelta(hours=1)) == 0
    assert [message["to"] for message in server.received] == [["manager@example.com"]]
    assert "Subject: Complaint log" in server.received[0]["data"]
    assert reloaded(email).status == EmailStatus.SENT


def test_a_network_admin_can_send_a_failed_email_again_once_the_cause_is_fixed(
        client, dealer, network_admin, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    failed = queue(dealer, django_capture_on_commit_callbacks)
    sent = queue(dealer, django_capture_on_commit_callbacks, subject="Another")
    with unscoped():
        Email.objects.filter(pk=failed.pk).update(status=EmailStatus.FAILED, attempts=rules.MAX_ATTEMPTS)
        Email.objects.filter(pk=sent.pk).update(status=EmailStatus.SENT)
    settings.EMAIL_BACKEND = LOCMEM
    client.force_login(network_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:outbox_email_changelist"),
                               {"action": "retry", "_selected_action": [failed.pk, sent.pk]}, follow=True)
    assert "1 failed email will be sent again." in response.content.decode()
    assert [message.subject for message in mail.outbox] == ["Complaint log"]  # the sent one is not sent again
    failed = reloaded(failed)
    assert failed.status == EmailStatus.SENT and failed.attempts == 1
