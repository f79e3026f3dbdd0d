"""The one tenant-scoping mechanism.

Every tenant-owned model (dealer-owned or network-owned) uses ``TenantManager``. Its querysets are
filtered by the *current tenant scope*, a context variable that the request middleware, the API and
web base views, Celery base tasks and management commands set. Querying such a model with no scope
active raises ``TenantScopeMissing`` instead of returning every tenant's rows. Code that really needs
every row (superuser admin, network-wide beat fan-out, the demo seeder) says so with ``unscoped()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

MISSING_SCOPE_MESSAGE = (
    "A tenant-owned model was queried with no tenant scope active. Run the code inside "
    "tenant_scope(...) (requests, tasks and commands do this through their base classes), "
    "or say unscoped() where every tenant's rows are really meant."
)


class TenantScopeMissing(RuntimeError):
    """A tenant-owned model was queried with no tenant scope active."""


@dataclass(frozen=True)
class TenantScope:
    """What the current code may see.

    ``network_ids``: every dealer of these networks (HQ, network admins).
    ``region_ids``: every dealer of these regions (regional managers).
    ``dealer_ids``: these dealers (dealer staff, or any page narrowed to one dealer).
    ``member_network_ids``: networks whose network-level rows (regions, memberships) may be read.
    ``unrestricted``: everything; only superusers and code that says ``unscoped()``.
    """

    network_ids: frozenset[int] = field(default_factory=frozenset)
    region_ids: frozenset[int] = field(default_factory=frozenset)
    dealer_ids: frozenset[int] = field(default_factory=frozenset)
    member_network_ids: frozenset[int] = field(default_factory=frozenset)
    unrestricted: bool = False

    @classmethod
    def nothing(cls) -> TenantScope:
        return cls()

    @classmethod
    def everything(cls) -> TenantScope:
        return cls(unrestricted=True)

    @classmethod
    def for_dealer(cls, dealer) -> TenantScope:
        return cls(dealer_ids=frozenset({dealer.pk}), member_network_ids=frozenset({dealer.network_id}))

    @classmethod
    def for_network(cls, network_id: int) -> TenantScope:
        return cls(network_ids=frozenset({network_id}), member_network_ids=frozenset({network_id}))

    def dealer_q(self, path: str) -> Q:
        """The condition on a dealer reached through ``path`` ("" for the Dealer model itself)."""
        if self.unrestricted:
            return Q()
        prefix = f"{path}__" if path else ""
        condition = Q(pk__in=[])  # matches nothing: a scope grants only what it names
        if self.network_ids:
            condition |= Q(**{f"{prefix}network_id__in": sorted(self.network_ids)})
        if self.region_ids:
            condition |= Q(**{f"{prefix}region_id__in": sorted(self.region_ids)})
        if self.dealer_ids:
            key = f"{path}_id__in" if path else "pk__in"
            condition |= Q(**{key: sorted(self.dealer_ids)})
        return condition

    def network_q(self, path: str) -> Q:
        """The condition on a network reached through ``path`` ("" for the Network model itself)."""
        if self.unrestricted:
            return Q()
        key = f"{path}_id__in" if path else "pk__in"
        return Q(**{key: sorted(self.member_network_ids)})


_current: ContextVar[TenantScope | Callable[[], TenantScope] | None] = ContextVar(
    "tenant_scope", default=None
)


def current_scope() -> TenantScope:
    value = _current.get()
    if value is None:
        raise TenantScopeMissing(MISSING_SCOPE_MESSAGE)
    return value() if callable(value) else value


def has_scope() -> bool:
    return _current.get() is not None


@contextmanager
def tenant_scope(scope: TenantScope | Callable[[], TenantScope]) -> Iterator[None]:
    """Run the block inside ``scope``; a callable is resolved on first use (the request's user)."""
    token = _current.set(scope)
    try:
        yield
    finally:
        _current.reset(token)


@contextmanager
def unscoped() -> Iterator[None]:
    """Every tenant's rows: for superusers, network-wide fan-out and the demo seeder only."""
    with tenant_scope(TenantScope.everything()):
        yield


def activate_scope(scope: TenantScope):
    """Set the scope without a ``with`` block (DRF's initial/finalize pair); returns the reset token."""
    return _current.set(scope)


def deactivate_scope(token) -> None:
    _current.reset(token)


class TenantQuerySet(models.QuerySet):
    """A queryset that remembers that it was built without a scope, and refuses to run if so."""

    _scope_missing = False

    def _clone(self):
        clone = super()._clone()
        clone._scope_missing = self._scope_missing
        return clone

    def _refuse_without_scope(self):
        # Built with no scope: it carries no tenant filter, so it may never run, even inside a scope later.
        if self._scope_missing:
            raise TenantScopeMissing(MISSING_SCOPE_MESSAGE)

    def _fetch_all(self):
        self._refuse_without_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._refuse_without_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        self._refuse_without_scope()
        return super().count()

    def exists(self):
        self._refuse_without_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._refuse_without_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._refuse_without_scope()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_without_scope()
        return super().delete()

    def in_bulk(self, *args, **kwargs):
        self._refuse_without_scope()
        return super().in_bulk(*args, **kwargs)

    def explain(self, *args, **kwargs):
        self._refuse_without_scope()
        return super().explain(*args, **kwargs)

    def resolve_expression(self, *args, **kwargs):
        # Used as a subquery inside another query.
        self._refuse_without_scope()
        return super().resolve_expression(*args, **kwargs)


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """The manager of every tenant-owned model: filters by the current scope, or refuses.

    Subclasses name the path from the model to its tenant as class attributes (so Django's related
    managers, which subclass the default manager, are scoped the same way): ``dealer_path`` is the
    relation to the dealer ("" for Dealer itself); ``network_path`` is used for network-level rows.
    """

    dealer_path: str | None = None
    network_path: str | None = None

    def get_queryset(self):
        queryset = super().get_queryset()
        if not has_scope():
            queryset._scope_missing = True
            return queryset
        scope = current_scope()
        if self.dealer_path is not None:
            return queryset.filter(scope.dealer_q(self.dealer_path))
        return queryset.filter(scope.network_q(self.network_path))


class DealerOwnedManager(TenantManager):
    dealer_path = "dealer"


class NetworkOwnedManager(TenantManager):
    network_path = "network"


class NetworkPolicyManager(NetworkOwnedManager):
    """For a network's one settings row (a policy): ``for_network`` is the one way to read it."""

    def for_network(self, network):
        """The network's row, or an unsaved one with the defaults if the network has not set its own."""
        return self.filter(network=network).first() or self.model(network=network)


def tenant_models() -> Iterable[type[models.Model]]:
    """Every concrete model whose default manager is tenant-scoped."""
    from django.apps import apps

    for model in apps.get_models():
        if isinstance(model._default_manager, TenantManager):
            yield model


def tenant_cache_key(scope_name: str, tenant_id: int, *parts: object) -> str:
    """Cache keys always carry their tenant, so one dealer's cached value never serves another."""
    return ":".join(["tenant", scope_name, str(tenant_id), *(str(part) for part in parts)])
