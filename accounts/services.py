"""Writes on accounts: inviting people and accepting invitations."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from dealer_portal.tenancy.services import membership_grant, membership_validate

from .models import Invitation, InvitationStatus, User, hash_token


class InvitationUnusable(Exception):
    """The link is unknown, used, revoked or expired."""

    def __init__(self, message: str, *, known: bool):
        super().__init__(message)
        self.message = message
        self.known = known


def _send_email(*, to: str, subject: str, template: str, context: dict) -> None:
    body = render_to_string(template, context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


@transaction.atomic
def invitation_create(*, network, invited_by, email: str, role: str, full_name: str = "", region=None,
                      dealer=None, department: str = "", accept_url_builder) -> Invitation | None:
    """Invite someone to a role in ``network``.

    Side effects: an email after commit — a one-time set-password link for a new person, or a notice
    for someone who already has an account (their membership is granted at once; returns None).
    """
    email = User.objects.normalize_email(email).lower()
    membership_validate(network=network, role=role, dealer=dealer, region=region, department=department)
    existing_user = User.objects.filter(email__iexact=email).first()
    if existing_user is not None:
        membership_grant(user=existing_user, network=network, role=role, dealer=dealer, region=region,
                         department=department)
        context = {"network": network, "user": existing_user, "role": role, "place": dealer or region or network}
        transaction.on_commit(lambda: _send_email(
            to=email, subject=_("You have a new role in %(network)s") % {"network": network.name},
            template="accounts/email/membership_granted.txt", context=context,
        ))
        return None
    if Invitation.objects.filter(email__iexact=email, status=InvitationStatus.PENDING,
                                 expires_at__gt=timezone.now()).exists():
        raise ValidationError({"email": _("This person already has a pending invitation; revoke it first.")})
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        network=network, email=email, full_name=full_name, role=role, region=region, dealer=dealer,
        department=department or "", token_hash=hash_token(token), invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    context = {"invitation": invitation, "accept_url": accept_url_builder(token), "network": network,
               "valid_days": settings.INVITATION_VALID_DAYS}
    transaction.on_commit(lambda: _send_email(
        to=email, subject=_("Your invitation to %(network)s") % {"network": network.name},
        template="accounts/email/invitation.txt", context=context,
    ))
    return invitation


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link stands for, or InvitationUnusable saying why not.

    Read outside any tenant scope on purpose: the unguessable token is the credential.
    """
    with unscoped():
        invitation = (Invitation.objects.select_related("network", "dealer", "region")
                      .filter(token_hash=hash_token(token)).first())
    if invitation is None:
        raise InvitationUnusable(_("This invitation link is not valid. Check that you copied all of it, "
                                   "or ask your network admin for a new one."), known=False)
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationUnusable(_("This invitation has already been used. Log in with the email address "
                                   "it was sent to, or reset your password."), known=True)
    if invitation.status == InvitationStatus.REVOKED:
        raise InvitationUnusable(_("This invitation was withdrawn. Ask your network admin for a new one."),
                                 known=True)
    if not invitation.is_usable:
        raise InvitationUnusable(_("This invitation has expired. Ask your network admin to send a new one."),
                                 known=True)
    return invitation


def invitation_accept(*, token: str, password: str, full_name: str = "") -> User:
    """Create the invited person's account with ``password`` and grant the invited membership.

    Side effects: marks the invitation accepted; a second use of the same link is refused.
    """
    invitation = invitation_for_token(token)
    with tenant_scope(TenantScope.for_network(invitation.network_id)), transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING,
                                            expires_at__gt=timezone.now()).update(
            status=InvitationStatus.ACCEPTED, accepted_at=timezone.now())
        if claimed != 1:
            raise InvitationUnusable(_("This invitation has already been used."), known=True)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationUnusable(_("An account with this email address already exists. Log in instead."),
                                     known=True)
        user = User.objects.create_user(invitation.email, password,
                                        full_name=full_name or invitation.full_name)
        membership_grant(user=user, network=invitation.network, role=invitation.role, dealer=invitation.dealer,
                         region=invitation.region, department=invitation.department)
        Invitation.objects.filter(pk=invitation.pk).update(accepted_user=user)
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    """Withdraw a pending invitation; its link stops working at once."""
    Invitation.objects.filter(pk=invitation.pk, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.REVOKED)


def invitations_expire(*, now=None) -> int:
    """Mark every pending invitation past its date as expired; returns how many (network-wide sweep)."""
    now = now or timezone.now()
    with unscoped():
        return Invitation.objects.filter(status=InvitationStatus.PENDING, expires_at__lte=now).update(
            status=InvitationStatus.EXPIRED)
