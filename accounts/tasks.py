from celery import shared_task

from . import services


@shared_task(name="accounts.tasks.invitations_expire")
def invitations_expire() -> int:
    """Hourly: expire stale invitations. Idempotent: a second run finds nothing left to change."""
    return services.invitations_expire()
