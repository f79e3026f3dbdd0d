"""Writes on accounts: inviting people, sending their emails reliably, and accepting invitations.

An invitation's email is claimed on its own row (``Invitation.email_*``), like the outbox's emails but without
storing the body: the body holds the one-time link, and only the link's hash may be kept. The send mints the
token in the same conditional UPDATE that claims the send, so a link is valid only if its email was attempted,
two sends never mail two different links, and each new email replaces the previous link.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from dealer_portal.tenancy.services import membership_grant, membership_validate
from dealer_portal.tenancy.tasks import BROKER_DOWN_ERRORS, publish
from outbox.models import EmailStatus
from outbox.rules import LEASE, MAX_ATTEMPTS, retry_delay

from . import tasks  # the tasks call back into this module; both refer to each other's names only at call time
from .models import Invitation, InvitationKind, InvitationStatus, User, hash_token

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
ERROR_MAX_LENGTH = 1000


class InvitationUnusable(Exception):
    """The link is unknown, used, revoked or expired."""

    def __init__(self, message: str, *, known: bool):
        super().__init__(message)
        self.message = message
        self.known = known


def _unsendable_token_hash() -> str:
    # A placeholder until the first send mints the real token: the hash of a token nobody ever sees.
    return hash_token(secrets.token_urlsafe(32))


def _email_queue(invitation: Invitation) -> None:
    """After commit, queue the send; if the broker cannot take it, the row stays pending and the sweeper queues it."""

    def send():
        try:
            publish(tasks.invitation_email_send, invitation.network_id, invitation.pk)
        except BROKER_DOWN_ERRORS as error:
            logger.warning("invitation %s: email not queued (%r); the sweeper will", invitation.pk, error)

    transaction.on_commit(send, robust=True)


@transaction.atomic
def invitation_create(*, network, invited_by, email: str, role: str, full_name: str = "", region=None,
                      dealer=None, department: str = "", site_url: str) -> Invitation:
    """Invite someone to a role in ``network``; ``site_url`` is where the emailed link points.

    Side effects: for a new person, a pending invitation whose email (a one-time set-password link) is sent
    after commit; for someone who already has an account, the membership at once and a role-notice row
    (accepted) whose email is sent the same way. Either email is retried, and ends failed visibly.
    """
    email = User.objects.normalize_email(email).lower()
    membership_validate(network=network, role=role, dealer=dealer, region=region, department=department)
    existing_user = User.objects.filter(email__iexact=email).first()
    now = timezone.now()
    common = {"network": network, "email": email, "role": role, "region": region, "dealer": dealer,
              "department": department or "", "invited_by": invited_by, "site_url": site_url,
              "token_hash": _unsendable_token_hash(), "email_next_attempt_at": now}
    if existing_user is not None:
        membership_grant(user=existing_user, network=network, role=role, dealer=dealer, region=region,
                         department=department)
        invitation = Invitation.objects.create(
            **common, kind=InvitationKind.ROLE_NOTICE, full_name=existing_user.full_name,
            status=InvitationStatus.ACCEPTED, accepted_at=now, accepted_user=existing_user, expires_at=now)
    else:
        if Invitation.objects.filter(email__iexact=email, status=InvitationStatus.PENDING,
                                     expires_at__gt=now).exists():
            raise ValidationError({"email": _("This person already has a pending invitation; revoke it first.")})
        invitation = Invitation.objects.create(
            **common, full_name=full_name, expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS))
    _email_queue(invitation)
    return invitation


def _sendable_q(now: datetime) -> Q:
    """Invitations whose email may still go: usable ones, and role notices."""
    return (Q(kind=InvitationKind.INVITATION, status=InvitationStatus.PENDING, expires_at__gt=now)
            | Q(kind=InvitationKind.ROLE_NOTICE))


def _email_deliver(invitation: Invitation, token: str) -> None:
    network = invitation.network
    if invitation.is_role_notice:
        subject = _("You have a new role in %(network)s") % {"network": network.name}
        body = render_to_string("accounts/email/membership_granted.txt", {
            "network": network, "user": invitation.accepted_user,
            "place": invitation.dealer or invitation.region or network})
    else:
        subject = _("Your invitation to %(network)s") % {"network": network.name}
        accept_url = invitation.site_url.rstrip("/") + reverse("invitation_accept", args=[token])
        body = render_to_string("accounts/email/invitation.txt", {
            "invitation": invitation, "accept_url": accept_url, "network": network,
            "valid_days": settings.INVITATION_VALID_DAYS})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def invitation_email_send(*, invitation_id: int) -> bool:
    """Send an invitation's (or role notice's) email if it is due and nobody else holds it; returns whether it went.

    Run outside a transaction (the task does), so the claim is visible to every other worker at once.
    Side effects: claims the row (sending, a lease) and stores the hash of a fresh token in the same UPDATE
    (the previous link stops working); sends; marks it sent at once; or records the attempt, the error and
    when to try again, and after MAX_ATTEMPTS marks it failed.
    """
    now = timezone.now()
    lease_until = now + LEASE
    token = secrets.token_urlsafe(32)
    claimed = (Invitation.objects.filter(_sendable_q(now), pk=invitation_id, email_status=EmailStatus.PENDING,
                                         email_next_attempt_at__lte=now)
               .update(email_status=EmailStatus.SENDING, email_lease_until=lease_until, token_hash=hash_token(token),
                       email_attempts=F("email_attempts") + 1))
    if not claimed:
        return False  # sent already, failed, not due, no longer usable, or another worker holds it
    invitation = (Invitation.objects.select_related("network", "dealer", "region", "accepted_user")
                  .get(pk=invitation_id))
    try:
        _email_deliver(invitation, token)
    except Exception as error:  # whatever the backend raised is the reason shown, and worth another try
        _email_record_failure(invitation, error=error, lease_until=lease_until)
        return False
    Invitation.objects.filter(pk=invitation_id, email_status=EmailStatus.SENDING, email_lease_until=lease_until).update(
        email_status=EmailStatus.SENT, email_sent_at=timezone.now(), email_lease_until=None, email_last_error="")
    return True


def _email_record_failure(invitation: Invitation, *, error: Exception, lease_until: datetime) -> None:
    reason = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    if invitation.email_attempts >= MAX_ATTEMPTS:
        changes = {"email_status": EmailStatus.FAILED}
        logger.error("Invitation %s: email failed after %s attempts: %s", invitation.pk, invitation.email_attempts,
                     reason)
    else:
        changes = {"email_status": EmailStatus.PENDING,
                   "email_next_attempt_at": timezone.now() + retry_delay(invitation.email_attempts)}
        logger.warning("Invitation %s: email not sent (attempt %s), retrying: %s", invitation.pk,
                       invitation.email_attempts, reason)
    # Only while this worker still holds the row: after its lease it may belong to another attempt.
    Invitation.objects.filter(pk=invitation.pk, email_status=EmailStatus.SENDING,
                              email_lease_until=lease_until).update(
        email_last_error=reason, email_lease_until=None, **changes)


def invitation_email_resend(*, invitation: Invitation, site_url: str) -> bool:
    """A network admin sends the email again: a fresh round of attempts and, when it goes, a fresh link
    (pointing at ``site_url``, the address the admin is using now).

    Returns False if it cannot be sent again (used, withdrawn, expired, or a send is under way).
    Side effects: the row pending again with no attempts; a send task after commit.
    """
    now = timezone.now()
    with transaction.atomic():
        rearmed = (Invitation.objects.filter(_sendable_q(now), pk=invitation.pk)
                   .exclude(email_status=EmailStatus.SENDING)
                   .exclude(kind=InvitationKind.ROLE_NOTICE, email_status__in=(EmailStatus.SENT, EmailStatus.PENDING))
                   .update(email_status=EmailStatus.PENDING, email_attempts=0, email_next_attempt_at=now,
                           email_last_error="", site_url=site_url))
        if rearmed:
            _email_queue(invitation)
    return bool(rearmed)


def invitation_emails_sweep(*, now: datetime | None = None) -> int:
    """Queue a send for every invitation email whose time has come; returns how many were queued.

    Network-wide (beat), so it steps outside the tenant scope on purpose. A row still "sending" after its
    lease lost its worker mid-send: it is handed on (pending again), or failed if it had its last attempt.
    """
    now = now or timezone.now()
    lost = _("The worker stopped while sending (lease expired); it may or may not have gone out.")
    with unscoped():
        expired = Invitation.objects.filter(email_status=EmailStatus.SENDING, email_lease_until__lt=now)
        expired.filter(email_attempts__gte=MAX_ATTEMPTS).update(
            email_status=EmailStatus.FAILED, email_lease_until=None, email_last_error=lost)
        expired.update(email_status=EmailStatus.PENDING, email_next_attempt_at=now, email_lease_until=None,
                       email_last_error=lost)
        due = list(Invitation.objects.filter(_sendable_q(now), email_status=EmailStatus.PENDING,
                                             email_next_attempt_at__lte=now)
                   .order_by("email_next_attempt_at", "pk").values_list("network_id", "pk")[:SWEEP_BATCH])
    for network_id, invitation_id in due:
        tasks.invitation_email_send.delay(network_id, invitation_id)
    return len(due)


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
