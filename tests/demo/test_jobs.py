"""The demo's service history: every dealer has realistic, reproducible jobs, and dealers differ."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from dealer_portal.tenancy.models import Dealer, Membership
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from servicejobs.models import (
    OPEN_STATUSES,
    JobStatus,
    PromiseCheck,
    PromisedTimeChange,
    SalesHandover,
    ServiceJob,
)
from servicejobs.selectors import advisor_board

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", "--dealers", "6", "--months", "2")


def _snapshot():
    with unscoped():
        return list(ServiceJob.objects.order_by("dealer__network__slug", "dealer__code", "number")
                    .values_list("dealer__code", "number", "status", "appointment_at"))


def test_every_dealer_has_jobs_numbered_uniquely(demo):
    with unscoped():
        dealers = list(Dealer.objects.all())
        assert len(dealers) == 10  # six Aurora outlets, two Borealis ones and two Malaysian ones
        for dealer in dealers:
            numbers = list(ServiceJob.objects.filter(dealer=dealer).values_list("number", flat=True))
            assert len(numbers) > 60, dealer.code
            assert len(set(numbers)) == len(numbers), dealer.code
            assert all(number.startswith("RO-") for number in numbers)


def test_jobs_are_in_every_status_family_in_realistic_shares(demo):
    with unscoped():
        statuses = Counter(ServiceJob.objects.values_list("status", flat=True))
        total = sum(statuses.values())
        walk_ins = ServiceJob.objects.filter(appointment_at__isnull=True).count()
    assert statuses[JobStatus.DELIVERED] > 0.8 * total
    assert 0 < statuses[JobStatus.NO_SHOW] < 0.06 * total
    assert 0 < statuses[JobStatus.CANCELLED] < 0.05 * total
    assert sum(1 for status in OPEN_STATUSES if statuses[status]) >= 3  # booked, arrived, in the workshop…
    assert 0.1 * total < walk_ins < 0.3 * total


def test_dealers_differ_in_how_well_they_keep_promises(demo):
    with unscoped():
        rows = (PromiseCheck.objects.filter(number__in=[1, 5], status__in=["kept", "broken"])
                .values("dealer_id", "status").annotate(n=Count("id")))
        counts = defaultdict(Counter)
        for row in rows:
            counts[row["dealer_id"]][row["status"]] += row["n"]
    shares = [c["kept"] / (c["kept"] + c["broken"]) for c in counts.values()]
    assert len(shares) == 10
    assert max(shares) - min(shares) >= 0.15


def test_every_job_has_its_nine_promise_checks(demo):
    with unscoped():
        counts = Counter(ServiceJob.objects.annotate(n=Count("promise_checks")).values_list("status", "n"))
        assert {n for _, n in counts} == {9}
        assert counts[(JobStatus.DELIVERED, 9)] > 0
        delivered = PromiseCheck.objects.filter(job__status=JobStatus.DELIVERED)
        # Steps 1–8 of a delivered job are decided; only the follow-up call (9) waits.
        assert not delivered.filter(number__lte=8, status="pending").exists()
        assert delivered.filter(number=1, status="broken").exists()


def test_repeat_repairs_point_to_the_earlier_job_on_the_same_car_and_work(demo):
    with unscoped():
        repeats = list(ServiceJob.objects.filter(repeat_of__isnull=False).select_related("repeat_of"))
        assert repeats
        for job in repeats:
            earlier = job.repeat_of
            came_back = job.arrived_at or job.appointment_at
            assert (earlier.vehicle_id, earlier.work_category) == (job.vehicle_id, job.work_category)
            assert earlier.status == JobStatus.DELIVERED
            assert timedelta(0) <= came_back - earlier.delivered_at <= timedelta(days=30)
            assert PromiseCheck.objects.get(job=earlier, number=6).status == "broken"


def test_promise_changes_and_new_car_handovers_are_recorded(demo):
    with unscoped():
        change = PromisedTimeChange.objects.select_related("job").first()
        assert change is not None
        assert change.new_at > change.previous_at
        assert change.job.original_promised_ready_at is not None
        assert SalesHandover.objects.exists()
        for handover in SalesHandover.objects.select_related("vehicle", "dealer"):
            assert timezone.localtime(handover.delivered_at, handover.dealer.zone).date() == \
                handover.vehicle.handover_date


def test_concerns_are_in_the_customers_language(demo):
    with unscoped():
        aurora = set(ServiceJob.objects.filter(dealer__network__slug="aurora-mx").values_list("concern", flat=True))
        borealis = set(ServiceJob.objects.filter(dealer__network__slug="borealis-fi")
                       .values_list("concern", flat=True))
    assert any("Servicio" in concern for concern in aurora)
    assert any("huolto" in concern.lower() for concern in borealis)
    assert not aurora & borealis


def test_the_same_seed_gives_the_same_jobs(demo):
    first = _snapshot()
    call_command("seed_demo", "--dealers", "6", "--months", "2", "--reset")
    assert _snapshot() == first
    call_command("seed_demo", "--dealers", "6", "--months", "2", "--reset", "--seed", "8")
    assert _snapshot() != first


def test_the_demo_advisor_has_a_working_day_on_the_board(demo):
    with unscoped():
        dealer = Membership.objects.select_related("dealer").get(user__email="advisor@demo.test").dealer
        today = timezone.localdate(timezone.now(), dealer.zone)  # the seeder's "today" (the clock is frozen)
        todays = [job for job in ServiceJob.objects.filter(dealer=dealer)
                  if timezone.localtime(job.appointment_at or job.arrived_at, dealer.zone).date() == today]
    assert len(todays) >= 10
    statuses = {job.status for job in todays}
    assert {JobStatus.BOOKED, JobStatus.ARRIVED, JobStatus.IN_WORKSHOP} <= statuses
    later_today = [job for job in todays if job.status == JobStatus.BOOKED
                   and timezone.localtime(job.appointment_at, dealer.zone).hour >= 12]
    assert len(later_today) >= 3
    with tenant_scope(TenantScope.for_dealer(dealer)), timezone.override(dealer.zone):
        board = advisor_board()
    assert board.in_workshop  # open jobs are on the board whatever the hour the test runs
