"""A real Celery worker killed in the middle of sending an email: the email is not lost, and not sent twice."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from dealer_portal.celery import app
from outbox.models import EmailStatus
from outbox.tasks import emails_sweep

from .smtp_server import free_port, smtp_server
from .test_outbox import queue, reloaded

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _worker(smtp_port: int) -> subprocess.Popen:
    """A worker process as compose starts one, on the test database and the tests' Redis database."""
    database = connection.settings_dict
    env = {**os.environ,
           "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
           "REDIS_URL": django_settings.CELERY_BROKER_URL, "CELERY_TASK_ALWAYS_EAGER": "false",
           "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
           "EMAIL_PORT": str(smtp_port), "EMAIL_TIMEOUT": "120"}
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "dealer_portal", "worker", "--pool", "solo",
                             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_worker_killed_mid_send_leaves_the_email_sending_until_its_lease_ends_then_it_goes_out_once(
        dealer, settings, django_capture_on_commit_callbacks):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    broker = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    app.control.purge()
    with smtp_server(port, hold=True) as server:
        worker = _worker(port)
        try:
            app.conf.task_always_eager = False
            try:
                email = queue(dealer, django_capture_on_commit_callbacks)  # the send task goes to Redis
            finally:
                app.conf.task_always_eager = True
            # The worker has sent the whole message and waits for the server to accept it: kill it there.
            assert server.data_seen.wait(timeout=60), "the worker never reached the SMTP server"
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)
            broker.delete("unacked", "unacked_index", "unacked_mutex", "celery")
        assert server.received == []
    email = reloaded(email)
    assert email.status == EmailStatus.SENDING and email.delivery_note == "Sending (attempt 1)"

    with smtp_server(port) as server:
        # While the lease holds, nobody else sends it; once it has expired, the sweeper hands it on.
        with patch("django.utils.timezone.now", return_value=email.lease_until - timedelta(seconds=1)):
            assert emails_sweep.delay().get() == 0
        assert server.received == []
        for moment in (email.lease_until + timedelta(seconds=1), email.lease_until + timedelta(hours=1)):
            with patch("django.utils.timezone.now", return_value=moment):
                emails_sweep.delay()
    assert [message["to"] for message in server.received] == [["manager@example.com"]]
    email = reloaded(email)
    assert email.status == EmailStatus.SENT and email.attempts == 2 and "lease expired" in email.last_error
