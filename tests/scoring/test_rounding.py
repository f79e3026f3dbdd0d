"""Scores are computed from unrounded figures and rounded once, half up, only where they are shown; stars and
ranks are decided on the unrounded figures, and exports and the published snapshot keep them.
"""

import csv
import io
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from django.test import Client

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from scoring.models import EntryStatus, RankingEntry, ScoringPolicy
from scoring.rules import Scorecard, ranked, shown
from scoring.services import kpi_set_replace
from servicejobs.models import PromiseCheck, PromiseCheckStatus
from tests.scoring.conftest import last_month
from tests.scoring.test_ranking_pages import serviced

pytestmark = pytest.mark.django_db

THREE_KPIS = [
    {"code": "greeting", "name": "Greeting", "measure": "greeted_on_time", "focus_area": 1, "category": "speed",
     "target": 90, "weight": 40},
    {"code": "explanation", "name": "Explanation", "measure": "work_explained", "focus_area": 2,
     "category": "compliance", "target": 97, "weight": 30},
    {"code": "ready", "name": "Ready on time", "measure": "ready_on_time", "focus_area": 3, "category": "speed",
     "target": 90, "weight": 30},
]
# Worked by hand (POE weight 50, four stars from 80):
#   greeting     2 of 3 = 66.67 % against 90 %: score 74.074…   (rounded first: 74.1)
#   explanation  1 of 3 = 33.33 % against 97 %: score 34.364…   (rounded first: 34.4)
#   ready        3 of 3 = 100 %   against 90 %: score 100
#   Service Quality = (74.074… × 40 + 34.364… × 30 + 100 × 30) / 100 = 69.9389…  (rounded first: 69.96 → 70.0)
#   POE 18 of 20 = 90 %; overall = (90 + 69.9389…) / 2 = 79.9695…: shown 80.0 but below 80, so three stars
#   (rounded first: (90 + 70.0) / 2 = 80.0, four stars).
EXACT_SERVICE_QUALITY = 2 * 100 * 100 * 40 / (3 * 90 * 100) + 100 * 100 * 30 / (3 * 97 * 100) + 30
EXACT_OVERALL = (90 + EXACT_SERVICE_QUALITY) / 2


@pytest.fixture
def just_below_four_stars(network, dealer, submitted_poe, publish):
    """The dealer's last month as worked out above: three jobs, three KPIs, POE 90 %."""
    with tenant_scope(TenantScope.for_network(network.pk)):
        kpi_set_replace(network=network, rows=THREE_KPIS)
        ScoringPolicy.objects.create(network=network, min_sample=3)
    jobs = serviced(dealer, last_month(), jobs=3)
    with unscoped():
        PromiseCheck.objects.filter(job=jobs[0], number=1).update(status=PromiseCheckStatus.BROKEN)
        PromiseCheck.objects.filter(job__in=jobs[:2], number=4).update(status=PromiseCheckStatus.BROKEN)
    submitted_poe(dealer, last_month(), {"SP.1": 8, "SP.2": None, "SI.1": 10})
    return dealer


def _scorecard(user, dealer) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/n/{dealer.network.slug}/d/{dealer.code}/scorecard/?month={last_month():%Y-%m}")
    assert response.status_code == 200
    return response.content.decode()


