from celery import shared_task

from dealer_portal.tenancy.tasks import DealerTask, dealers_fan_out

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
