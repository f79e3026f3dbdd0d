"""Celery: dealer tasks run in their dealer's scope, through the real Redis broker, safely twice."""

import time

import pytest
from django.core.cache import cache

from customers.models import Customer
from dealer_portal.celery import app
from dealer_portal.tenancy.tasks import DealerTask, dealers_fan_out, enqueue
from tests import factories


@app.task(base=DealerTask, name="tests.dealer_customer_count")
def dealer_customer_count(dealer, marker):
    """Stores how many customers the task could see: its own dealer's only."""
    cache.set(f"{marker}:{dealer.pk}", Customer.objects.count(), 60)
    return dealer.pk


@pytest.mark.django_db
def test_dealer_task_sees_only_its_dealers_rows(dealer, foreign_dealer):
    factories.CustomerFactory(dealer=dealer)
    factories.CustomerFactory(dealer=dealer)
    factories.CustomerFactory(dealer=foreign_dealer)
    dealer_customer_count.delay(dealer.pk, "eager")
    assert cache.get(f"eager:{dealer.pk}") == 2


@pytest.mark.django_db
def test_dealer_task_for_a_missing_or_inactive_dealer_does_nothing(dealer):
    dealer.is_active = False
    dealer.save()
    assert dealer_customer_count.delay(dealer.pk, "inactive").result is None
    assert dealer_customer_count.delay(999999, "missing").result is None


@pytest.mark.django_db
def test_fan_out_sends_one_task_per_active_dealer(dealer, other_dealer, foreign_dealer):
    factories.CustomerFactory(dealer=other_dealer)
    count = dealers_fan_out(_WithMarker(dealer_customer_count, "fan"), network_id=dealer.network_id)
    assert count == 2
    assert cache.get(f"fan:{dealer.pk}") == 0
    assert cache.get(f"fan:{other_dealer.pk}") == 1
    assert cache.get(f"fan:{foreign_dealer.pk}") is None


class _WithMarker:
    """Fan-out sends ``task.delay(dealer_id)``; the test task also wants a marker."""

    def __init__(self, task, marker):
        self.task, self.marker = task, marker

    def delay(self, dealer_id):
        return self.task.delay(dealer_id, self.marker)


@pytest.mark.django_db
def test_tasks_are_sent_only_after_commit(dealer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue(dealer_customer_count, dealer.pk, "after-commit", unavailable="down")
    assert cache.get(f"after-commit:{dealer.pk}") is None
    callbacks[0]()
    assert cache.get(f"after-commit:{dealer.pk}") == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_task_travels_through_the_real_redis_broker_to_a_worker(dealer, foreign_dealer):
    from celery.contrib.testing.worker import start_worker

    factories.CustomerFactory(dealer=dealer)
    factories.CustomerFactory(dealer=foreign_dealer)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            dealer_customer_count.delay(dealer.pk, "broker")
            deadline = time.monotonic() + 20
            while cache.get(f"broker:{dealer.pk}") is None and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        app.conf.task_always_eager = True
    assert cache.get(f"broker:{dealer.pk}") == 1


@pytest.mark.redis
@pytest.mark.django_db
def test_health_reports_the_real_broker(client, superuser):
    client.force_login(superuser)  # the details are for staff; others learn ok or failing
    app.conf.task_always_eager = False
    try:
        response = client.get("/healthz")
    finally:
        app.conf.task_always_eager = True
    assert response.status_code == 200
    assert {key: response.json()[key] for key in ("status", "database", "broker")} == {
        "status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_health_reports_a_broker_that_is_down(client, superuser):
    client.force_login(superuser)  # the details are for staff; others learn ok or failing
    app.conf.task_always_eager = False
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
        app.conf.task_always_eager = True
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error")


@pytest.mark.django_db
def test_health_without_redis_runs_tasks_in_process(client, superuser):
    client.force_login(superuser)  # the details are for staff; others learn ok or failing
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] == "in-process"


def test_the_beat_schedule_is_defined_in_settings():
    from django.conf import settings

    schedule = settings.CELERY_BEAT_SCHEDULE
    assert "invitations-expire" in schedule
    app.loader.import_default_modules()
    for entry in schedule.values():
        assert entry["task"] in app.tasks, f"beat names {entry['task']}, which no module defines"



_flaky_calls: dict[str, int] = {}


@app.task(base=DealerTask, name="tests.dealer_flaky_database")
def dealer_flaky_database(dealer, marker, error_name):
    """Fails once with the database error named, as a dropped connection or a deadlock does; then works."""
    from django import db

    _flaky_calls[marker] = _flaky_calls.get(marker, 0) + 1
    if _flaky_calls[marker] == 1:
        raise getattr(db, error_name)("server closed the connection unexpectedly")
    return Customer.objects.count()


@pytest.mark.parametrize("error_name", ["OperationalError", "InterfaceError"])
@pytest.mark.django_db
def test_a_dealer_task_retries_a_database_error_and_then_finishes(dealer, error_name):
    factories.CustomerFactory(dealer=dealer)
    result = dealer_flaky_database.apply((dealer.pk, f"db-{error_name}", error_name), throw=False)
    assert result.successful() and result.result == 1
    assert _flaky_calls[f"db-{error_name}"] == 2


class _BrokerDownOnce:
    """A task whose first send fails as a broker that is down does."""

    def __init__(self):
        self.sent = []

    def delay(self, first_id):
        from kombu.exceptions import OperationalError

        if not self.sent:
            self.sent.append(None)
            raise OperationalError("Error 111 connecting to the broker. Connection refused.")
        self.sent.append(first_id)


_broker_down_once = _BrokerDownOnce()


@app.task(name="tests.fan_out_with_the_broker_down_once")
def fan_out_with_the_broker_down_once():
    return dealers_fan_out(_broker_down_once)


@pytest.mark.django_db
def test_a_fan_out_retries_when_the_broker_is_down(dealer, other_dealer):
    result = fan_out_with_the_broker_down_once.apply(throw=False)
    assert result.successful() and result.result == 2
    assert sorted(_broker_down_once.sent[1:]) == sorted([dealer.pk, other_dealer.pk])


@pytest.mark.django_db
def test_a_fan_out_called_outside_a_task_raises_the_broker_error(dealer):
    from kombu.exceptions import OperationalError

    with pytest.raises(OperationalError):
        dealers_fan_out(_BrokerDownOnce())
