"""Inviting an address that already has an account: the admin is told exactly what they are told for a new
address; the account gets an invitation it must accept, logged in as itself, before any role is granted."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts import services
from accounts.models import Invitation, InvitationStatus
from dealer_portal.tenancy.models import Membership, Role
from dealer_portal.tenancy.scoping import unscoped
from tests import factories

pytestmark = pytest.mark.django_db


def invite(client, network, capture, **data):
    payload = {"email": "new.advisor@example.com", "full_name": "Persona Invitada", "role": "customer_representative"}
    payload.update(data)
    with capture(execute=True):
        return client.post(reverse("invitation_list", args=[network.slug]), payload)


def link_in(message) -> str:
    return re.search(r"http://testserver(/accounts/invitation/[^\s]+/)", message.body).group(1)


def memberships_of(user) -> set:
    with unscoped():
        return set(Membership.objects.filter(user=user).values_list("role", "dealer_id"))


def invitation_to(email: str) -> Invitation:
    with unscoped():
        return Invitation.objects.get(email=email)


@pytest.fixture
def invited_advisor(client, network_admin, network, other_dealer, advisor, django_capture_on_commit_callbacks):
    """The network admin invites the existing advisor as a representative at ``other_dealer``; returns the link."""
    client.force_login(network_admin)
    invite(client, network, django_capture_on_commit_callbacks, email=advisor.email, dealer=other_dealer.pk)
    client.logout()
    return link_in(mail.outbox[-1])


@pytest.fixture
def other_network_admin(other_network):
    user = factories.UserFactory(email="admin@borealis.example.com", is_staff=True)
    factories.MembershipFactory(user=user, network=other_network, role=Role.NETWORK_ADMIN)
    return user


def test_inviting_an_existing_account_answers_exactly_as_inviting_a_new_address(
        client, network_admin, network, dealer, other_dealer, advisor, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    answers = []
    for email in ("new.advisor@example.com", advisor.email):
        response = invite(client, network, django_capture_on_commit_callbacks, email=email, dealer=other_dealer.pk)
        words = [(message.level, str(message).replace(email, "<email>"))
                 for message in get_messages(response.wsgi_request)]
        answers.append((response.status_code, response.headers["Location"], words))
        client.get(response.headers["Location"])  # the admin reads the message
    assert answers[0] == answers[1]
    # The send runs after the request here (on commit), so both say it is on its way; with a quick worker both
    # would say "Invitation sent to <email>.": the words follow the email, never the account.
    assert answers[0][2] == [(25, "Invitation saved for <email>; the email is on its way.")]
    page = client.get(reverse("invitation_list", args=[network.slug])).content.decode()
    for email in ("new.advisor@example.com", advisor.email):
        invitation = invitation_to(email)
        assert re.search(rf'data-testid="invitation-state-{invitation.pk}">Pending<', page)
    assert "already has an account" not in page
    assert memberships_of(advisor) == {(Role.SERVICE_ADVISOR, dealer.pk)}


def test_an_existing_account_gets_no_role_until_it_accepts_and_then_exactly_the_invited_one(
        client, invited_advisor, advisor, dealer, other_dealer, network):
    before = memberships_of(advisor)
    message = mail.outbox[-1]
    assert message.to == [advisor.email]
    offer = ("Aurora Motors invites you to the Dealer Portal as Customer representative "
             "at Aurora Mérida Centro (SUR-001).")
    assert offer in message.body
    assert memberships_of(advisor) == before  # invited, but nothing granted

    client.force_login(advisor)
    page = client.get(invited_advisor)
    assert page.status_code == 200
    assert 'value="accept"' in page.content.decode() and 'value="decline"' in page.content.decode()
    assert memberships_of(advisor) == before  # opening the link grants nothing either

    response = client.post(invited_advisor, {"answer": "accept"}, follow=True)
    assert response.status_code == 200
    welcome = "You accepted: you are now Customer representative at Aurora Mérida Centro (SUR-001)."
    assert welcome in response.content.decode()
    assert memberships_of(advisor) == before | {(Role.CUSTOMER_REPRESENTATIVE, other_dealer.pk)}
    invitation = invitation_to(advisor.email)
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.accepted_user == advisor


def test_accepting_twice_grants_the_role_once(invited_advisor, advisor, other_dealer):
    invitation = invitation_to(advisor.email)
    services.invitation_accept_signed_in(invitation=invitation, user=advisor)
    services.invitation_accept_signed_in(invitation=invitation, user=advisor)
    with unscoped():
        assert Membership.objects.filter(user=advisor, dealer=other_dealer).count() == 1


def test_declining_grants_nothing_and_the_link_then_says_so(client, invited_advisor, advisor, network_admin, network):
    before = memberships_of(advisor)
    client.force_login(advisor)
    response = client.post(invited_advisor, {"answer": "decline"}, follow=True)
    assert "You declined the invitation as Customer representative at Aurora Mérida Centro (SUR-001)." \
        in response.content.decode()
    assert memberships_of(advisor) == before
    services.invitation_decline(invitation=invitation_to(advisor.email), user=advisor)  # idempotent
    assert invitation_to(advisor.email).status == InvitationStatus.DECLINED

    again = client.post(invited_advisor, {"answer": "accept"})
    assert again.status_code == 410
    assert "This invitation was declined." in again.content.decode()
    assert memberships_of(advisor) == before
    client.force_login(network_admin)
    page = client.get(reverse("invitation_list", args=[network.slug])).content.decode()
    assert f'data-testid="invitation-state-{invitation_to(advisor.email).pk}">Declined<' in page


def test_another_account_cannot_accept_someone_elses_invitation(client, invited_advisor, advisor, neighbour):
    before = memberships_of(neighbour)
    client.force_login(neighbour)
    page = client.get(invited_advisor)
    assert page.status_code == 403
    assert ("This invitation is for advisor@example.com, but you are logged in as neighbour@example.com."
            in page.content.decode())
    refused = client.post(invited_advisor, {"answer": "accept"})
    assert refused.status_code == 403
    invitation = invitation_to(advisor.email)
    from_the_list = client.post(reverse("invitation_answer", args=[invitation.pk]), {"answer": "accept"})
    assert from_the_list.status_code == 404
    with pytest.raises(services.InvitationNotYours):
        services.invitation_accept_signed_in(invitation=invitation, user=neighbour)
    assert memberships_of(neighbour) == before
    assert invitation_to(advisor.email).status == InvitationStatus.PENDING


def test_a_logged_out_visitor_of_an_existing_accounts_link_is_asked_to_log_in(client, invited_advisor, advisor,
                                                                              dealer):
    page = client.get(invited_advisor)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Log in as advisor@example.com to accept or decline it." in body
    assert 'name="password1"' not in body and 'value="accept"' not in body
    login = reverse("account_login") + "?" + urlencode({"next": invited_advisor})
    assert f'href="{login}"' in body  # and after logging in, back to this link
    assert memberships_of(advisor) == {(Role.SERVICE_ADVISOR, dealer.pk)}


def test_a_signed_in_person_sees_the_notice_and_answers_from_the_pending_list(
        client, invited_advisor, advisor, other_dealer):
    client.force_login(advisor)
    home = client.get(reverse("profile")).content.decode()
    assert 'data-testid="pending-invitations-notice"' in home
    assert "1 invitation waits for your answer" in home
    listing = client.get(reverse("invitations_pending")).content.decode()
    invitation = invitation_to(advisor.email)
    assert f'data-testid="pending-invitation-{invitation.pk}"' in listing
    assert "Aurora Motors" in listing and "Aurora Mérida Centro" in listing

    client.post(reverse("invitation_answer", args=[invitation.pk]), {"answer": "accept"})
    assert (Role.CUSTOMER_REPRESENTATIVE, other_dealer.pk) in memberships_of(advisor)
    after = client.get(reverse("profile")).content.decode()
    assert 'data-testid="pending-invitations-notice"' not in after
    assert "No invitations wait for your answer." in client.get(reverse("invitations_pending")).content.decode()


def test_an_expired_invitation_cannot_be_answered_and_says_why(client, invited_advisor, advisor, network_admin,
                                                               network, dealer):
    with unscoped():
        Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    invitation = invitation_to(advisor.email)
    client.force_login(advisor)
    link = client.get(invited_advisor)
    assert link.status_code == 410 and "This invitation has expired." in link.content.decode()
    answer = client.post(reverse("invitation_answer", args=[invitation.pk]), {"answer": "accept"})
    assert answer.status_code == 410 and "This invitation has expired." in answer.content.decode()
    assert f'data-testid="pending-invitation-{invitation.pk}"' not in client.get(
        reverse("invitations_pending")).content.decode()
    assert memberships_of(advisor) == {(Role.SERVICE_ADVISOR, dealer.pk)}
    client.force_login(network_admin)
    page = client.get(reverse("invitation_list", args=[network.slug])).content.decode()
    assert f'data-testid="invitation-state-{invitation.pk}">Expired<' in page


def test_a_withdrawn_invitation_cannot_be_accepted(client, invited_advisor, advisor, network_admin, network,
                                                   dealer):
    invitation = invitation_to(advisor.email)
    client.force_login(network_admin)
    client.post(reverse("invitation_revoke", args=[network.slug, invitation.pk]))
    page = client.get(reverse("invitation_list", args=[network.slug])).content.decode()
    assert f'data-testid="invitation-state-{invitation.pk}">Revoked<' in page
    client.force_login(advisor)
    answer = client.post(reverse("invitation_answer", args=[invitation.pk]), {"answer": "accept"})
    assert answer.status_code == 410 and "This invitation was withdrawn." in answer.content.decode()
    assert memberships_of(advisor) == {(Role.SERVICE_ADVISOR, dealer.pk)}


def test_another_networks_admin_can_neither_see_nor_withdraw_nor_resend_the_invitation(
        client, invited_advisor, advisor, other_network_admin, other_network):
    invitation = invitation_to(advisor.email)
    client.force_login(other_network_admin)
    page = client.get(reverse("invitation_list", args=[other_network.slug])).content.decode()
    assert advisor.email not in page
    assert client.post(reverse("invitation_revoke", args=[other_network.slug, invitation.pk])).status_code == 404
    assert client.post(reverse("invitation_send_again", args=[other_network.slug, invitation.pk])).status_code == 404
    assert invitation_to(advisor.email).status == InvitationStatus.PENDING


def test_inviting_an_address_again_updates_its_pending_invitation_instead_of_a_second_one(
        client, network_admin, network, dealer, other_dealer, advisor, django_capture_on_commit_callbacks):
    client.force_login(network_admin)
    first = invite(client, network, django_capture_on_commit_callbacks, email=advisor.email, dealer=other_dealer.pk)
    client.get(first.headers["Location"])  # the admin reads the first answer
    first_link = link_in(mail.outbox[-1])
    response = invite(client, network, django_capture_on_commit_callbacks, email=advisor.email,
                      role="dealer_manager", department="service", dealer=dealer.pk)
    words = [str(message) for message in get_messages(response.wsgi_request)]
    assert words == ["Invitation saved for advisor@example.com; the email is on its way.",
                     "It replaces the invitation still pending for this address: only the link in the newest "
                     "email works."]
    with unscoped():
        assert Invitation.objects.filter(email=advisor.email).count() == 1
    assert invitation_to(advisor.email).role == Role.DEALER_MANAGER
    second_link = link_in(mail.outbox[-1])
    client.force_login(advisor)
    assert client.get(first_link).status_code == 404  # the earlier link stopped working
    client.post(second_link, {"answer": "accept"})
    assert (Role.DEALER_MANAGER, dealer.pk) in memberships_of(advisor)
    assert (Role.CUSTOMER_REPRESENTATIVE, other_dealer.pk) not in memberships_of(advisor)
