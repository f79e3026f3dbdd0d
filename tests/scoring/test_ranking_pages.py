"""The ranking, scorecard, KPI-record and quarterly pages, as HQ, admins, regional managers and dealer staff see them.

The data: eight dealers in two regions. Six are rated (POE from a submitted assessment, Service Quality
100 % from jobs whose promises were all kept, default KPIs, minimum sample 1), one has POE but no jobs
("not enough data"), one has jobs but no POE ("not assessed"). Overall = (POE + 100) / 2.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape

from accounts.models import User
from dealer_portal.tenancy.calendar import local_today
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
from scoring.models import EntryStatus, Ranking, RankingEntry, ScoringPolicy
from scoring.selectors import quarterly_achievers
from servicejobs import services as job_services
from servicejobs.models import JobStatus, PromiseCheck, PromiseCheckStatus, ServiceJob
from tests import factories

pytestmark = pytest.mark.django_db

# code: (region, POE points {SP.1 /10, SP.2 /5, SI.1 /10} or None, jobs) → POE %, overall %
DEALERS = {
    "NTE-001": ("NTE", {"SP.1": 10, "SP.2": 5, "SI.1": 10}, 2),  # POE 100.0, overall 100.0, 5 stars
    "SUR-001": ("SUR", {"SP.1": 10, "SP.2": 5, "SI.1": 8}, 2),  # 92.0, 96.0, 5 stars
    "NTE-002": ("NTE", {"SP.1": 10, "SP.2": 5, "SI.1": 5}, 2),  # 80.0, 90.0, 5 stars
    "SUR-002": ("SUR", {"SP.1": 10, "SP.2": 0, "SI.1": 5}, 2),  # 60.0, 80.0, 4 stars
    "NTE-003": ("NTE", {"SP.1": 5, "SP.2": 0, "SI.1": 5}, 2),  # 40.0, 70.0, 3 stars
    "SUR-003": ("SUR", {"SP.1": 5, "SP.2": 0, "SI.1": 0}, 2),  # 20.0, 60.0, 2 stars
    "SUR-004": ("SUR", {"SP.1": 10, "SP.2": 5, "SI.1": 10}, 0),  # POE 100.0, no jobs: not enough data
    "NTE-004": ("NTE", None, 2),  # jobs, no POE: not assessed
}
RANK_ORDER = ["NTE-001", "SUR-001", "NTE-002", "SUR-002", "NTE-003", "SUR-003", "NTE-004", "SUR-004"]
# The month before: NTE-001 second, SUR-001 first, NTE-002 third; the others were not rated.
PREVIOUS = {"SUR-001": {"SP.1": 10, "SP.2": 5, "SI.1": 10}, "NTE-001": {"SP.1": 10, "SP.2": 5, "SI.1": 5},
            "NTE-002": {"SP.1": 5, "SP.2": 5, "SI.1": 5}}


def month_before(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


def serviced(dealer, month: date, *, jobs: int, advisor=None) -> list[ServiceJob]:
    """``jobs`` jobs that arrived on the 15th of ``month``, delivered, with promises 1–8 all kept."""
    arrived = datetime(month.year, month.month, 15, 17, 0, tzinfo=UTC)
    made = []
    with tenant_scope(TenantScope.for_dealer(dealer)):
        for number in range(jobs):
            vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
            job = job_services.job_create(dealer=dealer, number=f"RO-{month:%Y%m}-{number + 1}",
                                          customer=vehicle.customer, vehicle=vehicle, advisor=advisor,
                                          appointment_at=arrived, work_category="maintenance")
            ServiceJob.objects.filter(pk=job.pk).update(arrived_at=arrived, status=JobStatus.DELIVERED,
                                                        delivered_at=arrived + timedelta(hours=3))
            PromiseCheck.objects.filter(job=job).delete()
            PromiseCheck.objects.bulk_create([
                PromiseCheck(dealer=dealer, job=job, number=promise, status=PromiseCheckStatus.KEPT, reason="kept",
                             evaluated_at=timezone.now()) for promise in range(1, 9)])
            made.append(job)
    return made


@dataclass
class RankedNetwork:
    network: object
    dealers: dict
    month: date
    previous: date


def build_ranked_network(*, network, region, other_region, dealer, other_dealer, submitted_poe, publish,
                         previous_month: bool = True) -> RankedNetwork:
    """The eight dealers of ``DEALERS``, their records, and the published rankings of last month (and the one
    before, when ``previous_month``)."""
    ScoringPolicy.objects.create(network=network, min_sample=1)
    regions = {"NTE": region, "SUR": other_region}
    dealers = {"NTE-001": dealer, "SUR-001": other_dealer}
    for code, (region_code, _points, _jobs) in DEALERS.items():
        if code not in dealers:
            dealers[code] = factories.DealerFactory(region=regions[region_code], code=code, name=f"Aurora {code}",
                                                    time_zone="America/Monterrey")
    month = month_before(local_today(network).replace(day=1))
    previous = month_before(month)
    if previous_month:
        for code, points in PREVIOUS.items():
            submitted_poe(dealers[code], previous, points)
            serviced(dealers[code], previous, jobs=1)
        publish(previous)
    for code, (_region, points, jobs) in DEALERS.items():
        if points is not None:
            submitted_poe(dealers[code], month, points)
        serviced(dealers[code], month, jobs=jobs)
    publish(month)
    return RankedNetwork(network=network, dealers=dealers, month=month, previous=previous)


@pytest.fixture
def ranked(network, region, other_region, dealer, other_dealer, submitted_poe, publish):
    return build_ranked_network(network=network, region=region, other_region=other_region, dealer=dealer,
                                other_dealer=other_dealer, submitted_poe=submitted_poe, publish=publish)


class _Rows(HTMLParser):
    """The ranking table's lines: {dealer code: {column: text}} in page order, with links and top-five marks."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, dict] = {}
        self._row = None
        self._col = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        testid = attrs.get("data-testid") or ""
        if tag == "tr" and testid.startswith("line-"):
            self._row = {"links": [], "top_five": False, "own": attrs.get("aria-current") == "true"}
            self.rows[testid.removeprefix("line-")] = self._row
        elif self._row is not None and tag == "td":
            self._col = attrs.get("data-col")
            self._row[self._col] = ""
        elif self._row is not None and tag == "a":
            self._row["links"].append(attrs.get("href"))
        elif self._row is not None and testid == "top-five":
            self._row["top_five"] = True

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None
        if tag == "td" and self._row is not None and self._col:
            self._row[self._col] = " ".join(self._row[self._col].split())
            self._col = None

    def handle_data(self, data):
        if self._row is not None and self._col:
            self._row[self._col] += data


