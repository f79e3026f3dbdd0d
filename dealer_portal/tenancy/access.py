"""Who may see what: builds the request's tenant scope and resolves the dealer or network in a URL.

Views never look a dealer up themselves: they call ``require_dealer(request)`` or
``require_network(request)``, which answer 404 for anything outside the user's memberships,
the same answer as for a dealer that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext as _

from .models import DEALER_ROLES, NETWORK_ROLES, REGION_ROLES, Dealer, Membership, Network, Role
from .scoping import TenantScope, tenant_scope, unscoped


@dataclass(frozen=True)
class Grant:
    role: str
    department: str
    network_id: int
    region_id: int | None
    dealer_id: int | None


def grants_for_user(user) -> list[Grant]:
    """The user's active memberships. Read outside any scope: they are what the scope is built from."""
    if not user.is_authenticated or not user.is_active:
        return []
    with unscoped():
        rows = Membership.objects.filter(user=user, is_active=True).values_list(
            "role", "department", "network_id", "region_id", "dealer_id"
        )
        return [Grant(*row) for row in rows]


def scope_from_grants(grants: list[Grant], *, is_superuser: bool = False) -> TenantScope:
    if is_superuser:
        return TenantScope.everything()
    return TenantScope(
        network_ids=frozenset(g.network_id for g in grants if g.role in NETWORK_ROLES),
        region_ids=frozenset(g.region_id for g in grants if g.role in REGION_ROLES),
        dealer_ids=frozenset(g.dealer_id for g in grants if g.role in DEALER_ROLES),
        member_network_ids=frozenset(g.network_id for g in grants),
    )


def roles_at_dealer(grants: list[Grant], dealer: Dealer) -> set[str]:
    """Every role the user holds that reaches this dealer (its own, its region's, its network's)."""
    return {
        grant.role
        for grant in grants
        if grant.network_id == dealer.network_id
        and (
            grant.role in NETWORK_ROLES
            or (grant.role in REGION_ROLES and grant.region_id == dealer.region_id)
            or grant.dealer_id == dealer.pk
        )
    }


class RequestTenancy:
    """Per-request tenancy state; the middleware puts one on every request as ``request.tenancy``."""

    def __init__(self, request):
        self.request = request
        self.network_slug: str | None = None
        self.dealer_code: str | None = None
        self.dealer_pk: int | None = None
        self._cache_user_pk: object = object()
        self._grants: list[Grant] = []
        self._user_scope = TenantScope.nothing()
        self._resolved = False
        self._network: Network | None = None
        self._dealer: Dealer | None = None

    # -- the user ---------------------------------------------------------------------------------
    def _refresh_user(self) -> None:
        user = getattr(self.request, "user", None)
        key = (user.pk, user.is_superuser) if user is not None and user.is_authenticated else None
        if key == self._cache_user_pk:
            return
        self._cache_user_pk = key
        self._grants = grants_for_user(user) if key else []
        self._user_scope = scope_from_grants(self._grants, is_superuser=bool(key and user.is_superuser))
        self._resolved = False

    @property
    def grants(self) -> list[Grant]:
        self._refresh_user()
        return self._grants

    @property
    def user_scope(self) -> TenantScope:
        self._refresh_user()
        return self._user_scope

    # -- the place in the URL ---------------------------------------------------------------------
    def set_target(self, view_kwargs: dict) -> None:
        self.network_slug = view_kwargs.get("network_slug")
        self.dealer_code = view_kwargs.get("dealer_code")
        self.dealer_pk = view_kwargs.get("dealer_pk")
        self._resolved = False

    def _resolve(self) -> None:
        self._refresh_user()
        if self._resolved:
            return
        self._network, self._dealer = None, None
        with tenant_scope(self._user_scope):
            if self.dealer_pk is not None or self.dealer_code is not None:
                dealers = Dealer.objects.select_related("network", "region")
                if self.dealer_pk is not None:
                    dealers = dealers.filter(pk=self.dealer_pk)
                else:
                    dealers = dealers.filter(network__slug=self.network_slug, code=self.dealer_code)
                self._dealer = dealers.first()
                self._network = self._dealer.network if self._dealer else None
            elif self.network_slug is not None:
                self._network = Network.objects.filter(slug=self.network_slug).first()
        self._resolved = True

    @property
    def dealer(self) -> Dealer | None:
        self._resolve()
        return self._dealer

    @property
    def network(self) -> Network | None:
        self._resolve()
        return self._network

    @property
    def targets_a_place(self) -> bool:
        return any(v is not None for v in (self.network_slug, self.dealer_code, self.dealer_pk))

    def scope(self) -> TenantScope:
        """The scope queries run in: the user's, narrowed to the dealer or network in the URL."""
        user_scope = self.user_scope
        if not self.targets_a_place:
            return user_scope
        if self.dealer is not None:
            return TenantScope.for_dealer(self.dealer)
        if self.network is not None:
            return self._narrow_to_network(user_scope, self.network)
        return TenantScope.nothing()

    def _narrow_to_network(self, user_scope: TenantScope, network: Network) -> TenantScope:
        if user_scope.unrestricted:
            return TenantScope.for_network(network.pk)
        mine = [g for g in self.grants if g.network_id == network.pk]
        return scope_from_grants(mine)

    # -- roles ------------------------------------------------------------------------------------
    def roles_here(self) -> set[str]:
        """Roles that apply to the dealer (or network) this request is about."""
        if self.dealer is not None:
            return roles_at_dealer(self.grants, self.dealer)
        if self.network is not None:
            return {g.role for g in self.grants if g.network_id == self.network.pk}
        return {g.role for g in self.grants}

    def has_role(self, *roles: str) -> bool:
        user = self.request.user
        return bool(user.is_authenticated and user.is_superuser) or bool(self.roles_here() & set(roles))

    def managed_departments(self) -> list[str]:
        """The departments the user manages at the dealer this request is about."""
        dealer = self.dealer
        return sorted({g.department for g in self.grants
                       if dealer is not None and g.role == Role.DEALER_MANAGER and g.dealer_id == dealer.pk})

    def is_network_admin(self, network: Network | None = None) -> bool:
        if self.request.user.is_authenticated and self.request.user.is_superuser:
            return True
        return any(
            g.role == Role.NETWORK_ADMIN and (network is None or g.network_id == network.pk) for g in self.grants
        )

    def sees_network(self, network: Network) -> bool:
        """HQ view of a network: network roles there, or a regional manager's region in it."""
        if self.request.user.is_authenticated and self.request.user.is_superuser:
            return True
        return any(
            g.network_id == network.pk and (g.role in NETWORK_ROLES or g.role in REGION_ROLES) for g in self.grants
        )


def require_dealer(request) -> Dealer:
    """The dealer named in the URL, if the user may see it; 404 otherwise (missing and forbidden alike)."""
    dealer = request.tenancy.dealer
    if dealer is None:
        raise Http404(_("No such dealer."))
    return dealer


def require_network(request) -> Network:
    """The network named in the URL, if the user holds an HQ or regional role in it; 404 otherwise."""
    network = request.tenancy.network
    if network is None or request.tenancy.dealer is not None or not request.tenancy.sees_network(network):
        raise Http404(_("No such network."))
    return network
