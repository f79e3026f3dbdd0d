"""The Redis cache, and what it does while Redis is down: this process's memory, so nothing using it fails."""

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)


class RedisCacheWithFallback(RedisCache):
    """Django's Redis cache that, while Redis cannot be reached, keeps values in this process's memory.

    The failed-login limiter counts in the cache: with Redis down the counters are per process (each web
    process still stops guessing) instead of every login raising. After a failure Redis is tried again
    once ``retry_seconds`` have passed (OPTIONS ``"retry_seconds"``, default 30); values written meanwhile
    stay in the process that wrote them.
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_seconds = options.pop("retry_seconds", 30)
        super().__init__(server, {**params, "OPTIONS": options})
        shared = {key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION") if key in params}
        # Django makes a cache object per thread; naming the memory after the server shares it across them.
        self._fallback = LocMemCache(f"redis-fallback:{server}", shared)
        self._redis_down_until = None

    @property
    def using_fallback(self) -> bool:
        return self._redis_down_until is not None and time.monotonic() < self._redis_down_until

    def _call(self, method: str, *args, **kwargs):
        if not self.using_fallback:
            try:
                result = getattr(super(), method)(*args, **kwargs)
            except (RedisConnectionError, RedisTimeoutError) as error:
                logger.warning("Redis cache unreachable (%s); using this process's memory for %ss",
                               error, self.retry_seconds)
                self._redis_down_until = time.monotonic() + self.retry_seconds
            else:
                if self._redis_down_until is not None:
                    logger.warning("Redis cache reachable again")
                    self._redis_down_until = None
                return result
        return getattr(self._fallback, method)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