def ranking_rows(response) -> dict[str, dict]:
    parser = _Rows()
    parser.feed(response.content.decode())
    return parser.rows


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ranking_url(ranked, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"/n/{ranked.network.slug}/ranking/" + (f"?{query}" if query else "")


# --- The network ranking ------------------------------------------------------------------------------------


def test_hq_sees_last_months_ranking_in_rank_order_with_the_top_five_marked(ranked, hq):
    response = client_for(hq).get(ranking_url(ranked))
    assert response.status_code == 200
    rows = ranking_rows(response)
    assert list(rows) == RANK_ORDER
    assert [code for code, row in rows.items() if row["top_five"]] == RANK_ORDER[:5]
    assert rows["NTE-001"]["rank"] == "1 Top 5" and rows["SUR-003"]["rank"] == "6"
    assert [rows[code]["overall"] for code in RANK_ORDER[:6]] == ["100.0", "96.0", "90.0", "80.0", "70.0", "60.0"]
    assert [rows[code]["poe"] for code in RANK_ORDER[:6]] == ["100.0", "92.0", "80.0", "60.0", "40.0", "20.0"]
    assert rows["SUR-001"]["service_quality"] == "100.0" and rows["SUR-001"]["speed"] == "100.0"
    assert [rows[code]["stars"] for code in RANK_ORDER[:6]] == ["★★★★★", "★★★★★", "★★★★★", "★★★★", "★★★", "★★"]
    assert [rows[code]["region_rank"] for code in RANK_ORDER[:6]] == ["1", "1", "2", "2", "3", "3"]
    # Movement since the month before: NTE-001 2nd → 1st, SUR-001 1st → 2nd, NTE-002 stays 3rd.
    assert [rows[code]["movement"] for code in RANK_ORDER] == ["▲1", "▼1", "–", "new", "new", "new", "", ""]
    assert rows["SUR-004"]["status"] == "Not enough data for a rating"
    assert rows["NTE-004"]["status"] == "Not assessed this month"
    page = response.content.decode()
    assert ranked.month.strftime("%B %Y") in page
    assert "ordered by overall, then POE, then Service Quality, then dealer code" in page


def test_a_spanish_reader_sees_the_ranking_figures_with_a_decimal_comma(ranked, hq):
    User.objects.filter(pk=hq.pk).update(language="es")
    rows = ranking_rows(client_for(hq).get(ranking_url(ranked)))
    assert [rows[code]["overall"] for code in RANK_ORDER[:3]] == ["100,0", "96,0", "90,0"]
    assert rows["SUR-001"]["poe"] == "92,0" and rows["SUR-001"]["service_quality"] == "100,0"
    assert rows["SUR-001"]["speed"] == "100,0" and rows["SUR-001"]["compliance"] == "100,0"


def test_every_dealer_name_links_to_its_scorecard_of_that_month(ranked, hq):
    rows = ranking_rows(client_for(hq).get(ranking_url(ranked)))
    month = ranked.month.strftime("%Y-%m")
    assert rows["SUR-002"]["links"][-1] == f"/n/aurora/d/SUR-002/scorecard/?month={month}"
    assert all(len(row["links"]) == 1 for row in rows.values())


def test_a_regional_manager_sees_the_whole_ranking_but_links_only_to_the_regions_scorecards(ranked, regional_manager):
    response = client_for(regional_manager).get(ranking_url(ranked))
    rows = ranking_rows(response)
    assert list(rows) == RANK_ORDER
    linked = [code for code, row in rows.items() if any("/scorecard/" in link for link in row["links"])]
    assert linked == ["NTE-001", "NTE-002", "NTE-003", "NTE-004"]


def test_the_month_picker_lists_published_months_and_an_older_month_can_be_chosen(ranked, hq):
    client = client_for(hq)
    page = client.get(ranking_url(ranked)).content.decode()
    assert re.findall(r'<option value="(\d{4}-\d\d)"', page) == [ranked.month.strftime("%Y-%m"),
                                                                  ranked.previous.strftime("%Y-%m")]
    rows = ranking_rows(client.get(ranking_url(ranked, month=ranked.previous.strftime("%Y-%m"))))
    assert [code for code, row in rows.items() if row["rank"]] == ["SUR-001", "NTE-001", "NTE-002"]


def test_region_and_star_filters_narrow_the_lines(ranked, hq):
    client = client_for(hq)
    assert list(ranking_rows(client.get(ranking_url(ranked, region="SUR")))) == [
        "SUR-001", "SUR-002", "SUR-003", "SUR-004"]
    assert list(ranking_rows(client.get(ranking_url(ranked, stars=5)))) == ["NTE-001", "SUR-001", "NTE-002"]
    assert list(ranking_rows(client.get(ranking_url(ranked, region="NTE", stars=5)))) == ["NTE-001", "NTE-002"]
    empty = client.get(ranking_url(ranked, region="SUR", stars=3))
    assert ranking_rows(empty) == {} and "No dealer matches these filters." in empty.content.decode()


def test_an_unknown_region_or_star_count_is_a_clear_400(ranked, hq):
    response = client_for(hq).get(ranking_url(ranked, region="XXX", stars=9))
    assert response.status_code == 400
    assert "Select a valid choice. XXX is not one of the available choices." in response.content.decode()


@pytest.mark.parametrize(("sort", "order"), [
    ("poe", ["SUR-003", "NTE-003", "SUR-002", "NTE-002", "SUR-001", "NTE-001", "SUR-004", "NTE-004"]),
    ("-poe", ["NTE-001", "SUR-001", "NTE-002", "SUR-002", "NTE-003", "SUR-003", "SUR-004", "NTE-004"]),
    ("overall", ["SUR-003", "NTE-003", "SUR-002", "NTE-002", "SUR-001", "NTE-001", "NTE-004", "SUR-004"]),
    ("-rank", ["SUR-003", "NTE-003", "SUR-002", "NTE-002", "SUR-001", "NTE-001", "NTE-004", "SUR-004"]),
    ("region", ["NTE-001", "NTE-002", "NTE-003", "SUR-001", "SUR-002", "SUR-003", "NTE-004", "SUR-004"]),
    ("stars", ["SUR-003", "NTE-003", "SUR-002", "NTE-001", "SUR-001", "NTE-002", "NTE-004", "SUR-004"]),
    ("-speed", ["NTE-001", "SUR-001", "NTE-002", "SUR-002", "NTE-003", "SUR-003", "NTE-004", "SUR-004"]),
])
def test_sorting_by_a_column_orders_the_rated_lines_and_keeps_unrated_ones_last(ranked, hq, sort, order):
    assert list(ranking_rows(client_for(hq).get(ranking_url(ranked, sort=sort)))) == order


def test_the_ranking_page_runs_the_same_queries_whatever_the_number_of_dealers(ranked, hq, region, publish):
    for number in range(5, 9):
        factories.DealerFactory(region=region, code=f"NTE-00{number}")
    publish(ranked.month, republish=True, is_network_admin=True, reason="four new dealers")
    client = client_for(hq)
    counts = []
    for version, lines in ((1, 8), (2, 12)):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ranking_url(ranked, month=f"{ranked.month:%Y-%m}", version=version))
        assert len(ranking_rows(response)) == lines
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_month_in_the_future_or_a_malformed_month_is_a_clear_400(ranked, hq):
    client = client_for(hq)
    future = client.get(ranking_url(ranked, month="2099-01"))
    assert future.status_code == 400
    assert "January 2099 is in the future." in future.content.decode()
    malformed = client.get(ranking_url(ranked, month="May"))
    assert malformed.status_code == 400
    assert "Give the month as YYYY-MM, for example 2026-10." in malformed.content.decode()


