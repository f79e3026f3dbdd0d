"""Each Service Quality measure against hand-counted records, the default KPI set, and set-based aggregation."""

import re
from datetime import datetime, time, timedelta
from fractions import Fraction

import pytest
from django.db.models import F
from django.test import Client

from complaints import services as complaint_services
from complaints.models import Complaint, ComplaintState
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from followups.models import CallKind, CallStatus, FollowUpCall
from scoring.kpis import DEFAULT_KPIS, MEASURES, MonthContext, measure_figures
from scoring.models import FocusArea, KpiCategory
from scoring.selectors import scorecards_compute
from servicejobs.models import PromiseCheck, ServiceJob
from tests import factories
from tests.scoring.conftest import delivered_job, last_month

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def _figure(measure: str, dealer):
    context = MonthContext(month=last_month(), dealer_ids=(dealer.pk,), zones=(dealer.time_zone,),
                           first_contact_hours=24, reply_limit_hours=72)
    with tenant_scope(TenantScope.for_dealer(dealer)):
        return measure_figures(MEASURES[measure], context).get(dealer.pk)


@pytest.fixture
def three_jobs(dealer, advisor, last_month_shift):
    return [delivered_job(dealer, advisor, number=f"RO-{n}", shift=last_month_shift) for n in range(3)]


def _set(job, number, status):
    with unscoped():
        PromiseCheck.objects.filter(job=job, number=number).update(status=status)


@pytest.mark.parametrize(("measure", "results", "cases", "met"), [
    # Promises 2 and 3 are two cases a job; not-applicable and pending ones are no cases at all.
    ("reception_with_customer", {(0, 2): "broken", (1, 3): "not_applicable"}, 5, 4),
    ("work_explained", {(0, 4): "broken", (1, 4): "pending"}, 2, 1),
    ("ready_on_time", {(2, 5): "broken"}, 3, 2),
    ("done_as_agreed", {}, 3, 3),
    ("delivery_explained", {(0, 7): "broken", (0, 8): "broken", (2, 8): "broken"}, 6, 3),
])
def test_promise_measures_count_kept_over_kept_and_broken(dealer, three_jobs, measure, results, cases, met):
    for (index, number), status in results.items():
        _set(three_jobs[index], number, status)
    figure = _figure(measure, dealer)
    assert (figure.cases, figure.met, figure.value) == (cases, met, Fraction(100 * met, cases))


def test_a_repeat_repair_counts_against_the_month_it_was_delivered(dealer, three_jobs):
    with unscoped():
        ServiceJob.objects.filter(pk=three_jobs[2].pk).update(repeat_of=three_jobs[0])
    figure = _figure("no_repeat_repair", dealer)
    assert (figure.cases, figure.met) == (3, 2)


def test_a_job_of_this_month_is_not_counted_in_last_month(dealer, advisor, three_jobs):
    delivered_job(dealer, advisor, number="RO-NOW", shift=timedelta(0))
    assert _figure("ready_on_time", dealer).cases == 3


@pytest.fixture
def complaints(dealer, representative, last_month_shift):
    """Three complaints received and closed last month (hours after receipt):

    A: first contact 10 h, closed 50 h; B: first contact 30 h, 40 h on hold, closed 100 h; C: no first
    contact, closed 80 h.
    """
    customer = factories.CustomerFactory(dealer=dealer)
    made = []
    with tenant_scope(TenantScope.for_dealer(dealer)):
        for words in ("A", "B", "C"):
            made.append(complaint_services.complaint_log(dealer=dealer, customer=customer, department="service",
                                                         channel="phone", words=words, by=representative))
    received = F("received_at") - last_month_shift
    with unscoped():
        Complaint.objects.filter(pk__in=[c.pk for c in made]).update(received_at=received)
        for complaint, first_contact, hold, closed in ((made[0], 10, 0, 50), (made[1], 30, 40, 100),
                                                       (made[2], None, 0, 80)):
            Complaint.objects.filter(pk=complaint.pk).update(
                first_contact_at=F("received_at") + first_contact * H if first_contact else None,
                time_on_hold=hold * H, closed_at=F("received_at") + closed * H,
                state=ComplaintState.CLOSED_SATISFIED)
    return made


