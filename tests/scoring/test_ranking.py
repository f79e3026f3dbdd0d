"""The 5-Star formulas against hand-computed figures, and the published monthly ranking."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from scoring.models import Assessment, EntryStatus, Ranking, RankingEntry, ScoringPolicy
from scoring.rules import KpiResult, Scorecard, kpi_score, ranked, rating_apply, service_quality_apply, shown
from scoring.selectors import scorecards_compute
from scoring.services import kpi_set_replace, ranking_publish_due
from servicejobs.models import PromiseCheck, ServiceJob
from tests import factories
from tests.scoring.conftest import delivered_job, last_month

pytestmark = pytest.mark.django_db


def _result(code, category, weight, score, *, enough=True, area=1):
    return KpiResult(code=code, name=code, measure="greeted_on_time", record="job", unit="percent", focus_area=area,
                     category=category, target=90.0, weight=weight, cases=20 if enough else 3,
                     score=score if enough else None, enough_data=enough)


# --- Formulas ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "target", "higher_is_better", "score"), [
    (80.0, 90.0, True, 88.9),    # a share short of its target: 80 / 90
    (95.0, 90.0, True, 100.0),   # beating the target earns no more than 100
    (0.0, 90.0, True, 0.0),
    (96.0, 72.0, False, 75.0),   # a 96-hour median against 72 hours: 72 / 96
    (60.0, 72.0, False, 100.0),  # quicker than the target
])
def test_a_kpi_scores_how_far_it_reaches_its_target(value, target, higher_is_better, score):
    assert shown(kpi_score(value, target=target, higher_is_better=higher_is_better)) == Decimal(str(score))


def test_a_kpi_without_enough_data_is_left_out_and_its_weight_redistributed():
    card = Scorecard(dealer_id=1, month="2026-10", kpis=[
        _result("greeting", "speed", 50, 80.0, area=1),
        _result("reception", "compliance", 30, 100.0, area=2),
        _result("delivery", "compliance", 20, None, enough=False, area=5),
    ])
    service_quality_apply(card, min_data_weight_percent=50)
    # (80 × 50 + 100 × 30) / 80 = 87.5; the 20 points of weight went to the others in proportion.
    assert card.service_quality == Decimal("87.5")
    assert (card.speed, card.compliance) == (Decimal("80.0"), Decimal("100.0"))
    assert [result.effective_weight for result in card.kpis] == [62.5, 37.5, None]
    areas = {area["area"]: area["percent"] for area in card.focus_areas}
    assert (areas[1], areas[2], areas[5]) == (80.0, 100.0, None)


def test_too_little_data_overall_gives_no_service_quality_never_a_free_score():
    card = Scorecard(dealer_id=1, month="2026-10", kpis=[
        _result("greeting", "speed", 40, 100.0),
        _result("reception", "compliance", 60, None, enough=False),
    ])
    service_quality_apply(card, min_data_weight_percent=50)  # 40 % of the weight has data: below 50 %
    assert card.service_quality is None and card.speed is None and card.compliance is None
    card.poe = Decimal("90.0")
    rating_apply(card, ScoringPolicy())
    assert (card.status, card.overall, card.stars) == (EntryStatus.NOT_ENOUGH_DATA, None, None)


@pytest.mark.parametrize(("poe", "service_quality", "overall", "stars"), [
    ("65.0", "87.5", "76.3", 3),   # (65 × 50 + 87.5 × 50) / 100 = 76.25, shown rounded half up
    ("90.0", "90.0", "90.0", 5),   # exactly on the five-star threshold
    ("89.9", "90.0", "90.0", 4),   # 89.95 shows as 90.0 but is below the five-star threshold
    ("80.0", "79.8", "79.9", 3),
    ("40.0", "50.0", "45.0", 1),   # below the two-star threshold
])
def test_overall_combines_poe_and_service_quality_by_the_network_weights(poe, service_quality, overall, stars):
    card = Scorecard(dealer_id=1, month="2026-10", poe=Decimal(poe), service_quality=Decimal(service_quality))
    rating_apply(card, ScoringPolicy(poe_weight=50, service_quality_weight=50))
    assert (shown(card.overall), card.stars, card.status) == (Decimal(overall), stars, EntryStatus.RATED)


def test_network_weights_and_thresholds_change_the_rating():
    card = Scorecard(dealer_id=1, month="2026-10", poe=Decimal("60.0"), service_quality=Decimal("90.0"))
    rating_apply(card, ScoringPolicy(poe_weight=30, service_quality_weight=70, four_stars_from=Decimal("81.0")))
    assert (card.overall, card.stars) == (Decimal("81.0"), 4)  # 18 + 63


def test_a_dealer_without_an_hq_assessment_is_not_assessed_and_not_rated():
    card = Scorecard(dealer_id=1, month="2026-10", service_quality=Decimal("95.0"))
    rating_apply(card, ScoringPolicy())
    assert (card.status, card.overall, card.stars) == (EntryStatus.NOT_ASSESSED, None, None)


def test_ties_are_broken_by_poe_then_service_quality_then_dealer_code():
    def card(dealer_id, overall, poe, service_quality):
        return Scorecard(dealer_id=dealer_id, month="2026-10", overall=Decimal(overall), poe=Decimal(poe),
                         service_quality=Decimal(service_quality), status=EntryStatus.RATED)

    cards = [card(1, "80.0", "70.0", "90.0"), card(2, "80.0", "90.0", "70.0"), card(3, "80.0", "70.0", "90.0"),
             card(4, "85.0", "60.0", "99.0"), card(5, "80.0", "70.0", "91.0"),
             Scorecard(dealer_id=6, month="2026-10", status=EntryStatus.NOT_ASSESSED)]
    codes = {1: "MX-B", 2: "MX-Z", 3: "MX-A", 4: "MX-Y", 5: "MX-X", 6: "MX-0"}
    assert [c.dealer_id for c in ranked(cards, codes)] == [4, 2, 5, 3, 1]


# --- From the platform's records -----------------------------------------------------------------------------


@pytest.fixture
def greeting_only(network):
    """One KPI (customers greeted on time, target 90 %), a minimum sample of 4."""
    with tenant_scope(TenantScope.for_network(network.pk)):
        kpi_set_replace(network=network, rows=[{"code": "greeting", "name": "Greeting", "measure": "greeted_on_time",
                                                "focus_area": 1, "category": "speed", "target": 90, "weight": 100}])
        ScoringPolicy.objects.create(network=network, min_sample=4)


def test_service_quality_is_computed_from_the_promises_advisors_recorded(
        dealer, advisor, network, greeting_only, submitted_poe, last_month_shift):
    for index in range(5):
        delivered_job(dealer, advisor, number=f"RO-{index}", shift=last_month_shift, kept_greeting=index != 0)
    delivered_job(dealer, advisor, number="RO-NOW", shift=timedelta(0), kept_greeting=False)  # this month: not counted
    submitted_poe(dealer, last_month(), {"SP.1": 8, "SP.2": None, "SI.1": 5})
    with tenant_scope(TenantScope.for_network(network.pk)):
        card = scorecards_compute(network=network, month=last_month(), dealers=[dealer])[dealer.pk]
    greeting = card.kpis[0]
    # 4 of 5 greeted on time = 80 %; against a 90 % target: 88.88…. POE (8 + 5) / (10 + 10) = 65 %.
    assert (greeting.cases, greeting.met, greeting.value, greeting.score) == (5, 4, 80, Fraction(800, 9))
    # Overall (65 + 88.88…) / 2 = 76.94…, shown 76.9 (rounding the KPI score to 88.9 first made it 77.0).
    assert (shown(card.poe), shown(card.service_quality), shown(card.overall), card.stars) == (
        Decimal("65.0"), Decimal("88.9"), Decimal("76.9"), 3)
    assert [(s["title"], s["achieved"], s["applicable"], s["percent"]) for s in card.poe_sections] == [
        ("Service process", 8, 10, 80.0), ("Stock inventory", 5, 10, 50.0)]


def test_a_kpi_below_the_minimum_sample_shows_not_enough_data(
        dealer, advisor, network, greeting_only, submitted_poe, last_month_shift):
    for index in range(3):
        delivered_job(dealer, advisor, number=f"RO-{index}", shift=last_month_shift)
    submitted_poe(dealer, last_month(), {"SP.1": 10, "SP.2": 5, "SI.1": 10})
    with tenant_scope(TenantScope.for_network(network.pk)):
        card = scorecards_compute(network=network, month=last_month(), dealers=[dealer])[dealer.pk]
    assert (card.kpis[0].cases, card.kpis[0].enough_data, card.kpis[0].score) == (3, False, None)
    assert (card.poe, card.service_quality, card.status) == (Decimal("100.0"), None, EntryStatus.NOT_ENOUGH_DATA)


def test_self_assessments_and_drafts_never_count_as_hq_poe(dealer, network, small_poe, hq):
    from scoring.models import ChecklistItem
    from scoring.services import assessment_score, assessment_start

    with tenant_scope(TenantScope.for_network(network.pk)):
        items = list(ChecklistItem.objects.filter(section__template=small_poe))
        own = assessment_start(dealer=dealer, template=small_poe, month=last_month(), is_self_assessment=True)
        draft = assessment_start(dealer=dealer, template=small_poe, month=last_month(), by=hq)
        for assessment in (own, draft):
            for item in items:
                assessment_score(assessment=assessment, item=item, points=item.max_points)
        card = scorecards_compute(network=network, month=last_month(), dealers=[dealer])[dealer.pk]
    assert (card.poe, card.status) == (None, EntryStatus.NOT_ASSESSED)


# --- Publishing ----------------------------------------------------------------------------------------------


@pytest.fixture
def rated_dealers(network, region, other_region, dealer, advisor, greeting_only, submitted_poe, last_month_shift):
    """Seven dealers in two regions with POE 100, 96, 92, … and every customer greeted on time; one unassessed."""
    dealers = [dealer] + [factories.DealerFactory(region=region if i % 2 else other_region, code=f"MX-{i:02d}")
                          for i in range(1, 8)]
    poe_points = [20, 19, 18, 17, 16, 15, 14]  # SP.1 + SI.1 (SP.2 not applicable): 100 %, 95 %, 90 %, …
    for index, each in enumerate(dealers):
        for number in range(4):
            delivered_job(each, advisor, number=f"RO-{index}-{number}", shift=last_month_shift)
    for each, points in zip(dealers, poe_points, strict=False):
        submitted_poe(each, last_month(), {"SP.1": 10, "SP.2": None, "SI.1": points - 10})
    return dealers  # dealers[7] has jobs but no assessment


def test_the_month_is_published_with_ranks_top_five_regions_and_the_unassessed(network, rated_dealers, publish):
    ranking, published = publish(last_month())
    assert published and ranking.version == 1 and ranking.is_current
    with tenant_scope(TenantScope.for_network(network.pk)):
        entries = {entry.dealer_id: entry for entry in ranking.entries.all()}
    assert len(entries) == 8
    lines = [(entries[d.pk].rank_network, entries[d.pk].poe, entries[d.pk].overall, entries[d.pk].is_top_five)
             for d in rated_dealers]
    # Service Quality is 100 for everyone (every greeting kept), so the overall is (POE + 100) / 2.
    assert lines == [(1, Decimal("100.0"), Decimal("100.0"), True), (2, Decimal("95.0"), Decimal("97.5"), True),
                     (3, Decimal("90.0"), Decimal("95.0"), True), (4, Decimal("85.0"), Decimal("92.5"), True),
                     (5, Decimal("80.0"), Decimal("90.0"), True), (6, Decimal("75.0"), Decimal("87.5"), False),
                     (7, Decimal("70.0"), Decimal("85.0"), False), (None, None, None, False)]
    unassessed = entries[rated_dealers[7].pk]
    assert (unassessed.status, unassessed.service_quality, unassessed.stars) == (
        EntryStatus.NOT_ASSESSED, Decimal("100.0"), None)
    # Regions: the first dealer, MX-01, MX-03, MX-05 in one; MX-02, MX-04, MX-06 in the other.
    region_ranks = [entries[d.pk].rank_region for d in rated_dealers[:7]]
    assert region_ranks == [1, 2, 1, 3, 2, 4, 3]
    assert [entries[d.pk].stars for d in rated_dealers[:7]] == [5, 5, 5, 5, 5, 4, 4]


def test_publishing_twice_does_not_publish_twice(network, rated_dealers, publish):
    first, _ = publish(last_month())
    again, published = publish(last_month())
    assert (again.pk, published) == (first.pk, False)
    with unscoped():
        assert Ranking.objects.filter(network=network).count() == 1
        assert RankingEntry.objects.filter(ranking__network=network).count() == 8


def test_the_published_snapshot_does_not_change_when_later_records_change(
        network, rated_dealers, publish, network_admin):
    ranking, _ = publish(last_month())
    with unscoped():
        PromiseCheck.objects.filter(number=1).update(status="broken")  # every greeting now counts as late
    with tenant_scope(TenantScope.for_network(network.pk)):
        kpi_set_replace(network=network, rows=[{"code": "as-agreed", "measure": "done_as_agreed", "focus_area": 4,
                                                "category": "compliance", "target": 50, "weight": 100}])
        entry = ranking.entries.get(dealer=rated_dealers[1])
        assert (entry.service_quality, entry.overall, entry.rank_network) == (Decimal("100.0"), Decimal("97.5"), 2)
        assert [kpi["code"] for kpi in entry.details["kpis"]] == ["greeting"]
        live = scorecards_compute(network=network, month=last_month(), dealers=[rated_dealers[1]])
    assert live[rated_dealers[1].pk].kpis[0].code == "as-agreed"  # the live figures moved on; the snapshot did not


def test_republishing_needs_a_network_admin_and_a_reason_and_keeps_the_old_version(
        network, rated_dealers, publish, network_admin, hq):
    first, _ = publish(last_month())
    with pytest.raises(ValidationError, match="Only a network admin"):
        publish(last_month(), republish=True, by=hq, reason="typo", is_network_admin=False)
    with pytest.raises(ValidationError) as no_reason:
        publish(last_month(), republish=True, by=network_admin, reason=" ", is_network_admin=True)
    assert no_reason.value.message_dict["reason"] == ["Say why the ranking is republished."]
    second, published = publish(last_month(), republish=True, by=network_admin, reason="POE corrected",
                                is_network_admin=True)
    assert published and second.version == 2 and second.reason == "POE corrected"
    first.refresh_from_db()
    assert not first.is_current
    with tenant_scope(TenantScope.for_network(network.pk)):
        assert first.entries.count() == second.entries.count() == 8


def test_the_change_since_last_month_is_kept_on_each_line(network, rated_dealers, publish):
    month_before = (last_month() - timedelta(days=1)).replace(day=1)
    with unscoped():  # the month before: the same jobs, but only two dealers assessed
        ServiceJob.objects.update(arrived_at=F("arrived_at") - timedelta(days=31),
                                  delivered_at=F("delivered_at") - timedelta(days=31))
    with tenant_scope(TenantScope.for_network(network.pk)):
        Assessment.objects.filter(dealer=rated_dealers[0]).update(month=month_before)
        Assessment.objects.filter(dealer=rated_dealers[6]).update(month=month_before)
    before, _ = publish(month_before)
    with unscoped():
        ServiceJob.objects.update(arrived_at=F("arrived_at") + timedelta(days=31),
                                  delivered_at=F("delivered_at") + timedelta(days=31))
    with tenant_scope(TenantScope.for_network(network.pk)):
        Assessment.objects.filter(dealer__in=[rated_dealers[0], rated_dealers[6]]).update(month=last_month())
    after, _ = publish(last_month())
    with tenant_scope(TenantScope.for_network(network.pk)):
        assert [(e.dealer_id, e.rank_network) for e in before.entries.exclude(rank_network=None)] == [
            (rated_dealers[0].pk, 1), (rated_dealers[6].pk, 2)]
        first, seventh, new = (after.entries.get(dealer=rated_dealers[index]) for index in (0, 6, 1))
    assert (first.rank_network, first.previous_rank, first.movement) == (1, 1, 0)
    assert (seventh.rank_network, seventh.previous_rank, seventh.movement) == (7, 2, -5)
    assert (new.rank_network, new.previous_rank, new.movement) == (2, None, None)


def test_a_month_in_the_future_or_still_running_is_refused(network, publish):
    with pytest.raises(ValidationError) as future:
        publish(date(2099, 1, 1))
    assert "is in the future" in future.value.message_dict["month"][0]
    with pytest.raises(ValidationError) as running:
        publish(timezone.localdate().replace(day=1))
    assert "is not over yet" in running.value.message_dict["month"][0]


def test_the_scheduled_run_waits_for_the_publishing_hour_of_the_first(network, rated_dealers):
    zone = ZoneInfo(network.time_zone)
    first_of_month = timezone.localdate(timezone=zone).replace(day=1)
    early = timezone.make_aware(timezone.datetime.combine(first_of_month, timezone.datetime.min.time())
                                + timedelta(hours=2), zone)
    with tenant_scope(TenantScope.for_network(network.pk)):
        assert ranking_publish_due(network=network, now=early) is None  # 02:00: before the 03:00 default
        ranking = ranking_publish_due(network=network, now=early + timedelta(hours=1))
        assert ranking is not None and ranking.month == last_month()
        assert ranking_publish_due(network=network, now=early + timedelta(hours=2)) is None  # already published
