"""/healthz tells an operator whether beat and a worker are running the schedule, without failing over it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dealer_portal.celery import app
from dealer_portal.tenancy.scheduler import scheduler_heartbeat_record
from dealer_portal.tenancy.tasks import scheduler_heartbeat


@pytest.fixture
def with_a_broker():
    """As in production: tasks go to a broker (the in-memory one here), so beat and a worker are expected."""
    app.conf.task_always_eager = False
    original = app.conf.broker_url
    app.conf.broker_url = "memory://"
    yield
    app.conf.broker_url = original
    app.conf.task_always_eager = True


@pytest.mark.django_db
def test_health_reports_the_scheduler_ok_once_a_worker_ran_the_heartbeat(client, with_a_broker, superuser):
    client.force_login(superuser)  # the details are for staff; others learn ok or failing
    scheduler_heartbeat()  # what the worker does when beat sends it
    body = client.get("/healthz").json()
    assert body["scheduler"] == "ok"
    assert timezone.now() - timezone.datetime.fromisoformat(body["scheduler_last_run"]) < timedelta(minutes=1)


@pytest.mark.django_db
def test_health_reports_a_late_scheduler_with_its_last_run_but_stays_healthy(client, with_a_broker, superuser):
    client.force_login(superuser)  # the details are for staff; others learn ok or failing
    last_run = timezone.now() - timedelta(minutes=10)
    scheduler_heartbeat_record(now=last_run)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["scheduler"] == "late"
    assert response.json()["scheduler_last_run"] == last_run.isoformat()


@pytest.mark.django_db
def test_health_says_the_scheduler_was_not_seen_before_the_first_heartbeat(client, with_a_broker, superuser):
    client.force_login(superuser)  # the details are for staff; others learn ok or failing
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["scheduler"] == "not-seen"
    assert response.json()["scheduler_last_run"] is None


@pytest.mark.django_db
def test_the_laptop_demo_runs_tasks_in_process_and_waits_for_no_scheduler(client, superuser):
    client.force_login(superuser)  # the details are for staff; others learn ok or failing
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["scheduler"] == "in-process"


def test_beat_sends_the_heartbeat_often_and_drops_the_ones_nobody_ran():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["scheduler-heartbeat"]
    assert entry["task"] == scheduler_heartbeat.name
    assert entry["schedule"] <= 60
    assert entry["options"]["expires"] > entry["schedule"]
