"""The Redis cache keeps working while Redis is down (in this process's memory) and returns to Redis after.

A Redis server of the test's own is started on a free port and stopped mid-test, as an outage would.
"""

import shutil
import socket
import subprocess
import time

import pytest
import redis
from django.conf import settings

from dealer_portal import cache as cache_module
from dealer_portal.cache import RedisCacheWithFallback

REDIS_SERVER = shutil.which("redis-server")
needs_redis_server = pytest.mark.skipif(REDIS_SERVER is None, reason="needs the redis-server program")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OwnRedis:
    def __init__(self):
        self.port = _free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no"], stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis():
    server = OwnRedis()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def clock(monkeypatch):
    """The backend's clock, moved by hand: when to try Redis again is not left to real time."""
    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    return now


def _backend(port: int) -> RedisCacheWithFallback:
    return RedisCacheWithFallback(f"redis://127.0.0.1:{port}/0", {
        "KEY_PREFIX": "test", "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "retry_seconds": 30}})


@needs_redis_server
def test_values_go_to_memory_while_redis_is_down_and_back_to_redis_after(own_redis, clock):
    backend = _backend(own_redis.port)
    backend.set("before", 1)
    assert redis.Redis(port=own_redis.port).exists("test:1:before")

    own_redis.stop()
    assert backend.get("before") is None  # what was in Redis is out of reach, not an error
    backend.set("attempts", [1, 2])
    assert backend.get("attempts") == [1, 2]
    assert backend.add("once", 1) and not backend.add("once", 2)
    assert backend.incr("once") == 2
    assert backend.using_fallback

    own_redis.start()
    clock[0] += 10
    assert backend.get("attempts") == [1, 2]  # not retried yet: still this process's memory
    clock[0] += 30
    backend.set("after", 3)
    assert not backend.using_fallback
    assert redis.Redis(port=own_redis.port).exists("test:1:after")


def test_a_redis_that_never_answers_is_memory_from_the_first_call(clock):
    backend = _backend(1)
    backend.set_many({"a": 1, "b": 2})
    assert backend.get_many(["a", "b"]) == {"a": 1, "b": 2}
    assert backend.has_key("a")
    backend.delete("a")
    assert backend.get("a", "gone") == "gone"
    backend.clear()
    assert backend.get("b") is None


def test_the_settings_use_it_whenever_redis_is_configured():
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is unset: the cache is local memory anyway")
    assert settings.CACHES["default"]["BACKEND"] == "dealer_portal.cache.RedisCacheWithFallback"


def test_the_memory_is_shared_by_the_process_not_kept_per_thread(clock):
    """Django makes a cache object per thread: a limit counted by one thread holds in the others."""
    import threading

    first = _backend(1)
    first.set("failed-logins", 5)
    seen = []
    thread = threading.Thread(target=lambda: seen.append(_backend(1).get("failed-logins")))
    thread.start()
    thread.join()
    assert seen == [5]
    first.clear()