def test_a_network_without_a_published_ranking_shows_an_empty_state(network, hq):
    response = client_for(hq).get(f"/n/{network.slug}/ranking/")
    assert response.status_code == 200
    assert "No ranking has been published yet." in response.content.decode()
    assert ranking_rows(response) == {}


def test_months_in_messages_and_the_month_picker_read_in_the_readers_language(ranked, hq):
    User.objects.filter(pk=hq.pk).update(language="es")
    page = client_for(hq).get(ranking_url(ranked, month="2020-01")).content.decode()
    assert "No se ha publicado ninguna clasificación de enero de 2020." in page
    # The picker's options say the month in words; their values stay what the URL carries.
    with translation.override("es"):
        month_name = date_format(ranked.month, "YEAR_MONTH_FORMAT")
    assert re.search(rf'<option value="{ranked.month:%Y-%m}"[^>]*>{month_name}</option>', page)
    assert " de " in month_name  # "octubre de 2026"


def test_a_month_without_a_ranking_says_so_and_lists_the_published_months(ranked, hq):
    response = client_for(hq).get(ranking_url(ranked, month="2020-01"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "No ranking has been published for January 2020." in page
    assert f'href="?month={ranked.month:%Y-%m}"' in page


# --- Republishing -------------------------------------------------------------------------------------------


def test_a_network_admin_republishes_with_a_reason_and_both_versions_stay_visible(ranked, network_admin, dealer):
    client = client_for(network_admin)
    month = ranked.month.strftime("%Y-%m")
    assert "Republish this month" in client.get(ranking_url(ranked)).content.decode()
    # A late POE correction: NTE-002 loses its SI.1 points, then the month is republished.
    with tenant_scope(TenantScope.for_network(ranked.network.pk)):
        from scoring.models import AssessmentScore

        AssessmentScore.objects.filter(dealer=ranked.dealers["NTE-002"], assessment__month=ranked.month,
                                       item__code="SI.1").update(points=0)
    response = client.post(f"/n/aurora/ranking/republish/?month={month}",
                           {"month": month, "reason": "POE of NTE-002 corrected"})
    assert response.status_code == 302
    assert response["Location"] == f"/n/aurora/ranking/?month={month}&version=2"
    current = client.get(response["Location"])
    page = current.content.decode()
    assert "Version 2, published" in page and "Reason: POE of NTE-002 corrected" in page
    rows = ranking_rows(current)
    assert rows["NTE-002"]["poe"] == "60.0" and rows["NTE-002"]["overall"] == "80.0"
    older = client.get(ranking_url(ranked, month=month, version=1))
    assert "This is an older version; it has been replaced." in older.content.decode()
    assert ranking_rows(older)["NTE-002"]["overall"] == "90.0"
    with tenant_scope(TenantScope.for_network(ranked.network.pk)):
        assert list(Ranking.objects.filter(month=ranked.month).values_list("version", "is_current")) == [
            (2, True), (1, False)]


def test_republishing_without_a_reason_is_refused_in_the_page(ranked, network_admin):
    month = ranked.month.strftime("%Y-%m")
    response = client_for(network_admin).post(f"/n/aurora/ranking/republish/?month={month}",
                                              {"month": month, "reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    with tenant_scope(TenantScope.for_network(ranked.network.pk)):
        assert Ranking.objects.filter(month=ranked.month).count() == 1


def test_republishing_the_running_month_shows_the_services_message(ranked, network_admin):
    this_month = local_today(ranked.network).strftime("%Y-%m")
    response = client_for(network_admin).post(f"/n/aurora/ranking/republish/?month={this_month}",
                                              {"month": this_month, "reason": "why not"})
    assert response.status_code == 400
    assert f"{local_today(ranked.network):%B %Y} is not over yet" in response.content.decode()


def test_only_network_admins_may_republish(ranked, hq, regional_manager, advisor):
    month = ranked.month.strftime("%Y-%m")
    data = {"month": month, "reason": "I would like to"}
    assert "Republish this month" not in client_for(hq).get(ranking_url(ranked)).content.decode()
    assert client_for(hq).post("/n/aurora/ranking/republish/", data).status_code == 403
    assert client_for(regional_manager).post("/n/aurora/ranking/republish/", data).status_code == 403
    assert client_for(advisor).post("/n/aurora/ranking/republish/", data).status_code == 404
    with tenant_scope(TenantScope.for_network(ranked.network.pk)):
        assert Ranking.objects.filter(month=ranked.month).count() == 1


# --- What dealer staff see ----------------------------------------------------------------------------------


def test_dealer_staff_see_the_whole_ranking_with_only_their_own_line_linked(ranked, advisor):
    response = client_for(advisor).get("/n/aurora/d/NTE-001/ranking/")
    assert response.status_code == 200
    rows = ranking_rows(response)
    assert list(rows) == RANK_ORDER
    assert [code for code, row in rows.items() if row["own"]] == ["NTE-001"]
    links = [link for row in rows.values() for link in row["links"]]
    assert links == [f"/n/aurora/d/NTE-001/scorecard/?month={ranked.month:%Y-%m}"]


def test_dealer_staff_get_404_on_another_dealers_scorecard_records_and_the_hq_pages(ranked, advisor):
    client = client_for(advisor)
    for url in ["/n/aurora/d/SUR-001/scorecard/", "/n/aurora/d/SUR-001/scorecard/kpi/greeting/",
                "/n/aurora/d/SUR-001/scorecard/export/csv/", "/n/aurora/d/SUR-001/ranking/",
                "/n/aurora/ranking/", "/n/aurora/ranking/quarterly/", "/n/aurora/ranking/export/csv/"]:
        assert client.get(url).status_code == 404, url
    assert client.get("/n/aurora/d/NTE-001/scorecard/").status_code == 200


# --- The scorecard ------------------------------------------------------------------------------------------


def test_the_scorecard_shows_the_published_figures_ranks_and_kpis(ranked, hq):
    response = client_for(hq).get(f"/n/aurora/d/SUR-001/scorecard/?month={ranked.month:%Y-%m}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Published figures (version 1" in page and "Live preview" not in page
    assert re.search(r'data-testid="overall">96.0%<', page)
    assert re.search(r'data-testid="poe">92.0%<', page)
    assert re.search(r'data-testid="rank-network">2', page) and re.search(r'data-testid="rank-region">1<', page)
    assert re.search(r'data-testid="movement">▼1<', page)
    assert re.search(r'data-testid="section-SP">.*?15 of 15.*?100.0%', page, re.S)
    assert re.search(r'data-testid="section-SI">.*?8 of 10.*?80.0%', page, re.S)
    greeting = re.search(r'data-testid="kpi-greeting">(.*?)</tr>', page, re.S).group(1)
    assert 'href="/n/aurora/d/SUR-001/scorecard/kpi/greeting/?month=' in greeting
    assert re.search(r'data-col="cases">2<.*data-col="met">2<.*data-col="value">100.0 %<', greeting, re.S)
    assert re.search(r'data-col="target">90.0 %<.*data-col="weight">15<.*data-col="effective_weight">18.75<'
                     r'.*data-col="score">100.0<', greeting, re.S)
    follow_up = re.search(r'data-testid="kpi-follow-up">(.*?)</tr>', page, re.S).group(1)
    assert "Not enough data (0 cases, minimum 1)" in follow_up
    assert re.search(r'data-testid="area-6">.*?Not enough data', page, re.S)


def test_a_spanish_reader_sees_every_scorecard_figure_with_a_decimal_comma(ranked, hq):
    User.objects.filter(pk=hq.pk).update(language="es")
    page = client_for(hq).get(f"/n/aurora/d/SUR-001/scorecard/?month={ranked.month:%Y-%m}").content.decode()
    assert re.search(r'data-testid="overall">96,0\xa0%<', page)
    assert re.search(r'data-testid="poe">92,0\xa0%<', page)
    greeting = re.search(r'data-testid="kpi-greeting">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'data-col="value">100,0 %<', greeting)
    assert re.search(r'data-col="effective_weight">18,75<.*data-col="score">100,0<', greeting, re.S)
    assert not re.search(r"\d\.\d", re.sub(r"<[^>]*>", " ", page.split('data-testid="rounding-rule"')[0]))


def test_the_scorecard_of_a_month_not_yet_published_is_a_live_preview(ranked, advisor, dealer):
    this_month = local_today(ranked.network).strftime("%Y-%m")
    response = client_for(advisor).get(f"/n/aurora/d/NTE-001/scorecard/?month={this_month}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Live preview, not published" in page
    assert "Not assessed this month" in page


def test_the_scorecard_defaults_to_last_month_and_carries_the_trend(ranked, advisor):
    page = client_for(advisor).get("/n/aurora/d/NTE-001/scorecard/").content.decode()
    assert ranked.month.strftime("%B %Y") in page
    trend = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', page).group(1)
    data = json.loads(trend)
    assert data["months"] == [ranked.previous.strftime("%B %Y"), ranked.month.strftime("%B %Y")]
    assert data["overall"] == [90.0, 100.0] and data["poe"] == [80.0, 100.0]
    assert data["service_quality"] == [100.0, 100.0]
    assert "vendor/chart.js-4.6.1/chart.umd.min.js" in page


def test_the_scorecard_trend_names_its_months_in_the_readers_language(ranked, advisor):
    advisor.language = "es"  # kept on the account
    advisor.save(update_fields=["language"])
    client = client_for(advisor)
    page = client.get("/n/aurora/d/NTE-001/scorecard/").content.decode()
    trend = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', page).group(1)

    with translation.override("es"):
        expected = [date_format(ranked.previous, "YEAR_MONTH_FORMAT"), date_format(ranked.month, "YEAR_MONTH_FORMAT")]

    assert json.loads(trend)["months"] == expected
    assert ranked.month.strftime("%B") not in expected[-1]


def test_a_scorecard_month_in_the_future_is_a_clear_400(ranked, hq):
    response = client_for(hq).get("/n/aurora/d/NTE-001/scorecard/?month=2099-01")
    assert response.status_code == 400
    assert "January 2099 is in the future." in response.content.decode()


# --- The records behind a KPI -------------------------------------------------------------------------------


def test_a_kpi_lists_the_records_it_counted_with_links_to_them(ranked, hq):
    response = client_for(hq).get(f"/n/aurora/d/NTE-002/scorecard/kpi/greeting/?month={ranked.month:%Y-%m}")
    page = response.content.decode()
    assert response.status_code == 200
    with tenant_scope(TenantScope.for_dealer(ranked.dealers["NTE-002"])):
        jobs = list(ServiceJob.objects.filter(arrived_at__month=ranked.month.month).order_by("pk"))
    assert "2 records counted." in page
    for job in jobs:
        assert f'href="/n/aurora/d/NTE-002/jobs/{job.pk}/" data-testid="record-link">{job.number}</a>' in page
    assert page.count("✓") == 2 and "✗" not in page
    arrived = timezone.localtime(jobs[0].arrived_at, ranked.dealers["NTE-002"].zone)  # shown in the dealer's time
    assert f"{arrived.day} {arrived:%b %Y %H:%M}" in page


def test_complaint_and_call_kpis_list_their_complaints_and_calls(network, dealer, hq):
    from complaints.models import Complaint, ComplaintState
    from complaints.services import complaint_log
    from followups.models import CallKind, CallStatus, FollowUpCall

    month = month_before(local_today(network).replace(day=1))
    received = datetime(month.year, month.month, 10, 15, 0, tzinfo=UTC)
    job = serviced(dealer, month, jobs=1)[0]
    with tenant_scope(TenantScope.for_dealer(dealer)):
        customers = [factories.CustomerFactory(dealer=dealer, name=name) for name in ("Ana Ruiz", "Luis Paz")]
        answered, waiting = [complaint_log(dealer=dealer, customer=customer, department="service", channel="phone",
                                           words="The car still pulls left.", received_at=received)
                             for customer in customers]
        # Answered after 2 hours, closed after 30; the other was never contacted (default limit: 24 hours).
        Complaint.objects.filter(pk=answered.pk).update(
            first_contact_at=received + timedelta(hours=2), state=ComplaintState.CLOSED_SATISFIED,
            closed_at=received + timedelta(hours=30))
        call = FollowUpCall(
            dealer=dealer, kind=CallKind.SERVICE, customer=job.customer, vehicle=job.vehicle, service_job=job,
            delivered_at=received, status=CallStatus.MISSED,
            window_start=received.date() + timedelta(days=3), window_end=received.date() + timedelta(days=5))
        call.mark_reached(at=received + timedelta(days=4), zone=dealer.zone)
        call.save()
    client = client_for(hq)
    base = f"/n/aurora/d/NTE-001/scorecard/kpi/{{code}}/?month={month:%Y-%m}"
    replies = client.get(base.format(code="complaint-reply")).content.decode()
    assert f'href="/n/aurora/d/NTE-001/complaints/{answered.pk}/" data-testid="record-link">{answered.reference}' \
           in replies
    assert re.search(rf'data-testid="case-{answered.pk}">.*?✓', replies, re.S)
    assert re.search(rf'data-testid="case-{waiting.pk}">.*?✗', replies, re.S)
    closing = client.get(base.format(code="complaint-close")).content.decode()
    assert "1 record counted." in closing and re.search(r'data-col="met">\s*30.0 h', closing)
    calls = client.get(base.format(code="follow-up")).content.decode()
    assert f'href="/n/aurora/d/NTE-001/calls/{call.pk}/" data-testid="record-link">{escape(job.customer.name)}</a>' \
           in calls
    assert f"Customer reached on {call.reached_on:%d %b}, within days" in calls and "✓" in calls


def test_an_unknown_kpi_is_404(ranked, hq):
    assert client_for(hq).get(f"/n/aurora/d/NTE-002/scorecard/kpi/nope/?month={ranked.month:%Y-%m}").status_code == 404


def test_kpi_records_are_paginated_fifty_a_page(network, dealer, hq, advisor):
    ScoringPolicy.objects.create(network=network, min_sample=1)
    month = month_before(local_today(network).replace(day=1))
    serviced(dealer, month, jobs=51)
    client = client_for(hq)
    first = client.get(f"/n/aurora/d/NTE-001/scorecard/kpi/greeting/?month={month:%Y-%m}").content.decode()
    second = client.get(f"/n/aurora/d/NTE-001/scorecard/kpi/greeting/?month={month:%Y-%m}&page=2").content.decode()
    assert "51 records counted." in first and "Page 1 of 2" in first
    assert first.count('data-testid="record-link"') == 50 and second.count('data-testid="record-link"') == 1


# --- The quarterly report -----------------------------------------------------------------------------------


def _snapshot(network, month, lines, *, version=1, is_current=True):
    ranking = Ranking.objects.create(network=network, month=month, version=version, is_current=is_current,
                                     published_at=timezone.now())
    for dealer, overall, rank in lines:
        RankingEntry.objects.create(ranking=ranking, dealer=dealer, region=dealer.region, status=EntryStatus.RATED,
                                    poe=overall, service_quality=overall, overall=Decimal(overall), stars=3,
                                    rank_network=rank, is_top_five=rank <= 5)


@pytest.fixture
def quarter_data(network, region, other_region, dealer, other_dealer):
    """Q1 2026: three rated months in region NTE (dealer, n2, n3) and SUR (other_dealer)."""
    n2 = factories.DealerFactory(region=region, code="NTE-002", name="Aurora Saltillo")
    n3 = factories.DealerFactory(region=region, code="NTE-003", name="Aurora Torreón")
    n4 = factories.DealerFactory(region=region, code="NTE-004", name="Aurora Reynosa")
    with tenant_scope(TenantScope.for_network(network.pk)):
        _snapshot(network, date(2026, 1, 1), [(dealer, "80.0", 6), (n2, "90.0", 2), (n3, "70.0", 7),
                                              (other_dealer, "95.0", 1)])
        _snapshot(network, date(2026, 2, 1), [(dealer, "90.0", 3), (n2, "85.0", 4), (n4, "99.0", 1)])
        # A replaced version never counts: only the current one of each month does.
        _snapshot(network, date(2026, 3, 1), [(n3, "100.0", 1)], version=1, is_current=False)
        _snapshot(network, date(2026, 3, 1), [(dealer, "95.5", 1), (n3, "71.0", 6), (other_dealer, "60.0", 8)],
                  version=2)
    return {"n2": n2, "n3": n3, "n4": n4}


def test_quarterly_achievers_average_the_months_each_dealer_was_rated(network, dealer, other_dealer, quarter_data):
    with tenant_scope(TenantScope.for_network(network.pk)):
        groups = quarterly_achievers(network=network, quarter=date(2026, 1, 1))
    assert [group.region.code for group in groups] == ["NTE", "SUR"]  # by region name: Norte, Sureste
    north = [(a.dealer.code, a.months_rated, a.top_five, a.average_overall, a.best_rank, a.is_highlighted)
             for a in groups[0].achievers]
    # NTE-004: 99.0 once. NTE-001: (80 + 90 + 95.5) / 3 = 88.5, in the top five twice (3rd, 1st).
    # NTE-002: (90 + 85) / 2 = 87.5. NTE-003: (70 + 71) / 2 = 70.5 — fourth, not highlighted.
    assert north == [("NTE-004", 1, 1, Decimal("99.0"), 1, True), ("NTE-001", 3, 2, Decimal("88.5"), 1, True),
                     ("NTE-002", 2, 2, Decimal("87.5"), 2, True), ("NTE-003", 2, 0, Decimal("70.5"), 6, False)]
    south = [(a.dealer.code, a.months_rated, a.top_five, a.average_overall, a.best_rank) for a in groups[1].achievers]
    assert south == [("SUR-001", 2, 1, Decimal("77.5"), 1)]


def test_quarterly_ties_go_to_more_months_rated_then_best_rank(network, dealer, region):
    a = factories.DealerFactory(region=region, code="NTE-010")
    b = factories.DealerFactory(region=region, code="NTE-011")
    with tenant_scope(TenantScope.for_network(network.pk)):
        _snapshot(network, date(2026, 4, 1), [(dealer, "80.0", 3), (a, "80.0", 2)])
        _snapshot(network, date(2026, 5, 1), [(dealer, "80.0", 3), (b, "80.0", 1)])
        groups = quarterly_achievers(network=network, quarter=date(2026, 4, 1))
    assert [achiever.dealer.code for achiever in groups[0].achievers] == ["NTE-001", "NTE-011", "NTE-010"]


def test_the_quarterly_page_states_the_rule_and_highlights_the_top_three(network, hq, quarter_data):
    response = client_for(hq).get("/n/aurora/ranking/quarterly/?quarter=2026-Q1")
    page = response.content.decode()
    assert response.status_code == 200
    assert "ordered by their average overall score over the months they were rated" in page
    assert "January 2026, February 2026, March 2026" in page
    assert re.search(r'data-testid="achiever-NTE-002" class="table-success', page)
    assert re.search(r'data-testid="achiever-NTE-003" class="">', page)
    assert re.search(r'data-testid="achiever-NTE-001".*?data-col="average">88.5<', page, re.S)


def test_a_finnish_reader_sees_the_quarterly_averages_with_a_decimal_comma(network, hq, quarter_data):
    User.objects.filter(pk=hq.pk).update(language="fi")
    page = client_for(hq).get("/n/aurora/ranking/quarterly/?quarter=2026-Q1").content.decode()
    assert re.search(r'data-testid="achiever-NTE-001".*?data-col="average">88,5<', page, re.S)


@pytest.mark.parametrize(("quarter", "message"), [
    ("2099-Q1", "2099-Q1 is in the future."), ("2026-Q5", "Give the quarter as YYYY-Qn, for example 2026-Q3.")])
def test_a_bad_quarter_is_a_clear_400(network, hq, quarter, message):
    response = client_for(hq).get(f"/n/aurora/ranking/quarterly/?quarter={quarter}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_quarterly_page_defaults_to_the_last_complete_quarter(network, hq):
    today = local_today(network)
    quarter = (today.month - 1) // 3  # the previous quarter's number (0: the fourth of last year)
    expected = f"{today.year}-Q{quarter}" if quarter else f"{today.year - 1}-Q4"
    page = client_for(hq).get("/n/aurora/ranking/quarterly/").content.decode()
    assert f'data-testid="quarter">{expected}<' in page
    assert "No dealer was rated in a published ranking of this quarter." in page


# --- Navigation ---------------------------------------------------------------------------------------------


def test_the_header_links_network_people_and_dealer_staff_to_their_ranking_pages(ranked, hq, advisor):
    hq_page = client_for(hq).get("/n/aurora/").content.decode()
    assert re.search(r'href="/n/aurora/ranking/" data-testid="nav-ranking"', hq_page)
    advisor_page = client_for(advisor).get("/n/aurora/d/NTE-001/").content.decode()
    assert re.search(r'href="/n/aurora/d/NTE-001/ranking/" data-testid="nav-ranking"', advisor_page)
    assert re.search(r'href="/n/aurora/d/NTE-001/scorecard/" data-testid="nav-scorecard"', advisor_page)
    assert "/n/aurora/ranking/" not in advisor_page


def test_roles_that_are_not_network_roles_do_not_get_the_hq_links(ranked, manager):
    page = client_for(manager).get("/n/aurora/d/NTE-001/").content.decode()
    assert 'data-testid="nav-assessments"' not in page and 'data-testid="nav-scoring-settings"' not in page
    assert "/n/aurora/ranking/" not in page


def test_a_month_or_quarter_before_any_record_is_a_400_page(network, dealer, hq):
    dealer.time_zone = "Asia/Tokyo"
    dealer.save(update_fields=["time_zone"])
    client = client_for(hq)
    for url in ("/n/aurora/d/NTE-001/scorecard/?month=0001-01",
                "/n/aurora/d/NTE-001/scorecard/kpi/greeting/?month=0001-01",
                "/n/aurora/d/NTE-001/scorecard/export/csv/?month=0001-01", "/n/aurora/ranking/?month=0001-01",
                "/n/aurora/ranking/quarterly/?quarter=0001-Q1"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "from 1970" in response.content.decode(), url
