"""Network admins invite people; a one-time link sets the password; bad links are refused politely."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services import invitations_expire
from dealer_portal.tenancy.models import Membership
from dealer_portal.tenancy.scoping import unscoped

pytestmark = pytest.mark.django_db


def invite(client, network, **data):
    payload = {"email": "new.advisor@example.com", "full_name": "Nuevo Asesor", "role": "service_advisor"}
    payload.update(data)
    return client.post(reverse("invitation_list", args=[network.slug]), payload)


def accept_path_from_email(message) -> str:
    return re.search(r"http://testserver(/accounts/invitation/[^\s]+/)", message.body).group(1)


@pytest.fixture
def invitation_link(client, network_admin, network, dealer, django_capture_on_commit_callbacks):
    """The network admin invites an advisor to ``dealer``; returns the emailed link's path, logged out."""
    client.force_login(network_admin)
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, network, dealer=dealer.pk)
    client.logout()
    return accept_path_from_email(mail.outbox[-1])


def test_network_admin_invites_an_advisor_who_sets_a_password_and_lands_on_the_board(
        client, network_admin, network, dealer, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, network, dealer=dealer.pk)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.advisor@example.com"]
    path = accept_path_from_email(mail.outbox[0])

    client.logout()
    page = client.get(path)
    assert page.status_code == 200
    assert "new.advisor@example.com" in page.content.decode()
    response = client.post(path, {"full_name": "Nuevo Asesor", "password1": "Taller-Norte-2026",
                                  "password2": "Taller-Norte-2026"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dealer_home", args=[network.slug, dealer.code])
    assert 'data-testid="advisor-board"' in response.content.decode()
    user = User.objects.get(email="new.advisor@example.com")
    assert user.check_password("Taller-Norte-2026")
    with unscoped():
        assert Membership.objects.get(user=user).dealer == dealer


def test_a_used_invitation_link_is_refused(client, invitation_link):
    path = invitation_link
    client.post(path, {"full_name": "A", "password1": "Taller-Norte-2026", "password2": "Taller-Norte-2026"})
    client.logout()
    again = client.get(path)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    repost = client.post(path, {"full_name": "B", "password1": "Other-Passw0rd-1", "password2": "Other-Passw0rd-1"})
    assert repost.status_code == 410
    assert User.objects.get(email="new.advisor@example.com").check_password("Taller-Norte-2026")


def test_an_expired_invitation_link_is_refused(client, invitation_link):
    path = invitation_link
    with unscoped():
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_tampered_invitation_link_is_not_found(client, db):
    response = client.get(reverse("invitation_accept", args=["made-up-token"]))
    assert response.status_code == 404
    assert "not valid" in response.content.decode()


def test_weak_or_mismatched_passwords_are_shown_as_form_errors(client, invitation_link):
    path = invitation_link
    weak = client.post(path, {"full_name": "A", "password1": "123", "password2": "123"})
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    differ = client.post(path, {"full_name": "A", "password1": "Taller-Norte-2026", "password2": "Taller-Sur-2026"})
    assert "The two passwords differ." in differ.content.decode()
    assert client.get(path).status_code == 200  # still usable after the failed attempts


def test_invitation_form_explains_a_role_without_its_place(client, network_admin, network):
    client.force_login(network_admin)
    response = invite(client, network, role="dealer_manager")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This role works at one dealer: choose it." in page
    assert "A dealer manager needs a department." in page
    with unscoped():
        assert not Invitation.objects.exists()


def test_invitation_cannot_name_another_networks_dealer(client, network_admin, network, foreign_dealer):
    client.force_login(network_admin)
    response = invite(client, network, dealer=foreign_dealer.pk)
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    with unscoped():
        assert Invitation.objects.count() == 0


def test_only_network_admins_may_invite(client, hq, advisor, network, other_network, network_admin):
    client.force_login(hq)
    assert client.get(reverse("invitation_list", args=[network.slug])).status_code == 403
    client.force_login(advisor)
    assert client.get(reverse("invitation_list", args=[network.slug])).status_code == 404
    client.force_login(network_admin)
    assert client.get(reverse("invitation_list", args=[other_network.slug])).status_code == 404


def test_withdrawn_invitation_stops_working(client, invitation_link, network_admin, network):
    with unscoped():
        invitation = Invitation.objects.get()
    client.force_login(network_admin)
    client.post(reverse("invitation_revoke", args=[network.slug, invitation.pk]))
    client.logout()
    response = client.get(invitation_link)
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()


def test_expiry_sweep_is_idempotent(network, network_admin):
    with unscoped():
        Invitation.objects.create(network=network, email="late@example.com", role="hq_analyst",
                                  token_hash="x" * 64, expires_at=timezone.now() - timedelta(hours=1))
    assert invitations_expire() == 1
    assert invitations_expire() == 0
