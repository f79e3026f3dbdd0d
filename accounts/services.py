"""Writes on accounts: inviting people, sending their emails reliably, accepting invitations, and API tokens.

An invitation's email is claimed on its own row (``Invitation.email_*``), like the outbox's emails but without
storing the body: the body holds the one-time link, and only the link's hash may be kept. The send mints the
token in the same conditional UPDATE that claims the send, so a link is valid only if its email was attempted,
two sends never mail two different links, and each new email replaces the previous link.
"""

import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dealer_portal.tenancy.models import Membership
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from dealer_portal.tenancy.services import membership_grant, membership_validate
from dealer_portal.tenancy.tasks import BROKER_DOWN_ERRORS, publish
from outbox.models import EmailStatus
from outbox.rules import LEASE, MAX_ATTEMPTS, retry_delay

from . import tasks  # the tasks call back into this module; both refer to each other's names only at call time
from .models import ApiToken, Invitation, InvitationKind, InvitationStatus, User, hash_token

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
                      dealer=None, department: str = "", language: str = "", site_url: str) -> Invitation:
    """Invite someone to a role in ``network``; ``site_url`` is where the emailed link points; ``language`` is the
    new person's (the network's default language if not given), and their email's.

    The same happens whether or not the address already has an account (nothing here looks it up), so the answer
    tells the admin nothing about who exists; nothing is granted until the invitation is accepted.
    Side effects: a pending invitation whose email is sent after commit and retried (ends failed visibly). If this
    network already has a usable invitation for the address, that one is updated, given a fresh date and sent again
    (its earlier link stops working) instead of a second one being made; ``replaced_pending`` says so.
    """
    email = User.objects.normalize_email(email).lower()
    membership_validate(network=network, role=role, dealer=dealer, region=region, department=department)
    now = timezone.now()
    details = {"role": role, "region": region, "dealer": dealer, "department": department or "",
               "invited_by": invited_by, "site_url": site_url, "full_name": full_name,
               "language": language or network.default_language,
               "expires_at": now + timedelta(days=settings.INVITATION_VALID_DAYS),
               "email_status": EmailStatus.PENDING, "email_attempts": 0, "email_next_attempt_at": now,
               "email_last_error": "", "email_lease_until": None}
    invitation = (Invitation.objects.select_for_update()
                  .filter(network=network, email__iexact=email, status=InvitationStatus.PENDING, expires_at__gt=now)
                  .order_by("-created_at").first())
    if invitation is not None:
        for field, value in details.items():
            setattr(invitation, field, value)
        invitation.save(update_fields=list(details))
        invitation.replaced_pending = True
    else:
        invitation = Invitation.objects.create(network=network, email=email, token_hash=_unsendable_token_hash(),
                                               **details)
        invitation.replaced_pending = False
    _email_queue(invitation)
    return invitation


def _sendable_q(now: datetime) -> Q:
    """Invitations whose email may still go: the usable ones."""
    return Q(kind=InvitationKind.INVITATION, status=InvitationStatus.PENDING, expires_at__gt=now)


def invitation_language(invitation: Invitation) -> str:
    """The language an invitation speaks: its own, else the network's default."""
    return invitation.language or invitation.network.default_language


def invitation_recipient(invitation: Invitation) -> User | None:
    """The account the invitation's address already belongs to, if any (asked when it is sent or opened, not when
    it is made: the account may have been created in between)."""
    return User.objects.filter(email__iexact=invitation.email, is_active=True).first()


def _email_deliver(invitation: Invitation, token: str) -> None:
    # In the recipient's language: the account's own if the address has one, else the invitation's.
    recipient = invitation_recipient(invitation)
    language = recipient.language if recipient is not None else invitation_language(invitation)
    with translation.override(language):
        subject, body = _email_text(invitation, token, recipient=recipient)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def _email_text(invitation: Invitation, token: str, *, recipient: User | None) -> tuple[str, str]:
    network = invitation.network
    subject = _("Your invitation to %(network)s") % {"network": network.name}
    context = {"invitation": invitation, "network": network, "valid_days": settings.INVITATION_VALID_DAYS,
               "accept_url": invitation.site_url.rstrip("/") + reverse("invitation_accept", args=[token])}
    if recipient is not None:
        body = render_to_string("accounts/email/invitation_existing_account.txt",
                                {**context, "recipient": recipient})
    else:
        body = render_to_string("accounts/email/invitation.txt", context)
    return subject, body


