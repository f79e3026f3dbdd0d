"""Reads on accounts that pages and the API share: one's own API tokens and time zone, and the invitations
waiting for a signed-in person's answer.

An invitation belongs to the inviting network, but its recipient may work for another network or none yet: those
reads step outside the tenant scope on purpose, and find only rows addressed to the person's own email address.
"""

import zoneinfo
from datetime import UTC, tzinfo

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dealer_portal.tenancy.models import Membership
from dealer_portal.tenancy.scoping import unscoped

from .models import ApiToken, Invitation, InvitationKind, InvitationStatus, User


def api_tokens_of(*, user: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (revoked and expired ones too: their history is theirs)."""
    return ApiToken.objects.filter(owner=user)


def api_token_access(*, user: User, token_id: int) -> ApiToken:
    """One of the user's own tokens; anyone else's, like one that does not exist, is a 404."""
    token = api_tokens_of(user=user).filter(pk=token_id).first()
    if token is None:
        raise Http404(_("No such API token."))
    return token


def user_time_zone(*, user: User) -> tzinfo:
    """The zone one's own account page shows times in: their dealer's, else their network's, else UTC.

    Read outside the tenant scope: the user's own memberships are what their scope is built from."""
    with unscoped():
        membership = (Membership.objects.filter(user=user, is_active=True).select_related("dealer", "network")
                      .order_by(F("dealer").asc(nulls_last=True), "pk").first())
    if membership is None:
        return UTC
    return membership.dealer.zone if membership.dealer else zoneinfo.ZoneInfo(membership.network.time_zone)



def _addressed_to(user: User) -> QuerySet:
    # Emails are stored lower-cased on both sides (UserManager.create_user, invitation_create).
    return Invitation.objects.filter(email=user.email.lower(), kind=InvitationKind.INVITATION)


def invitations_pending_for_user(*, user: User) -> list[Invitation]:
    """The invitations ``user`` may still accept or decline, newest first."""
    with unscoped():
        return list(_addressed_to(user).filter(status=InvitationStatus.PENDING, expires_at__gt=timezone.now())
                    .select_related("network", "dealer", "region", "invited_by").order_by("-created_at"))


def invitation_pending_count(*, user: User) -> int:
    """How many invitations wait for ``user``'s answer (the header's notice)."""
    with unscoped():
        return _addressed_to(user).filter(status=InvitationStatus.PENDING, expires_at__gt=timezone.now()).count()


def invitation_for_recipient(*, user: User, pk: int) -> Invitation | None:
    """One invitation addressed to ``user``, whatever its state; None for anyone else's (the caller's 404)."""
    with unscoped():
        return _addressed_to(user).select_related("network", "dealer", "region").filter(pk=pk).first()
