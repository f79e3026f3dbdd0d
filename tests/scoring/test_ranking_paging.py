"""A network's ranking comes in pages, with its filters kept in the page links; a dealer opens on its own line."""

import re

import pytest

from dealer_portal.tenancy.models import Role
from tests import factories
from tests.scoring import test_ranking_pages
from tests.scoring.test_ranking_pages import RANK_ORDER, client_for, ranking_rows, ranking_url

pytestmark = pytest.mark.django_db
ranked = test_ranking_pages.ranked  # the eight-dealer network of the ranking page's tests


@pytest.fixture
def three_a_page(monkeypatch):
    monkeypatch.setattr("scoring.views.RANKING_PAGE_SIZE", 3)


def page_links(response) -> dict[str, str]:
    found = re.findall(r'data-testid="page-(next|previous)" href="\?([^"]+)"', response.content.decode())
    return {name: query.replace("&amp;", "&") for name, query in found}


def test_the_ranking_shows_a_page_of_lines_and_the_way_to_the_next(ranked, hq, three_a_page):
    client = client_for(hq)
    first = client.get(ranking_url(ranked))
    assert list(ranking_rows(first)) == RANK_ORDER[:3]
    assert "Lines 1–3 of 8 dealers." in first.content.decode()
    links = page_links(first)
    assert set(links) == {"next"} and links["next"] == "page=2"
    walked = []
    for number in (1, 2, 3):
        walked += list(ranking_rows(client.get(ranking_url(ranked, page=number))))
    assert walked == RANK_ORDER


def test_the_page_links_keep_the_filters_and_the_sort(ranked, hq, three_a_page):
    client = client_for(hq)
    response = client.get(ranking_url(ranked, region="SUR", sort="poe"))
    assert list(ranking_rows(response)) == ["SUR-003", "SUR-002", "SUR-001"]
    assert page_links(response) == {"next": "region=SUR&sort=poe&page=2"}
    second = client.get(ranking_url(ranked, region="SUR", sort="poe", page=2))
    assert list(ranking_rows(second)) == ["SUR-004"]
    assert page_links(second) == {"previous": "region=SUR&sort=poe&page=1"}
    assert 'href="?region=SUR&amp;sort=-poe"' in second.content.decode()  # sorting again starts at page 1


@pytest.mark.parametrize("page", ["", "abc", "0", "-1", "99", "1.5"])
def test_a_page_that_does_not_exist_shows_the_nearest_one(ranked, hq, three_a_page, page):
    response = client_for(hq).get(ranking_url(ranked, page=page))
    assert response.status_code == 200 and len(ranking_rows(response)) in (2, 3)


def test_a_dealer_opens_the_ranking_on_the_page_of_its_own_line(ranked, three_a_page):
    staff = factories.UserFactory(email="sur2@example.com")
    factories.MembershipFactory(user=staff, dealer=ranked.dealers["SUR-002"], role=Role.SERVICE_ADVISOR)
    client = client_for(staff)
    rows = ranking_rows(client.get("/n/aurora/d/SUR-002/ranking/"))
    assert list(rows) == RANK_ORDER[3:6] and rows["SUR-002"]["own"]  # its neighbours either side
    assert list(ranking_rows(client.get("/n/aurora/d/SUR-002/ranking/?page=1"))) == RANK_ORDER[:3]