def test_complaint_measures_follow_the_network_limits(dealer, complaints):
    first_contact = _figure("complaint_first_contact", dealer)
    assert (first_contact.cases, first_contact.met) == (3, 1)  # only A within 24 h
    closed_in_time = _figure("complaint_closed_in_time", dealer)
    assert (closed_in_time.cases, closed_in_time.met) == (3, 2)  # A (50 ≤ 72) and B (100 ≤ 72 + 40 on hold)
    median = _figure("complaint_close_hours", dealer)
    assert (median.cases, median.value) == (3, 60.0)  # 50, 100 − 40 = 60, 80: the median is 60 hours


def _service_call(dealer, *, number: str, reached_after_days: int | None) -> FollowUpCall:
    """The follow-up call of a job delivered on the 5th of last month, due on days 3–5 after delivery, reached at
    noon (the dealer's time) ``reached_after_days`` days after delivery, or missed (None)."""
    delivered = last_month().replace(day=5)
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    with unscoped():
        job = ServiceJob.objects.create(dealer=dealer, number=number, customer=vehicle.customer, vehicle=vehicle)
        call = FollowUpCall(dealer=dealer, kind=CallKind.SERVICE, customer=vehicle.customer, vehicle=vehicle,
                            service_job=job, status=CallStatus.MISSED,
                            delivered_at=datetime.combine(delivered, time(12), tzinfo=dealer.zone),
                            window_start=delivered + timedelta(days=3), window_end=delivered + timedelta(days=5))
        if reached_after_days is not None:
            call.mark_reached(at=call.delivered_at + timedelta(days=reached_after_days), zone=dealer.zone)
        call.save()
    return call


def test_a_call_reached_the_day_after_delivery_is_not_within_its_window(dealer, hq):
    early = _service_call(dealer, number="RO-EARLY", reached_after_days=1)
    _service_call(dealer, number="RO-IN", reached_after_days=4)
    _service_call(dealer, number="RO-LAST", reached_after_days=5)
    _service_call(dealer, number="RO-MISSED", reached_after_days=None)
    figure = _figure("followup_in_window", dealer)
    assert (figure.cases, figure.met) == (4, 2)  # the early call is a case that was not met
    client = Client()
    client.force_login(hq)
    page = client.get(f"/n/{dealer.network.slug}/d/{dealer.code}/scorecard/kpi/follow-up/"
                      f"?month={last_month():%Y-%m}").content.decode()
    row = re.search(rf'data-testid="case-{early.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "✗" in row and "✓" not in row
    reached, opens = (f"{day.day} {day:%b}" for day in (early.reached_on, early.window_start))  # "6 Nov"
    assert f"reached on {reached}, before the call window" in row and opens in row and "within" not in row


def test_the_default_set_covers_all_six_focus_areas_both_categories_and_weighs_100():
    assert {area for _code, _measure, area, _category, _target, _weight in DEFAULT_KPIS} == set(FocusArea)
    assert {category for *_rest, category, _target, _weight in DEFAULT_KPIS} == set(KpiCategory)
    assert sum(weight for *_rest, weight in DEFAULT_KPIS) == 100
    assert all(measure in MEASURES for _code, measure, *_rest in DEFAULT_KPIS)


def test_scorecards_take_the_same_queries_for_one_dealer_or_many(network, dealer, other_dealer, advisor,
                                                                 last_month_shift, django_assert_num_queries):
    # One query of the promise checks for all six promise KPIs, one of the complaints for both complaint KPIs, one
    # per other KPI and one for POE (plus the two policies and the KPI set), never one per dealer or job.
    many = [dealer, other_dealer] + [factories.DealerFactory(region=dealer.region) for _ in range(4)]
    for index, each in enumerate(many):
        delivered_job(each, advisor, number=f"RO-{index}", shift=last_month_shift)
    other_kpis = [code for code, measure, *_rest in DEFAULT_KPIS if not MEASURES[measure].promises]
    with tenant_scope(TenantScope.for_network(network.pk)):
        passes = {MEASURES[measure].record if MEASURES[measure].where else code
                  for code, measure, *_rest in DEFAULT_KPIS if not MEASURES[measure].promises}
        assert len(passes) == len(other_kpis) - 1  # received and closed complaints: one read of the table
        with django_assert_num_queries(1 + len(passes) + 4) as one:
            scorecards_compute(network=network, month=last_month(), dealers=[dealer])
        with django_assert_num_queries(len(one.captured_queries)):
            cards = scorecards_compute(network=network, month=last_month(), dealers=many)
    assert len(cards) == 6 and all(card.kpis[0].cases == 1 for card in cards.values())
