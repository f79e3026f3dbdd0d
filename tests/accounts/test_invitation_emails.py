"""Invitation and role-notice emails are never lost and never a 500: a failing mail server or a broker that is
down leaves the invitation saved and shown as retrying; the sweeper sends it once; after the last attempt it is
failed with its reason and can be sent again. Only the link in the latest email works."""

import re
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services, tasks
from accounts.models import Invitation, InvitationKind
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from outbox import rules
from outbox.models import EmailStatus
from tests.background import celery_through
from tests.outbox.backends import DYING, LOCMEM, REFUSING, SECOND, WorkerKilled, at

pytestmark = pytest.mark.django_db


def sweep(moment) -> int:
    with at(moment):
        return tasks.invitation_emails_sweep.delay().get()


def invite(client, network, capture, **data):
    payload = {"email": "new.advisor@example.com", "full_name": "Nuevo Asesor", "role": "service_advisor"}
    payload.update(data)
    with capture(execute=True):
        return client.post(reverse("invitation_list", args=[network.slug]), payload)


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/invitation/[^\s]+/)", message.body).group(1)


def the_invitation() -> Invitation:
    with unscoped():
        return Invitation.objects.get()


def invitations_page(client, network) -> str:
    return client.get(reverse("invitation_list", args=[network.slug])).content.decode()


@pytest.fixture
def admin_client(client, network_admin):
    client.force_login(network_admin)
    return client


