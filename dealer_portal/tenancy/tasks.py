"""Base classes for background work, so every task runs inside a tenant scope it states, and the one rule for
queueing work from a user action (``enqueue``).

What is retried: connection trouble (``ConnectionError``, ``TimeoutError``), the database's own trouble
(``OperationalError``: a lost connection, a deadlock, a serialization failure; ``InterfaceError``: a connection
already closed) and, for the fan-out tasks, the broker's (``kombu.exceptions.OperationalError``). Each retry
waits longer (exponential back-off with full jitter, at most ``retry_backoff_max`` seconds).
"""

import logging

from celery import Task, current_task, shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.db import InterfaceError, OperationalError, connections, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from dealer_portal.errors import BackgroundUnavailable

from .models import Dealer, Network
from .scheduler import scheduler_heartbeat_record
from .scoping import TenantScope, tenant_scope, unscoped

logger = logging.getLogger(__name__)

# Trouble that goes away by itself: worth another try later. The database's errors are Django's wrappers.
TRANSIENT_ERRORS = (ConnectionError, TimeoutError, OperationalError, InterfaceError)
FAN_OUT_ERRORS = (*TRANSIENT_ERRORS, BrokerError)
# What publishing a task raises when the broker cannot take it.
BROKER_DOWN_ERRORS = (BrokerError, ConnectionError, TimeoutError)

# Publishing a task from a request: a few quick tries, then the user is told (never a long hang).
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def close_broken_connections() -> None:
    """Close every database connection outside a transaction, so the next query opens a fresh one (a
    connection that was cut or that saw an error is useless; Django would otherwise keep raising on it)."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def retry_countdown(retries: int, *, maximum: int = 600) -> int:
    """Seconds before the next try: 1, 2, 4… (at most ``maximum``), each drawn at random below that (jitter)."""
    return get_exponential_backoff_interval(factor=1, retries=retries, maximum=maximum, full_jitter=True)


def retry_after_transient_error(task: Task, error: Exception):
    """``raise retry_after_transient_error(self, error)``: close broken connections and send ``task`` again
    later (the same task id, so claims recognise it); past ``max_retries`` the error itself is raised."""
    close_broken_connections()
    logger.warning("task %s (%s) failed on %r; retry %s of %s", task.name, task.request.id, error,
                   task.request.retries + 1, task.max_retries)
    maximum = getattr(task, "retry_backoff_max", 600)
    return task.retry(exc=error, countdown=retry_countdown(task.request.retries, maximum=maximum))


class DealerTask(Task):
    """A task about one dealer: called with ``dealer_id`` first, it runs with ``dealer`` in its scope.

    Retries on transient trouble (``TRANSIENT_ERRORS``, also while loading the dealer) with exponential back-off
    and jitter, after closing broken database connections; the body must be idempotent. Time limits: the
    settings' defaults (``CELERY_TASK_SOFT_TIME_LIMIT``/``CELERY_TASK_TIME_LIMIT``) unless the task sets its own.
    """

    abstract = True
    autoretry_for = ()  # retried in __call__, which also covers the dealer's look-up
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True
    max_retries = 5
    acks_late = True

    def __call__(self, first_id, *args, **kwargs):
        try:
            return self.run_in_scope(first_id, *args, **kwargs)
        except TRANSIENT_ERRORS as error:
            if self.request.called_directly:
                raise
            raise retry_after_transient_error(self, error) from error

    def run_in_scope(self, dealer_id, *args, **kwargs):
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

    def run_in_scope(self, network_id, *args, **kwargs):
        with unscoped():
            network = Network.objects.filter(pk=network_id).first()
        if network is None:
            return None
        with tenant_scope(TenantScope.for_network(network.pk)):
            return self.run(network, *args, **kwargs)


def _fan_out(task, ids: list[int]) -> int:
    for first_id in ids:
        task.delay(first_id)
    return len(ids)


def _retrying(fan_out):
    """A fan-out that meets the broker or the database down retries its task (sending all again is safe: every
    per-dealer or per-network task is idempotent). Outside a task the error is raised."""

    def wrapper(*args, **kwargs):
        try:
            return fan_out(*args, **kwargs)
        except FAN_OUT_ERRORS as error:
            if not current_task or current_task.request.called_directly:
                raise
            raise retry_after_transient_error(current_task, error) from error

    wrapper.__name__, wrapper.__doc__ = fan_out.__name__, fan_out.__doc__
    return wrapper


@_retrying
def networks_fan_out(task) -> int:
    """Network-wide schedules that work per network: one task per network. Steps outside the scope on purpose."""
    with unscoped():
        network_ids = list(Network.objects.values_list("pk", flat=True))
    return _fan_out(task, network_ids)


@_retrying
def dealers_fan_out(task, *, network_id: int | None = None) -> int:
    """Network-wide schedules: one task per active dealer. Steps outside the scope on purpose."""
    with unscoped():
        dealers = Dealer.objects.filter(is_active=True)
        if network_id is not None:
            dealers = dealers.filter(network_id=network_id)
        dealer_ids = list(dealers.values_list("pk", flat=True))
    return _fan_out(task, dealer_ids)


def publish(task, *args, **kwargs) -> None:
    """Send ``task`` now with a short, bounded publish retry; raises ``kombu.exceptions.OperationalError`` (or a
    connection error) when the broker cannot take it. In-process (eager) mode runs it at once."""
    task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)


def enqueue(task, *args, unavailable: str, on_sent=None, **kwargs) -> None:
    """The one rule for work a user action queues: the task is sent once the current transaction has committed
    (never for rolled-back work, and what the user saved is kept whatever the broker does); if the broker cannot
    take it, ``BackgroundUnavailable(unavailable)`` is raised after the commit. ``unavailable`` tells the user
    what was kept and what will happen to it (a sweeper must pick such work up once the broker is back).
    ``on_sent()``, if given, runs once the broker has taken the task."""

    def send():
        try:
            publish(task, *args, **kwargs)
        except BROKER_DOWN_ERRORS as error:
            logger.warning("could not queue %s%r: %r", task.name, args, error)
            raise BackgroundUnavailable(unavailable) from error
        if on_sent is not None:
            on_sent()

    transaction.on_commit(send)


@shared_task(ignore_result=True)
def scheduler_heartbeat():
    """Sent by beat every 30 s: a worker ran scheduled work just now (/healthz reports when it last did)."""
    scheduler_heartbeat_record(now=timezone.now())