def invitation_email_send(*, invitation_id: int) -> bool:
    """Send an invitation's email if it is due and nobody else holds it; returns whether it went.

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
    invitation = Invitation.objects.select_related("network", "dealer", "region").get(pk=invitation_id)
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


def _unusable_reason(invitation: Invitation) -> InvitationUnusable | None:
    """Why an invitation can no longer be answered, or None while it can."""
    if invitation.status == InvitationStatus.ACCEPTED:
        return InvitationUnusable(_("This invitation has already been used. Log in with the email address "
                                    "it was sent to, or reset your password."), known=True)
    if invitation.status == InvitationStatus.DECLINED:
        return InvitationUnusable(_("This invitation was declined. Ask your network admin for a new one if you "
                                    "changed your mind."), known=True)
    if invitation.status == InvitationStatus.REVOKED:
        return InvitationUnusable(_("This invitation was withdrawn. Ask your network admin for a new one."),
                                  known=True)
    if not invitation.is_usable:
        return InvitationUnusable(_("This invitation has expired. Ask your network admin to send a new one."),
                                  known=True)
    return None


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
    problem = _unusable_reason(invitation)
    if problem is not None:
        raise problem
    return invitation


class InvitationNotYours(Exception):
    """Someone signed in with another account tried to answer an invitation addressed to somebody else."""

    def __init__(self, invitation: Invitation, user: User):
        self.message = _("This invitation is for %(email)s, but you are logged in as %(current)s. Log out and "
                         "log in as %(email)s to answer it.") % {"email": invitation.email, "current": user.email}
        super().__init__(self.message)


def invitation_is_addressed_to(invitation: Invitation, user: User) -> bool:
    return user.is_authenticated and user.email.lower() == invitation.email.lower()


def _invitation_claim_for_answer(invitation: Invitation, user: User) -> Invitation:
    # The row locked for this answer, so that two answers (two tabs, a double click) are taken one after the other.
    if not invitation_is_addressed_to(invitation, user):
        raise InvitationNotYours(invitation, user)
    return (Invitation.objects.select_for_update(of=("self",)).select_related("network", "dealer", "region")
            .get(pk=invitation.pk))


def invitation_accept_signed_in(*, invitation: Invitation, user: User) -> Invitation:
    """The account the invitation is addressed to accepts it, and gets exactly the invited role.

    Idempotent: accepting again changes nothing. Refused with InvitationNotYours for any other account, and with
    InvitationUnusable once declined, withdrawn or expired.
    Side effects: the invitation accepted by ``user``; the invited membership (network admins become staff).
    """
    with tenant_scope(TenantScope.for_network(invitation.network_id)), transaction.atomic():
        current = _invitation_claim_for_answer(invitation, user)
        if current.status == InvitationStatus.ACCEPTED and current.accepted_user_id == user.pk:
            return current
        problem = _unusable_reason(current)
        if problem is not None:
            raise problem
        membership_grant(user=user, network=current.network, role=current.role, dealer=current.dealer,
                         region=current.region, department=current.department)
        current.status, current.accepted_at, current.accepted_user = InvitationStatus.ACCEPTED, timezone.now(), user
        current.save(update_fields=["status", "accepted_at", "accepted_user"])
    return current


def invitation_decline(*, invitation: Invitation, user: User) -> Invitation:
    """The account the invitation is addressed to declines it: nothing is granted, and the link stops working.

    Idempotent: declining again changes nothing. Refused like ``invitation_accept_signed_in``.
    Side effects: the invitation declined (the admin sees it so).
    """
    with tenant_scope(TenantScope.for_network(invitation.network_id)), transaction.atomic():
        current = _invitation_claim_for_answer(invitation, user)
        if current.status == InvitationStatus.DECLINED:
            return current
        problem = _unusable_reason(current)
        if problem is not None:
            raise problem
        current.status, current.declined_at = InvitationStatus.DECLINED, timezone.now()
        current.save(update_fields=["status", "declined_at"])
    return current


def invitation_accept(*, token: str, password: str, full_name: str = "") -> User:
    """Create the invited person's account with ``password`` and grant the invited membership (for an address
    without an account; an existing account answers with ``invitation_accept_signed_in``).

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
        user = User.objects.create_user(invitation.email, password, full_name=full_name or invitation.full_name,
                                        language=invitation_language(invitation))
        membership_grant(user=user, network=invitation.network, role=invitation.role, dealer=invitation.dealer,
                         region=invitation.region, department=invitation.department)
        Invitation.objects.filter(pk=invitation.pk).update(accepted_user=user)
    return user


def user_language_set(*, user: User, language: str) -> None:
    """Keep ``language`` on the account: every page and email follows it, on every device.

    Side effects: the User row's language (a language the platform does not offer is refused).
    """
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("%(code)s is not a language of the platform.") % {"code": language}})
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


