"""The outbox's timing rules: how often a send is tried, how long to wait between tries, how long a worker holds it."""

from datetime import timedelta

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
# Longer than a send can take (EMAIL_TIMEOUT bounds each SMTP step, the task's time limit the whole of it):
# a live worker never loses its lease.
LEASE = timedelta(minutes=5)
SEND_TIME_LIMIT = LEASE / 2
SEND_SOFT_TIME_LIMIT = SEND_TIME_LIMIT - timedelta(seconds=30)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, … minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)
