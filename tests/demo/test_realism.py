"""The demo looks like a network that works: complaint figures near the network's targets and different at
each dealer, several advisors sharing each outlet's jobs, and complaints from follow-up calls filed under a
category of their department. Every figure is counted from the records, as the figures page would."""

from collections import Counter, defaultdict
from datetime import timedelta

import pytest

from complaints.models import CLOSED_STATES, Channel, Complaint, ComplaintPolicy
from complaints.services.taxonomy import department_of_area
from dealer_portal.tenancy.calendar import local_month, previous_month
from dealer_portal.tenancy.models import Dealer, Membership, Network, Role
from dealer_portal.tenancy.scoping import unscoped
from demo.management.commands.seed_demo import Command as SeedDemo
from demo.network import DEMO_NETWORK_SLUG, demo_network_build
from servicejobs.models import JobStatus, ServiceJob

from .conftest import BUILT_AT

pytestmark = pytest.mark.django_db

MIN_CLOSED = 10  # a share of fewer closed complaints says little about a dealer


@pytest.fixture(scope="module")
def year_of_demo(django_db_setup, django_db_blocker):
    """Six outlets with a year of history, built once for this module's tests (they only read it)."""
    with django_db_blocker.unblock(), unscoped():
        demo_network_build(seed=7, dealers=6, months=12, now=BUILT_AT)
    yield
    with django_db_blocker.unblock(), unscoped():
        SeedDemo._delete_demo()


def _aurora_dealers() -> list[Dealer]:
    return list(Dealer.objects.filter(network__slug=DEMO_NETWORK_SLUG).order_by("code"))


def _delivered_jobs() -> Counter:
    return Counter(ServiceJob.objects.filter(dealer__network__slug=DEMO_NETWORK_SLUG, status=JobStatus.DELIVERED)
                   .values_list("dealer_id", flat=True))


def test_each_dealer_has_complaints_near_the_target_of_two_per_hundred_jobs(year_of_demo):
    with unscoped():
        jobs = _delivered_jobs()
        complaints = Counter(Complaint.objects.filter(dealer__network__slug=DEMO_NETWORK_SLUG)
                             .values_list("dealer_id", flat=True))
        rates = {dealer.code: 100 * complaints[dealer.pk] / jobs[dealer.pk] for dealer in _aurora_dealers()}
    assert all(0.5 <= rate <= 4 for rate in rates.values()), rates
    assert max(rates.values()) - min(rates.values()) >= 1, rates  # the ranking has something to tell apart


def test_complaints_come_in_at_that_rate_month_after_month(year_of_demo):
    with unscoped():  # each record in its own dealer's calendar
        received = Counter(local_month(moment, zone) for moment, zone in Complaint.objects.filter(
            dealer__network__slug=DEMO_NETWORK_SLUG).values_list("received_at", "dealer__time_zone"))
        delivered = Counter(local_month(moment, zone) for moment, zone in ServiceJob.objects.filter(
            dealer__network__slug=DEMO_NETWORK_SLUG, status=JobStatus.DELIVERED).values_list("delivered_at",
                                                                                           "dealer__time_zone"))
    month, months = previous_month(BUILT_AT.date()), []
    for _ in range(12):  # the complete months: no pile of open complaints in the last ones
        months.append((month, 100 * received[month] / delivered[month]))
        month = previous_month(month)
    assert all(0.5 <= rate <= 4 for _, rate in months), " ".join(f"{m:%Y-%m} {r:.2f}" for m, r in months)


def test_most_closed_complaints_are_closed_within_the_reply_limit_and_dealers_differ(year_of_demo):
    with unscoped():
        network = Network.objects.get(slug=DEMO_NETWORK_SLUG)
        limit = timedelta(hours=ComplaintPolicy.objects.for_network(network).reply_limit_hours)
        closed = defaultdict(lambda: [0, 0])  # dealer code → [closed, closed in time]
        for code, closed_at, received_at, on_hold in (
                Complaint.objects.filter(dealer__network=network, state__in=CLOSED_STATES)
                .values_list("dealer__code", "closed_at", "received_at", "time_on_hold")):
            closed[code][0] += 1
            closed[code][1] += closed_at - received_at - on_hold <= limit
    shares = {code: 100 * in_time / count for code, (count, in_time) in closed.items() if count >= MIN_CLOSED}
    assert len(shares) >= 4, closed
    assert all(55 <= share <= 95 for share in shares.values()), shares
    assert max(shares.values()) - min(shares.values()) >= 10, shares
    everyone = [sum(counts) for counts in zip(*closed.values(), strict=True)]
    assert 55 <= 100 * everyone[1] / everyone[0] <= 95, everyone


def test_every_outlet_has_three_to_six_named_advisors_sharing_its_jobs(year_of_demo):
    with unscoped():
        for dealer in _aurora_dealers():
            advisors = list(Membership.objects.filter(dealer=dealer, role=Role.SERVICE_ADVISOR)
                            .values_list("user_id", "user__full_name"))
            assert 3 <= len(advisors) <= 6, dealer.code
            assert all(len(name.split()) >= 2 for _, name in advisors), advisors
            jobs = Counter(ServiceJob.objects.filter(dealer=dealer).values_list("advisor_id", flat=True))
            assert set(jobs) == {user_id for user_id, _ in advisors}, dealer.code
            total = sum(jobs.values())
            assert all(0.05 * total <= count <= 0.5 * total for count in jobs.values()), (dealer.code, jobs)


def test_complaints_from_follow_up_calls_carry_a_category_of_their_department(year_of_demo):
    with unscoped():
        from_calls = list(Complaint.objects.filter(dealer__network__slug=DEMO_NETWORK_SLUG,
                                                   channel=Channel.FOLLOW_UP_CALL)
                          .select_related("category__parent"))
    assert from_calls
    for complaint in from_calls:
        assert complaint.category is not None, complaint.reference
        assert department_of_area(complaint.category.parent.name) == complaint.department, complaint.reference
