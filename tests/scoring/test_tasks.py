"""The monthly ranking's beat task: one task per network, published once, through a real worker too."""

import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dealer_portal.celery import app
from dealer_portal.tenancy.scoping import unscoped
from scoring.models import Ranking, RankingEntry
from scoring.ranking import network_today, scoring_policy_for
from scoring.tasks import ranking_publish_for_network, rankings_publish_all


def _due(network) -> bool:
    # The ranking is due from the 1st at the publishing hour; a test run in the small hours of the 1st sees none.
    local = timezone.localtime(timezone=ZoneInfo(network.time_zone))
    with unscoped():
        return not (local.day == 1 and local.hour < scoring_policy_for(network).publish_hour)


def _last_month(network):
    return (network_today(network).replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.mark.django_db
def test_the_network_task_publishes_last_month_once(network, dealer, other_dealer, foreign_dealer):
    first = ranking_publish_for_network(network.pk)
    second = ranking_publish_for_network(network.pk)
    with unscoped():
        rankings = list(Ranking.objects.filter(network=network))
        if _due(network):
            assert first == rankings[0].pk and second is None
            assert [(r.month, r.version) for r in rankings] == [(_last_month(network), 1)]
            # Every dealer of the network is listed, and no dealer of another network.
            assert set(RankingEntry.objects.filter(ranking=rankings[0]).values_list("dealer_id", flat=True)) == {
                dealer.pk, other_dealer.pk}
        else:
            assert rankings == [] and first is None


@pytest.mark.django_db
def test_a_task_for_a_missing_network_does_nothing(network):
    assert ranking_publish_for_network(network.pk + 1000) is None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_runs_through_a_real_worker_and_twice_publishes_once(network, dealer, foreign_dealer):
    from celery.contrib.testing.worker import start_worker

    expected = 1 if _due(network) else 0
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            rankings_publish_all.delay()
            rankings_publish_all.delay()  # a second run, as a retried beat would
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with unscoped():
                    if Ranking.objects.filter(network=network).count() == expected and \
                            Ranking.objects.filter(network=foreign_dealer.network).count() == expected:
                        break
                time.sleep(0.2)
            time.sleep(1)  # let the second run's tasks finish too
    finally:
        app.conf.task_always_eager = True
    with unscoped():
        assert Ranking.objects.filter(network=network).count() == expected
        assert Ranking.objects.filter(network=foreign_dealer.network).count() == expected
        if expected:
            assert RankingEntry.objects.get(ranking__network=network).dealer_id == dealer.pk