def test_an_invitation_made_while_the_mail_server_fails_is_saved_and_shown_as_retrying(
        admin_client, network, dealer, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = REFUSING
    response = invite(admin_client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    assert response.status_code == 302
    invitation = the_invitation()
    assert invitation.email_status == EmailStatus.PENDING and invitation.email_attempts == 1
    assert invitation.email_last_error.startswith("SMTPServerDisconnected")
    page = invitations_page(admin_client, network)
    assert "Invitation saved for new.advisor@example.com; the email is on its way." in page
    assert "Not yet sent: retrying (1 attempt, last error: SMTPServerDisconnected" in page
    assert mail.outbox == []


def test_the_sweeper_sends_a_failed_invitation_later_once_and_its_link_works(
        client, network_admin, network, dealer, settings, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    settings.EMAIL_BACKEND = REFUSING
    invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    settings.EMAIL_BACKEND = LOCMEM
    assert sweep(timezone.now()) == 0  # not due yet: the first retry waits a minute
    later = timezone.now() + rules.FIRST_RETRY + SECOND
    assert sweep(later) == 1
    assert sweep(later + SECOND) == 0
    assert len(mail.outbox) == 1
    invitation = the_invitation()
    assert invitation.email_status == EmailStatus.SENT and invitation.email_attempts == 2
    assert "Sent at " in invitations_page(client, network)
    client.logout()
    assert client.get(link_in(mail.outbox[0])).status_code == 200


def test_a_send_task_delivered_again_after_success_sends_nothing_and_the_link_keeps_working(
        client, network_admin, network, dealer, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    invitation = the_invitation()
    assert tasks.invitation_email_send.delay(network.pk, invitation.pk).get() is False
    assert sweep(timezone.now() + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1
    client.logout()
    assert client.get(link_in(mail.outbox[0])).status_code == 200


def test_a_send_started_while_another_holds_the_invitation_sends_nothing(
        client, network_admin, network, dealer, settings, django_capture_on_commit_callbacks):
    """Two sends never mail two different links: the second finds the row claimed and leaves it."""
    second_send = []

    class ReenteringBackend(mail.backends.locmem.EmailBackend):
        def send_messages(self, messages):
            second_send.append(services.invitation_email_send(invitation_id=the_invitation().pk))
            return super().send_messages(messages)

    with patch("django.core.mail.backends.locmem.EmailBackend", ReenteringBackend):
        client.force_login(network_admin)
        invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    assert second_send == [False]
    assert len(mail.outbox) == 1
    client.logout()
    assert client.get(link_in(mail.outbox[0])).status_code == 200


def test_after_the_last_attempt_the_invitation_is_failed_with_its_reason_and_send_again_sends_it(
        client, network_admin, network, dealer, settings, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    settings.EMAIL_BACKEND = REFUSING
    invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    moment = timezone.now()
    for attempt in range(2, rules.MAX_ATTEMPTS + 1):
        moment += rules.retry_delay(attempt - 1) + SECOND
        assert sweep(moment) == 1
    invitation = the_invitation()
    assert invitation.email_status == EmailStatus.FAILED and invitation.email_attempts == rules.MAX_ATTEMPTS
    assert sweep(moment + timedelta(hours=2)) == 0  # failed is final until someone decides otherwise
    page = invitations_page(client, network)
    assert "Failed after 8 attempts: SMTPServerDisconnected: Connection unexpectedly closed" in page
    assert "Send again" in page

    settings.EMAIL_BACKEND = LOCMEM
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitation_send_again", args=[network.slug, invitation.pk]), follow=True)
    assert "will be sent again, with a new link" in response.content.decode()
    assert len(mail.outbox) == 1
    assert the_invitation().email_status == EmailStatus.SENT
    client.logout()
    assert client.get(link_in(mail.outbox[0])).status_code == 200


def test_send_again_mails_a_new_link_and_the_earlier_one_stops_working(
        client, network_admin, network, dealer, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    invitation = the_invitation()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitation_send_again", args=[network.slug, invitation.pk]))
    first, second = (link_in(message) for message in mail.outbox)
    assert first != second
    client.logout()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_a_withdrawn_invitation_cannot_be_sent_again(
        client, network_admin, network, dealer, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    invitation = the_invitation()
    client.post(reverse("invitation_revoke", args=[network.slug, invitation.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitation_send_again", args=[network.slug, invitation.pk]), follow=True)
    assert "cannot be sent again" in response.content.decode()
    assert len(mail.outbox) == 1


def test_send_again_checks_the_network(client, network_admin, network, dealer, other_network,
                                       django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    invitation = the_invitation()
    response = client.post(reverse("invitation_send_again", args=[other_network.slug, invitation.pk]))
    assert response.status_code == 404


def test_only_network_admins_may_send_again(client, network_admin, hq, advisor, network, dealer,
                                            django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    url = reverse("invitation_send_again", args=[network.slug, the_invitation().pk])
    client.force_login(hq)
    assert client.post(url).status_code == 403
    client.force_login(advisor)
    assert client.post(url).status_code == 404
    assert len(mail.outbox) == 1


def test_an_invitation_made_while_the_broker_is_down_is_saved_and_the_sweeper_sends_it(
        client, network_admin, network, dealer, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    with celery_through("redis://127.0.0.1:1/0"):  # nothing listens there
        response = invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    assert response.status_code == 302
    invitation = the_invitation()
    assert invitation.email_status == EmailStatus.PENDING and invitation.email_attempts == 0
    assert "Not yet sent: on its way" in invitations_page(client, network)
    assert mail.outbox == []
    assert sweep(timezone.now()) == 1
    assert len(mail.outbox) == 1
    client.logout()
    assert client.get(link_in(mail.outbox[0])).status_code == 200


def test_a_worker_dying_mid_send_leaves_the_invitation_to_the_sweeper_once_its_lease_has_expired(
        client, network_admin, network, dealer, settings, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    with patch.object(tasks.invitation_email_send, "apply_async"):  # the worker below runs the send
        invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    settings.EMAIL_BACKEND = DYING
    with pytest.raises(WorkerKilled), tenant_scope(TenantScope.for_network(network.pk)):
        services.invitation_email_send(invitation_id=the_invitation().pk)
    assert the_invitation().email_status == EmailStatus.SENDING
    assert "Sending (attempt 1)" in invitations_page(client, network)
    settings.EMAIL_BACKEND = LOCMEM
    assert sweep(timezone.now() + rules.LEASE - SECOND) == 0  # the worker may still be alive
    assert sweep(timezone.now() + rules.LEASE + SECOND) == 1
    assert len(mail.outbox) == 1 and the_invitation().email_status == EmailStatus.SENT


def test_an_expired_invitation_is_not_sent(client, network_admin, network, dealer, settings,
                                           django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    settings.EMAIL_BACKEND = REFUSING
    invite(client, network, django_capture_on_commit_callbacks, dealer=dealer.pk)
    settings.EMAIL_BACKEND = LOCMEM
    assert sweep(timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS, minutes=1)) == 0
    assert mail.outbox == []


def test_an_existing_accounts_invitation_that_could_not_be_sent_is_retried_like_any_other(
        client, network_admin, network, advisor, other_dealer, settings, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    settings.EMAIL_BACKEND = REFUSING
    response = invite(client, network, django_capture_on_commit_callbacks, email="advisor@example.com",
                      dealer=other_dealer.pk)
    assert response.status_code == 302
    invitation = the_invitation()
    assert invitation.kind == InvitationKind.INVITATION and invitation.email_status == EmailStatus.PENDING
    page = invitations_page(client, network)
    assert "Invitation saved for advisor@example.com; the email is on its way." in page
    assert "Not yet sent: retrying" in page
    settings.EMAIL_BACKEND = LOCMEM
    assert sweep(timezone.now() + rules.FIRST_RETRY + SECOND) == 1
    assert [message.to for message in mail.outbox] == [["advisor@example.com"]]
    assert "Accept or Decline" in mail.outbox[0].body and link_in(mail.outbox[0])


def test_a_password_reset_while_the_mail_server_fails_answers_the_form_with_a_message(client, advisor, settings):
    settings.EMAIL_BACKEND = REFUSING
    response = client.post(reverse("account_reset_password"), {"email": "advisor@example.com"})
    assert response.status_code == 503
    page = response.content.decode()
    assert "We could not send the email right now; try again in a few minutes." in page
    assert 'name="email"' in page  # the form again, to try once the server is back


def test_a_password_reset_that_sends_still_says_so(client, advisor):
    response = client.post(reverse("account_reset_password"), {"email": "advisor@example.com"})
    assert response.status_code == 302 and response.url == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1


def test_a_password_reset_for_an_unknown_address_answers_the_same_while_the_mail_server_fails(client, db, settings):
    """allauth mails unknown addresses too, so the failure message tells nobody whether an account exists."""
    settings.EMAIL_BACKEND = REFUSING
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 503
    assert "We could not send the email right now; try again in a few minutes." in response.content.decode()
