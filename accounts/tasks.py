from celery import shared_task

from dealer_portal.tenancy.tasks import NetworkTask
from outbox.rules import SEND_SOFT_TIME_LIMIT, SEND_TIME_LIMIT

from . import services


@shared_task(name="accounts.tasks.invitations_expire")
def invitations_expire() -> int:
    """Hourly: expire stale invitations. Idempotent: a second run finds nothing left to change."""
    return services.invitations_expire()


@shared_task(base=NetworkTask, name="accounts.tasks.invitation_email_send",
             soft_time_limit=SEND_SOFT_TIME_LIMIT.total_seconds(), time_limit=SEND_TIME_LIMIT.total_seconds())
def invitation_email_send(network, invitation_id: int) -> bool:
    """Send one invitation's email; safe to run twice or concurrently: the row is claimed before sending."""
    return services.invitation_email_send(invitation_id=invitation_id)


@shared_task(name="accounts.tasks.invitation_emails_sweep")
def invitation_emails_sweep() -> int:
    """Every minute (beat): queue the invitation emails due for a (re)try and hand on those whose worker died."""
    return services.invitation_emails_sweep()
