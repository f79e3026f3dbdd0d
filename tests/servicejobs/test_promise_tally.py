"""The promise tallies the dashboard reads stay equal to the checks they count, whatever writes the checks.

Each test changes checks and jobs the ways the product and raw SQL do (a refresh, a bulk update, a reassigned
advisor, a moved arrival, a deleted job, a dealer's new time zone) and compares every tally with a count of the
checks made from scratch, and the dashboard read from the tallies with the dashboard read from the checks.
"""

from collections import Counter
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from dealer_portal.tenancy.models import Dealer
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from servicejobs import dashboard as dashboard_module
from servicejobs import services
from servicejobs.dashboard import promise_dashboard
from servicejobs.models import PromiseCheck, PromiseTally, ServiceJob
from tests import factories
from tests.servicejobs.test_dashboard import late_greeting
from tests.servicejobs.test_steps import walk_to

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the tallies are kept by PostgreSQL's triggers"),
]


def _counted_from_checks() -> Counter:
    """(dealer, local day, advisor, promise) -> (checks, kept, broken), counted in Python from every check."""
    counts = Counter()
    with unscoped():
        zones = {dealer.pk: dealer.zone for dealer in Dealer.objects.all()}
        for check in PromiseCheck.objects.select_related("job").order_by():
            assert check.job_arrived_at == check.job.arrived_at and check.job_advisor_id == check.job.advisor_id
            if check.job_arrived_at is None:
                continue
            day = timezone.localtime(check.job_arrived_at, zones[check.dealer_id]).date()
            key = (check.dealer_id, day, check.job_advisor_id, check.number)
            counts[key + ("checks",)] += 1
            counts[key + (check.status,)] += 1
    return Counter({key: value for key, value in counts.items() if key[-1] in ("checks", "kept", "broken")})


def _tallied() -> Counter:
    counts = Counter()
    with unscoped():
        for row in PromiseTally.objects.all():
            key = (row.dealer_id, row.day, row.advisor_id, row.number)
            for name in ("checks", "kept", "broken"):
                if getattr(row, name):
                    counts[key + (name,)] = getattr(row, name)
    return counts


def _assert_tallies_true():
    assert _tallied() == _counted_from_checks()


def _dashboards_agree(dealer, start: date, end: date):
    """The dashboard from the tallies, and from the checks (as on a database without triggers), say the same."""
    with tenant_scope(TenantScope.for_dealer(dealer)), timezone.override(dealer.zone):
        tallied = promise_dashboard(start=start, end=end)
        with mock.patch.object(dashboard_module, "uses_tallies", return_value=False):
            counted = promise_dashboard(start=start, end=end)
    assert tallied.by_promise == counted.by_promise
    assert tallied.by_advisor == counted.by_advisor
    assert tallied.by_week == counted.by_week
    return tallied


@pytest.fixture
def jobs(dealer, make_job, in_dealer):
    """Four delivered jobs, one with a broken greeting, all checked by the services."""
    made = [walk_to(make_job(appointment_in=timedelta(hours=-3)), "handover") for _ in range(4)]
    late_greeting(made[0])
    return made


def test_the_services_checks_are_tallied(jobs, dealer):
    _assert_tallies_true()
    today = timezone.localdate(timezone=dealer.zone)
    board = _dashboards_agree(dealer, today - timedelta(days=7), today)
    assert board.by_promise[1].broken == 1 and board.by_promise[1].kept == 3


def test_a_bulk_status_change_and_a_refresh_move_the_counts(jobs, dealer):
    with unscoped():
        PromiseCheck.objects.filter(job__in=jobs[1:3], number=2).update(status="broken")
    _assert_tallies_true()
    with unscoped():
        services.job_promises_refresh(ServiceJob.objects.get(pk=jobs[1].pk))
    _assert_tallies_true()


def test_a_reassigned_job_moves_its_checks_to_the_new_advisor(jobs, dealer):
    other = factories.UserFactory(full_name="Otro Asesor")
    with unscoped():
        ServiceJob.objects.filter(pk=jobs[0].pk).update(advisor=other)
        ServiceJob.objects.filter(pk=jobs[1].pk).update(advisor=None)
    _assert_tallies_true()
    today = timezone.localdate(timezone=dealer.zone)
    board = _dashboards_agree(dealer, today - timedelta(days=7), today)
    assert [name for name, _shares, _total in board.by_advisor] == sorted(
        ["Otro Asesor", jobs[2].advisor.full_name, "—"])


def test_a_moved_arrival_moves_the_day_and_an_unarrived_job_counts_nowhere(jobs, dealer):
    with unscoped():
        ServiceJob.objects.filter(pk=jobs[0].pk).update(arrived_at=jobs[0].arrived_at - timedelta(days=40))
        ServiceJob.objects.filter(pk=jobs[1].pk).update(arrived_at=None)
    _assert_tallies_true()
    today = timezone.localdate(timezone=dealer.zone)
    recent = _dashboards_agree(dealer, today - timedelta(days=7), today)
    assert recent.by_promise[1].broken == 0  # the broken greeting's job now arrived 40 days ago
    earlier = _dashboards_agree(dealer, today - timedelta(days=50), today - timedelta(days=30))
    assert earlier.by_promise[1].broken == 1


def test_deleted_checks_and_jobs_leave_the_counts(jobs, dealer):
    with unscoped():
        PromiseCheck.objects.filter(job=jobs[0], number__in=[1, 2]).delete()
        PromiseCheck.objects.filter(job=jobs[1]).delete()
    _assert_tallies_true()


def test_a_dealers_new_time_zone_counts_its_days_again(jobs, dealer):
    with unscoped():
        ServiceJob.objects.filter(pk=jobs[0].pk).update(
            arrived_at=timezone.localtime(jobs[0].arrived_at, dealer.zone).replace(hour=23, minute=30))
    _assert_tallies_true()
    with unscoped():
        Dealer.objects.filter(pk=dealer.pk).update(time_zone="Asia/Tokyo")  # 15 hours ahead: the next day
    _assert_tallies_true()


def test_another_dealers_checks_are_tallied_apart(jobs, dealer, other_dealer):
    with unscoped():
        copies = [PromiseCheck(dealer=other_dealer, job_id=check.job_id, number=check.number, status=check.status,
                               reason=check.reason, evaluated_at=check.evaluated_at)  # arrival taken from the job
                  for check in PromiseCheck.objects.filter(job=jobs[0])]
        PromiseCheck.objects.bulk_create(copies)
    _assert_tallies_true()
    today = timezone.localdate(timezone=dealer.zone)
    mine = _dashboards_agree(dealer, today - timedelta(days=7), today)
    assert mine.by_promise[1].decided == 4  # the other dealer's rows count there, not here