def _shown(page: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', page).group(1).strip()


def test_service_quality_and_stars_come_from_the_unrounded_kpi_scores(hq, just_below_four_stars):
    page = _scorecard(hq, just_below_four_stars)
    assert _shown(page, "service-quality") == "69.9%"  # not 70.0, from scores rounded before weighting
    assert _shown(page, "overall") == "80.0%"
    assert _shown(page, "stars") == "★★★"  # 79.97 is below the four-star threshold of 80
    kpi = re.search(r'data-testid="kpi-greeting">(.*?)</tr>', page, re.S).group(1)
    assert 'data-col="value">66.7 %<' in kpi and 'data-col="score">74.1<' in kpi


def test_the_published_snapshot_and_its_exports_keep_the_unrounded_figures(
        hq, network, just_below_four_stars, publish):
    ranking, _published = publish(last_month())
    with tenant_scope(TenantScope.for_network(network.pk)):
        entry = RankingEntry.objects.get(ranking=ranking, dealer=just_below_four_stars)
    assert entry.service_quality == pytest.approx(EXACT_SERVICE_QUALITY, abs=1e-9)
    assert entry.overall == pytest.approx(EXACT_OVERALL, abs=1e-9)
    assert (entry.stars, entry.rank_network) == (3, 1)
    greeting = next(kpi for kpi in entry.details["kpis"] if kpi["code"] == "greeting")
    assert greeting["value"] == pytest.approx(200 / 3, abs=1e-9)
    assert greeting["score"] == pytest.approx(20000 / 270, abs=1e-9)

    client = Client()
    client.force_login(hq)
    header, *lines = csv.reader(io.StringIO(client.get(f"/n/{network.slug}/ranking/export/csv/").content
                                            .decode("utf-8-sig")))
    line = dict(zip(header, lines[0], strict=True))
    assert float(line["Service Quality (%)"]) == pytest.approx(EXACT_SERVICE_QUALITY, abs=1e-9)
    assert float(line["Overall (%)"]) == pytest.approx(EXACT_OVERALL, abs=1e-9)
    assert line["Stars"] == "3"
    card = client.get(f"/n/{network.slug}/d/{just_below_four_stars.code}/scorecard/export/csv/"
                      f"?month={last_month():%Y-%m}").content.decode("utf-8-sig")
    rows = {(row[0], row[1]): row for row in csv.reader(io.StringIO(card))}
    assert float(rows[("Summary", "Service Quality")][2]) == pytest.approx(EXACT_SERVICE_QUALITY, abs=1e-9)
    assert float(rows[("KPI", "Explanation")][9]) == pytest.approx(10000 / 291, abs=1e-9)


def test_the_api_shows_one_decimal_and_gives_the_unrounded_figures_beside_them(
        api_as, hq, just_below_four_stars, publish):
    publish(last_month())
    card = api_as(hq).get(f"/api/v1/scorecards/{just_below_four_stars.pk}/{last_month():%Y-%m}/").json()
    assert (card["service_quality"], card["overall"], card["stars"]) == (69.9, 80.0, 3)
    assert card["unrounded"]["service_quality"] == pytest.approx(EXACT_SERVICE_QUALITY, abs=1e-9)
    assert card["unrounded"]["overall"] == pytest.approx(EXACT_OVERALL, abs=1e-9)
    greeting = next(kpi for kpi in card["kpis"] if kpi["code"] == "greeting")
    assert (greeting["value"], greeting["score"], greeting["effective_weight"]) == (66.7, 74.1, 40.0)
    assert greeting["unrounded"]["score"] == pytest.approx(20000 / 270, abs=1e-9)


@pytest.mark.parametrize(("value", "places", "text"), [
    (76.25, 1, "76.3"),                # halves go up
    (76.35, 1, "76.4"),                # a float counts as the decimal it prints as, not 76.34999…
    (2.675, 2, "2.68"),                # (Python's round() gives 2.67 here)
    (Fraction(800, 9), 1, "88.9"),
    (Fraction(1999, 20), 1, "100.0"),  # 99.95
    (Decimal("0.04"), 1, "0.0"),
    (100, 1, "100.0"),
])
def test_a_figure_is_shown_rounded_half_up(value, places, text):
    assert str(shown(value, places)) == text
    assert shown(None) is None


def test_dealers_shown_with_the_same_overall_are_ranked_by_the_unrounded_one():
    def card(dealer_id, overall, poe):
        return Scorecard(dealer_id=dealer_id, month="2026-10", overall=Fraction(overall), poe=Fraction(poe),
                         service_quality=Fraction(80), status=EntryStatus.RATED)

    # Both show 80.0; the higher POE no longer wins, the higher unrounded overall does. Exactly equal: POE.
    cards = [card(1, "79.96", "90"), card(2, "80.04", "70"), card(3, "80.04", "75")]
    assert [c.dealer_id for c in ranked(cards, {1: "MX-A", 2: "MX-B", 3: "MX-C"})] == [3, 2, 1]
    assert {shown(c.overall) for c in cards} == {Decimal("80.0")}
