"""Base classes for background work, so every task runs inside a tenant scope it states."""

from celery import Task, shared_task
from django.db import transaction
from django.utils import timezone

from .models import Dealer, Network
from .scheduler import scheduler_heartbeat_record
from .scoping import TenantScope, tenant_scope, unscoped


class DealerTask(Task):
    """A task about one dealer: called with ``dealer_id`` first, it runs with ``dealer`` in its scope.

    Retries on connection trouble with exponential back-off; the body must be idempotent.
    """

    abstract = True
    autoretry_for = (ConnectionError, TimeoutError)
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5
    acks_late = True

    def __call__(self, dealer_id, *args, **kwargs):
        # The dealer row itself is read outside a scope: the id is what the task was given.
        with unscoped():
            dealer = Dealer.objects.select_related("network").filter(pk=dealer_id, is_active=True).first()
        if dealer is None:
            return None
        with tenant_scope(TenantScope.for_dealer(dealer)):
            return self.run(dealer, *args, **kwargs)


class NetworkTask(DealerTask):
    """A task about one network: called with ``network_id`` first, it runs with ``network`` in its scope."""

    abstract = True

    def __call__(self, network_id, *args, **kwargs):
        with unscoped():
            network = Network.objects.filter(pk=network_id).first()
        if network is None:
            return None
        with tenant_scope(TenantScope.for_network(network.pk)):
            return self.run(network, *args, **kwargs)


def networks_fan_out(task) -> int:
    """Network-wide schedules that work per network: one task per network. Steps outside the scope on purpose."""
    with unscoped():
        network_ids = list(Network.objects.values_list("pk", flat=True))
    for network_id in network_ids:
        task.delay(network_id)
    return len(network_ids)


def send_after_commit(task, *args, **kwargs) -> None:
    """Queue ``task`` only once the current transaction has committed (never for rolled-back work)."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


def dealers_fan_out(task, *, network_id: int | None = None) -> int:
    """Network-wide schedules: one task per active dealer. Steps outside the scope on purpose."""
    with unscoped():
        dealers = Dealer.objects.filter(is_active=True)
        if network_id is not None:
            dealers = dealers.filter(network_id=network_id)
        dealer_ids = list(dealers.values_list("pk", flat=True))
    for dealer_id in dealer_ids:
        task.delay(dealer_id)
    return len(dealer_ids)


@shared_task(ignore_result=True)
def scheduler_heartbeat():
    """Sent by beat every 30 s: a worker ran scheduled work just now (/healthz reports when it last did)."""
    scheduler_heartbeat_record(now=timezone.now())
