"""The monthly ranking's beat task: one task per network, published once, through a real worker too."""

import time
from datetime import UTC, datetime
from unittest.mock import patch

import pytest

from dealer_portal.celery import app
from dealer_portal.tenancy.scoping import unscoped
from scoring.models import Ranking, RankingEntry
from scoring.tasks import ranking_publish_for_network, rankings_publish_all

# The clock is pinned to the middle of a month, so last month's ranking is always due (whenever the suite runs).
NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def mid_october():
    with patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


@pytest.mark.django_db
def test_the_network_task_publishes_last_month_once(mid_october, network, dealer, other_dealer, foreign_dealer):
    first = ranking_publish_for_network(network.pk)
    second = ranking_publish_for_network(network.pk)
    with unscoped():
        rankings = list(Ranking.objects.filter(network=network))
        assert first == rankings[0].pk and second is None
        assert [(r.month.isoformat(), r.version) for r in rankings] == [("2026-09-01", 1)]
        # Every dealer of the network is listed, and no dealer of another network.
        assert set(RankingEntry.objects.filter(ranking=rankings[0]).values_list("dealer_id", flat=True)) == {
            dealer.pk, other_dealer.pk}


@pytest.mark.django_db
def test_a_task_for_a_missing_network_does_nothing(network):
    assert ranking_publish_for_network(network.pk + 1000) is None


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_runs_through_a_real_worker_and_twice_publishes_once(mid_october, network, dealer,
                                                                           foreign_dealer):
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            rankings_publish_all.delay()
            rankings_publish_all.delay()  # a second run, as a retried beat would
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with unscoped():
                    if Ranking.objects.filter(network__in=[network, foreign_dealer.network]).count() == 2:
                        break
                time.sleep(0.2)
            time.sleep(1)  # let the second run's tasks finish too
    finally:
        app.conf.task_always_eager = True
    with unscoped():
        assert Ranking.objects.filter(network=network).count() == 1
        assert Ranking.objects.filter(network=foreign_dealer.network).count() == 1
        assert RankingEntry.objects.get(ranking__network=network).dealer_id == dealer.pk


@pytest.mark.django_db
def test_a_database_error_while_publishing_is_retried_and_the_month_is_published_once(mid_october, network, dealer):
    from django.db import OperationalError

    from scoring import services

    compute, calls = services.scorecards_compute, []

    def deadlocked_once(**kwargs):
        calls.append(None)
        if len(calls) == 1:
            raise OperationalError("deadlock detected")
        return compute(**kwargs)

    with patch("scoring.services.scorecards_compute", deadlocked_once):
        result = ranking_publish_for_network.apply((network.pk,), throw=False)
    assert result.successful() and len(calls) == 2
    with unscoped():
        assert list(Ranking.objects.filter(network=network).values_list("pk", "version")) == [(result.result, 1)]
