"""The retention period: a daily beat task fans out one task per active dealer; each erases that dealer's
customers inactive for longer than their network's period (nothing when the network has none). Safe to run
twice: an erased customer is never erased again."""

from celery import shared_task

from dealer_portal.tenancy.tasks import DealerTask, dealers_fan_out

from .services import customers_retention_erase


@shared_task(base=DealerTask, name="datarights.tasks.customers_retention_for_dealer")
def customers_retention_for_dealer(dealer) -> int:
    """Anonymise the dealer's customers past their network's retention period."""
    return customers_retention_erase(dealer=dealer)


@shared_task(name="datarights.tasks.customers_retention_all")
def customers_retention_all() -> int:
    """Daily (beat): one retention task per active dealer."""
    return dealers_fan_out(customers_retention_for_dealer)
