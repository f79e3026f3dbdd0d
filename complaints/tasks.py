"""Complaint schedules: each beat task fans out one task per dealer; the per-dealer tasks call the services.

All three are safe to run twice or to retry: each service claims its work with a conditional write first.
"""

from celery import shared_task

from dealer_portal.tenancy.tasks import DealerTask, dealers_fan_out

from .services import complaints_escalate, complaints_on_hold_remind, daily_log_send


@shared_task(base=DealerTask, name="complaints.tasks.complaints_escalate_for_dealer")
def complaints_escalate_for_dealer(dealer) -> int:
    """Escalate the dealer's complaints past their reply limit by one rung each (emails after commit)."""
    return complaints_escalate()


@shared_task(base=DealerTask, name="complaints.tasks.daily_log_for_dealer")
def daily_log_for_dealer(dealer) -> int:
    """Send the dealer's managers today's complaint log, if the local morning has come and not yet sent."""
    return daily_log_send(dealer=dealer)


@shared_task(base=DealerTask, name="complaints.tasks.on_hold_check_for_dealer")
def on_hold_check_for_dealer(dealer) -> int:
    """Email owners and representatives of the dealer's complaints on hold without a recent follow-up."""
    return complaints_on_hold_remind()


@shared_task(name="complaints.tasks.complaints_escalate_all")
def complaints_escalate_all() -> int:
    """Every 15 minutes (beat): one escalation task per active dealer."""
    return dealers_fan_out(complaints_escalate_for_dealer)


@shared_task(name="complaints.tasks.daily_log_all")
def daily_log_all() -> int:
    """Hourly (beat): one daily-log task per active dealer; each sends only once its local morning has come."""
    return dealers_fan_out(daily_log_for_dealer)


@shared_task(name="complaints.tasks.on_hold_check_all")
def on_hold_check_all() -> int:
    """Daily (beat): one on-hold check per active dealer; each complaint is flagged at most once a week."""
    return dealers_fan_out(on_hold_check_for_dealer)
