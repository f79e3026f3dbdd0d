from celery import shared_task

from dealer_portal.tenancy.tasks import DealerTask, dealers_fan_out

from .scheduling import anniversary_contacts_schedule
from .services import daily_call_report_send, followups_mark_missed


@shared_task(base=DealerTask, name="followups.tasks.missed_calls_mark")
def missed_calls_mark(dealer) -> int:
    """Mark the dealer's calls whose window has passed as missed, then (once a local day) send the report.

    Idempotent: missed calls are marked once, and the day's report row is claimed before it is sent.
    """
    missed = followups_mark_missed(dealer=dealer)
    daily_call_report_send(dealer=dealer)
    return missed


@shared_task(name="followups.tasks.missed_calls_mark_all")
def missed_calls_mark_all() -> int:
    """Hourly (beat): each dealer's day ends at its own midnight, so every dealer is checked every hour."""
    return dealers_fan_out(missed_calls_mark)


@shared_task(base=DealerTask, name="followups.tasks.anniversary_contacts")
def anniversary_contacts(dealer) -> int:
    """Schedule the coming week's purchase-anniversary contacts (idempotent: one per car and year)."""
    return anniversary_contacts_schedule(dealer=dealer)


@shared_task(name="followups.tasks.anniversary_contacts_all")
def anniversary_contacts_all() -> int:
    """Daily (beat): one task per active dealer."""
    return dealers_fan_out(anniversary_contacts)
