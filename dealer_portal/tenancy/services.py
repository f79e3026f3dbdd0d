"""Writes on the tenancy: granting memberships."""

from django.db import transaction

from .models import Membership, Role


@transaction.atomic
def membership_grant(*, user, network, role: str, dealer=None, region=None, department: str = "") -> Membership:
    """Give ``user`` a role at a dealer, across a region or across a network (idempotent).

    Side effects: network admins become staff so that they can use the (scoped) admin.
    """
    membership = Membership(user=user, network=network, role=role, dealer=dealer, region=region,
                            department=department or "")
    membership.clean()
    existing = Membership.objects.filter(user=user, network=network, role=role, dealer=dealer, region=region,
                                         department=membership.department).first()
    if existing is not None:
        if not existing.is_active:
            existing.is_active = True
            existing.save(update_fields=["is_active"])
        membership = existing
    else:
        membership.save()
    if role == Role.NETWORK_ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return membership


def membership_validate(*, network, role: str, dealer=None, region=None, department: str = "") -> None:
    """Raise ValidationError (with field errors) if this combination is not a valid membership."""
    Membership(network=network, role=role, dealer=dealer, region=region, department=department or "").clean()

