"""Errors the platform raises on purpose and renders the same way everywhere (pages, API, admin)."""

from kombu.exceptions import OperationalError as BrokerOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


class BackgroundUnavailable(Exception):
    """The background service (the Celery broker) cannot take work now.

    Raised after whatever the user saved has been committed: the message says what was kept and what
    happens next. Rendered as 503 (JSON under ``/api/``, a page elsewhere); never a 500.
    """

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# What escapes a view when the broker or Redis is down: rendered like BackgroundUnavailable, with a generic message.
BACKGROUND_OUTAGES = (BrokerOperationalError, RedisConnectionError, RedisTimeoutError)