def user_profile_update(*, user: User, full_name: str, language: str) -> User:
    """Change one's own name and language. Side effects: the User row."""
    user_language_set(user=user, language=language)
    User.objects.filter(pk=user.pk).update(full_name=full_name)
    user.full_name = full_name
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


# --- API tokens -------------------------------------------------------------------------------------------------

API_TOKEN_PREFIX_LENGTH = 8
API_TOKEN_NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
API_TOKENS_ACTIVE_MAX = 20
# last_used_at is kept to the minute: a token used many times a minute is written at most once in it.
API_TOKEN_LAST_USED_STEP = timedelta(minutes=1)


class ApiTokenRefused(Exception):
    """The secret matches no token, or its token is revoked, expired, or its owner's account is closed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def api_token_lifetime(*, user: User) -> timedelta:
    """How long a new token of ``user`` lasts: the shortest ``api_token_days`` of their networks, or
    ``API_TOKEN_DEFAULT_DAYS`` for someone in none (a superuser).

    Read outside the tenant scope: the owner's memberships are what their token's scope is built from."""
    with unscoped():
        days = (Membership.objects.filter(user=user, is_active=True)
                .aggregate(days=Min("network__api_token_days"))["days"])
    return timedelta(days=days or settings.API_TOKEN_DEFAULT_DAYS)


def api_token_create(*, user: User, name: str, now: datetime | None = None) -> tuple[ApiToken, str]:
    """Make a named API token for ``user``; returns the token and its secret, which nobody can see again.

    Side effects: a token row holding only the secret's hash and prefix, expiring after the owner's network's
    period. An empty or too long name, or too many live tokens, is a ValidationError on ``name``.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, for example the script or system that uses it.")})
    if len(name) > API_TOKEN_NAME_MAX_LENGTH:
        raise ValidationError({"name": _("A token name has at most %(max)s characters.")
                                       % {"max": API_TOKEN_NAME_MAX_LENGTH}})
    now = now or timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time per owner: the limit holds
        active = ApiToken.objects.filter(owner=user, revoked_at__isnull=True, expires_at__gt=now).count()
        if active >= API_TOKENS_ACTIVE_MAX:
            raise ValidationError({"name": _("You have %(count)s active tokens, the most allowed: revoke one you no "
                                             "longer use first.") % {"count": active}})
        secret = secrets.token_urlsafe(32)
        while ApiToken.objects.filter(prefix=secret[:API_TOKEN_PREFIX_LENGTH]).exists():
            secret = secrets.token_urlsafe(32)  # the prefix is what the list shows: keep it telling tokens apart
        token = ApiToken.objects.create(owner=user, name=name, prefix=secret[:API_TOKEN_PREFIX_LENGTH],
                                        secret_hash=hash_token(secret), created_at=now,
                                        expires_at=now + api_token_lifetime(user=user))
    return token, secret


def api_token_revoke(*, token: ApiToken, now: datetime | None = None) -> bool:
    """Revoke ``token``: it stops working at once. Returns False if it was revoked already.

    Side effects: the token's ``revoked_at`` (set once; a second revoke keeps the first time)."""
    now = now or timezone.now()
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        token.revoked_at = now
    return bool(revoked)


def api_token_authenticate(*, secret: str, now: datetime | None = None) -> ApiToken:
    """The live token whose secret this is (with its owner), or ApiTokenRefused saying why not.

    Read outside any tenant scope: the secret is the credential. The hash is compared in constant time.
    Side effects: ``last_used_at``, at most once a minute (a conditional UPDATE; no write in between).
    """
    now = now or timezone.now()
    digest = hash_token(secret)
    candidates = ApiToken.objects.select_related("owner").filter(prefix=secret[:API_TOKEN_PREFIX_LENGTH])
    token = next((row for row in candidates if hmac.compare_digest(row.secret_hash, digest)), None)
    if token is None:
        raise ApiTokenRefused(_("Invalid token."))
    if token.is_revoked:
        raise ApiTokenRefused(_("This API token has been revoked. Create a new one on your account page."))
    if token.is_expired(now):
        raise ApiTokenRefused(_("This API token has expired. Create a new one on your account page."))
    if not token.owner.is_active:
        raise ApiTokenRefused(_("User inactive or deleted."))
    stale_before = now - API_TOKEN_LAST_USED_STEP
    if token.last_used_at is None or token.last_used_at <= stale_before:
        # Conditional, so concurrent requests of the same minute write once between them.
        ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale_before),
                                pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
