"""Email tasks: one send per queued row (after commit), and the sweeper that retries and hands on."""

from celery import shared_task

from dealer_portal.tenancy.tasks import DealerTask

from . import services
from .rules import SEND_SOFT_TIME_LIMIT, SEND_TIME_LIMIT


@shared_task(base=DealerTask, name="outbox.tasks.email_send",
             soft_time_limit=SEND_SOFT_TIME_LIMIT.total_seconds(), time_limit=SEND_TIME_LIMIT.total_seconds())
def email_send(dealer, email_id: int) -> bool:
    """Send one queued email; safe to run twice or concurrently: the row is claimed before sending."""
    return services.email_send(email_id=email_id)


@shared_task(name="outbox.tasks.emails_sweep")
def emails_sweep() -> int:
    """Every minute (beat): queue the emails due for a (re)try and hand on those whose worker died mid-send."""
    return services.emails_sweep()
