"""Real background services for fault tests: a Redis server of the test's own (so it can be stopped), a Celery
worker in its own process (so it can be killed), and pointing this process's Celery app at a broker.

Every process started here is stopped when its ``with`` block ends, whatever the test did.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection
from kombu import pools

from dealer_portal.celery import app

ROOT = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT = 60


def wait_for(condition, *, timeout: float, what: str, every: float = 0.2):
    """Poll ``condition()`` until it returns something truthy (returned), or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen, *, kill: bool = False) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


class OwnRedis:
    """``redis-server`` on a free port, no persistence; ``stop()`` and ``start()`` again on the same port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._answers, timeout=STARTUP_TIMEOUT, what=f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
            self.process = None


@contextlib.contextmanager
def own_redis():
    redis = OwnRedis()
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


def _reset_broker_connections() -> None:
    # The app keeps pooled connections to the broker it first met; a test that switches brokers drops them.
    with contextlib.suppress(Exception):
        pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_through(broker_url: str):
    """This process sends tasks to ``broker_url`` (not in-process) inside the block."""
    original = app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url
    _reset_broker_connections()
    try:
        yield
    finally:
        _reset_broker_connections()
        app.conf.broker_url = original
        app.conf.task_always_eager = True


def this_tests_database_url() -> str:
    """The URL of the database this test runs on (pytest-django's ``test_`` database), for a worker process."""
    settings = connection.settings_dict
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (f"postgres://{user}{password}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}/"
            f"{settings['NAME']}")


class Worker:
    """``celery -A dealer_portal worker --pool=solo`` on the test database and ``broker_url``, in its own process."""

    def __init__(self, broker_url: str, log_path: Path, **env):
        self.broker_url, self.log_path, self.env = broker_url, log_path, env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**os.environ, "DATABASE_URL": this_tests_database_url(), "REDIS_URL": self.broker_url,
               "CELERY_TASK_ALWAYS_EAGER": "false", "DJANGO_SETTINGS_MODULE": "dealer_portal.settings", **self.env}
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "dealer_portal", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, as in an out-of-memory kill; nothing it holds is given back."""
        if self.process is not None:
            _stop(self.process, kill=True)

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)
        if getattr(self, "log", None):
            self.log.close()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def worker(broker_url: str, log_path: Path, **env):
    process = Worker(broker_url, log_path, **env)
    process.start()
    try:
        yield process
    finally:
        process.stop()
