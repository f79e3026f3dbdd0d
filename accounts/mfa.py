"""Two-factor authentication (allauth.mfa): who must set up a second factor, and whether a session has passed one.

Superusers, staff, HQ analysts and network admins must; so must everyone in a network that requires it
(``Network.require_mfa``). allauth's login asks an enrolled person for their second factor; the enrolment
middleware (dealer_portal.middleware.MfaEnrolmentMiddleware) keeps someone who must enrol away from every other
page until they have.
"""

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.db.models import Exists, OuterRef, Q
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from dealer_portal.tenancy.models import NETWORK_ROLES, Membership
from dealer_portal.tenancy.scoping import unscoped

ENROL_FIRST_MESSAGE = _("Your account must be protected by two-factor authentication before you can go on: set up "
                        "an authenticator app or a security key.")
API_ENROL_FIRST_MESSAGE = _("Enrol a second factor first: this account must use two-factor authentication. Sign "
                            "in to the portal and set up an authenticator app or a security key.")


def _must_enrol_q() -> Q:
    """The memberships that oblige their holder to use a second factor."""
    return Q(role__in=sorted(NETWORK_ROLES)) | Q(network__require_mfa=True)


def mfa_required(user) -> bool:
    """Whether ``user`` must use a second factor: by their role, as superuser or staff, or by their network."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    with unscoped():
        return Membership.objects.filter(_must_enrol_q(), user=user, is_active=True).exists()


def mfa_enabled(user) -> bool:
    """Whether ``user`` has a second factor set up (an authenticator app or a security key)."""
    return Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.RECOVERY_CODES).exists()


def mfa_enrolment_missing(user) -> bool:
    """Whether ``user`` must use a second factor and has none yet (one query)."""
    if not user.is_authenticated:
        return False
    factors = Authenticator.objects.exclude(type=Authenticator.Type.RECOVERY_CODES)
    if user.is_superuser or user.is_staff:
        return not factors.filter(user=user).exists()
    has_authenticator = Exists(factors.filter(user=OuterRef("user")))
    with unscoped():
        return (Membership.objects.filter(_must_enrol_q(), user=user, is_active=True)
                .filter(~has_authenticator).exists())


def session_passed_mfa(request) -> bool:
    """Whether this session proved a second factor: at login, on reauthentication, or by enrolling one."""
    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


@receiver(authenticator_added)
def _enrolment_proves_the_factor(sender, request, user, authenticator, **kwargs):
    """Setting up a factor means typing a code it produced (or touching the key): the session has passed it."""
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        return  # generated, not proved
    if request is not None and request.user.is_authenticated and request.user.pk == user.pk:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type, enrolled=True)
