"""The monthly ranking: beat runs hourly, one task per network publishes last month once its 1st has come."""

from celery import shared_task

from dealer_portal.tenancy.tasks import NetworkTask, networks_fan_out

from .services import ranking_publish_due


@shared_task(base=NetworkTask, name="scoring.tasks.ranking_publish_for_network")
def ranking_publish_for_network(network) -> int | None:
    """Publish the network's ranking of last month if it is due and not yet published (safe to run twice)."""
    ranking = ranking_publish_due(network=network)
    return ranking.pk if ranking else None


@shared_task(name="scoring.tasks.rankings_publish_all")
def rankings_publish_all() -> int:
    """Hourly (beat): one publishing task per network; each publishes only once, early on the 1st, local time."""
    return networks_fan_out(ranking_publish_for_network)
