"""CSV and XLSX exports of the ranking and of a scorecard carry exactly the page's figures."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from tests.scoring.test_ranking_pages import RANK_ORDER, build_ranked_network, client_for, ranking_rows

pytestmark = pytest.mark.django_db

RANKING_HEADER = ["Rank", "Movement", "Dealer code", "Dealer", "Region", "POE (%)", "Service Quality (%)", "Speed (%)",
                  "Compliance (%)", "Overall (%)", "Stars", "Rank in region", "Top 5", "Status"]
PAGE_COLUMNS = {"POE (%)": "poe", "Service Quality (%)": "service_quality", "Speed (%)": "speed",
                "Compliance (%)": "compliance", "Overall (%)": "overall", "Rank in region": "region_rank",
                "Movement": "movement"}


@pytest.fixture
def ranked(network, region, other_region, dealer, other_dealer, submitted_poe, publish):
    return build_ranked_network(network=network, region=region, other_region=other_region, dealer=dealer,
                                other_dealer=other_dealer, submitted_poe=submitted_poe, publish=publish)


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]


def test_the_ranking_csv_has_a_header_and_the_pages_figures_line_by_line(ranked, hq):
    client = client_for(hq)
    page = ranking_rows(client.get("/n/aurora/ranking/"))
    response = client.get("/n/aurora/ranking/export/csv/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="ranking-aurora-{ranked.month:%Y-%m}-v1.csv"'
    header, *lines = csv_rows(response)
    assert header == RANKING_HEADER
    assert [line[2] for line in lines] == RANK_ORDER
    for line in lines[:6]:
        row = dict(zip(header, line, strict=True))
        shown = page[row["Dealer code"]]
        assert {name: row[name] for name in PAGE_COLUMNS} == {name: shown[col] for name, col in PAGE_COLUMNS.items()}
        assert shown["rank"].startswith(row["Rank"]) and len(shown["stars"]) == int(row["Stars"])
    assert lines[0] == ["1", "▲1", "NTE-001", "Aurora Monterrey Valle", "Norte", "100.0", "100.0", "100.0", "100.0",
                        "100.0", "5", "1", "yes", "Rated"]
    assert lines[-1] == ["", "", "SUR-004", "Aurora SUR-004", "Sureste", "100.0", "", "", "", "", "", "", "",
                         "Not enough data for a rating"]


def test_the_ranking_xlsx_cells_are_numbers_equal_to_the_page(ranked, hq):
    client = client_for(hq)
    page = ranking_rows(client.get("/n/aurora/ranking/?region=SUR"))
    response = client.get("/n/aurora/ranking/export/xlsx/?region=SUR")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    header, *lines = xlsx_rows(response)
    assert list(header) == RANKING_HEADER
    assert [line[2] for line in lines] == list(page) == ["SUR-001", "SUR-002", "SUR-003", "SUR-004"]
    assert lines[0] == (2, "▼1", "SUR-001", "Aurora Mérida Centro", "Sureste", 92.0, 100.0, 100.0, 100.0, 96.0, 5, 1,
                        "yes", "Rated")
    for line in lines[:3]:
        assert f"{line[9]:.1f}" == page[line[2]]["overall"] and f"{line[5]:.1f}" == page[line[2]]["poe"]


def test_exports_follow_the_month_version_and_star_filters(ranked, hq):
    client = client_for(hq)
    header, *lines = csv_rows(client.get(f"/n/aurora/ranking/export/csv/?month={ranked.previous:%Y-%m}&stars=5"))
    assert [line[2] for line in lines] == ["SUR-001", "NTE-001"]  # the month before: 100.0 and 90.0 (NTE-002: 80.0)
    future = client.get("/n/aurora/ranking/export/csv/?month=2099-01")
    assert future.status_code == 400 and "January 2099 is in the future." in future.content.decode()
    assert client.get(f"/n/aurora/ranking/export/csv/?month={ranked.month:%Y-%m}&version=7").status_code == 404


def test_an_unknown_export_format_is_404(ranked, hq):
    client = client_for(hq)
    assert client.get("/n/aurora/ranking/export/pdf/").status_code == 404
    assert client.get("/n/aurora/d/NTE-001/scorecard/export/pdf/").status_code == 404


def test_the_scorecard_exports_carry_the_scorecards_figures(ranked, hq):
    client = client_for(hq)
    month = f"{ranked.month:%Y-%m}"
    page = client.get(f"/n/aurora/d/SUR-001/scorecard/?month={month}").content.decode()
    header, *lines = csv_rows(client.get(f"/n/aurora/d/SUR-001/scorecard/export/csv/?month={month}"))
    assert header == ["Part", "Name", "Value", "Unit", "Cases", "Met", "Target", "Weight", "Redistributed weight",
                      "Score", "Note"]
    summary = {line[1]: line[2] for line in lines if line[0] == "Summary"}
    assert summary == {"Status": "Rated", "Overall": "96.0", "Stars": "5", "POE": "92.0", "Service Quality": "100.0",
                       "Speed": "100.0", "Compliance": "100.0", "Rank in the network": "2", "Rank in the region": "1"}
    assert re.search(rf'data-testid="overall">{summary["Overall"]}%<', page)
    sections = [line for line in lines if line[0] == "POE section"]
    assert sections == [["POE section", "Service process", "100.0", "%", "", "", "", "", "", "", "15 of 15 points"],
                        ["POE section", "Stock inventory", "80.0", "%", "", "", "", "", "", "", "8 of 10 points"]]
    kpis = {line[1]: line for line in lines if line[0] == "KPI"}
    assert len(kpis) == 10
    greeting = kpis["Customers greeted within tolerance of their appointment"]
    assert greeting[2:] == ["100.0", "%", "2", "2", "90.0", "15", "18.75", "100.0", ""]
    shown = re.search(r'data-testid="kpi-greeting">(.*?)</tr>', page, re.S).group(1)
    for column, value in (("cases", "2"), ("met", "2"), ("effective_weight", "18.75"), ("score", "100.0")):
        assert f'data-col="{column}">{value}<' in shown
    assert kpis["Follow-up calls made within the window"][-1] == "Not enough data (0 cases, minimum 1)"

    sheet_header, *cells = xlsx_rows(client.get(f"/n/aurora/d/SUR-001/scorecard/export/xlsx/?month={month}"))
    assert list(sheet_header) == header
    greeting_cells = next(row for row in cells if row[1] == greeting[1])
    assert greeting_cells[2:10] == (100.0, "%", 2, 2, 90.0, 15, 18.75, 100.0)


def test_dealer_staff_export_their_own_scorecard_only(ranked, advisor):
    client = client_for(advisor)
    own = client.get(f"/n/aurora/d/NTE-001/scorecard/export/csv/?month={ranked.month:%Y-%m}")
    assert own.status_code == 200
    assert own["Content-Disposition"] == f'attachment; filename="scorecard-NTE-001-{ranked.month:%Y-%m}.csv"'
    assert client.get("/n/aurora/d/SUR-001/scorecard/export/xlsx/").status_code == 404
    assert client.get("/n/aurora/ranking/export/csv/").status_code == 404


def test_a_dealer_name_that_looks_like_a_formula_is_exported_as_text(ranked, hq):
    dealer = ranked.dealers["SUR-002"]
    dealer.name = "=HYPERLINK(\"http://evil\")"
    dealer.save(update_fields=["name"])
    client = client_for(hq)
    line = next(line for line in csv_rows(client.get("/n/aurora/ranking/export/csv/")) if line[2] == "SUR-002")
    assert line[3] == "'=HYPERLINK(\"http://evil\")"
    cells = next(row for row in xlsx_rows(client.get("/n/aurora/ranking/export/xlsx/")) if row[2] == "SUR-002")
    assert cells[3] == "'=HYPERLINK(\"http://evil\")"
