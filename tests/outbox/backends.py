"""Email backends for fault tests: a server that is down, a worker that dies mid-send, a send that is held."""

import smtplib
import threading
from datetime import timedelta
from unittest.mock import patch

from django.core.mail.backends import locmem


class RefusingBackend(locmem.EmailBackend):
    """The SMTP server is down: every send fails the way smtplib fails."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class WorkerKilled(BaseException):
    """The worker process dies mid-send (a BaseException, as SIGKILL or a hard time limit would never return)."""


class DyingBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        raise WorkerKilled


class HeldBackend(locmem.EmailBackend):
    """Sends, but only once the test lets it: ``entered`` is set while a send is inside the SMTP conversation."""

    entered = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        self.entered.set()
        self.release.wait(timeout=30)
        return super().send_messages(messages)


# Settings and a clock for the tests of any row that sends email (the outbox, invitations).
REFUSING = "tests.outbox.backends.RefusingBackend"
DYING = "tests.outbox.backends.DyingBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SECOND = timedelta(seconds=1)


def at(moment):
    """Run the block as if it were ``moment`` (the services read the clock through timezone.now)."""
    return patch("django.utils.timezone.now", return_value=moment)
