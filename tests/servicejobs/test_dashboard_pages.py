"""The promise dashboard lists its broken promises a page at a time, the period kept in the page links."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.servicejobs.test_dashboard import late_greeting, url
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db


def listed(page: str) -> list[str]:
    broken = page[page.index('data-testid="broken-list"'):page.index("</ul>", page.index('data-testid="broken-list"'))]
    return re.findall(r">(RO-T-\d+)</a>", broken)


@pytest.fixture
def three_broken(make_job, in_dealer, monkeypatch):
    monkeypatch.setattr("servicejobs.dashboard_views.BROKEN_PAGE_SIZE", 2)
    jobs = [walk_to(make_job(appointment_in=timedelta(hours=-3 - hour)), "handover") for hour in range(3)]
    for job in jobs:
        late_greeting(job)
    return jobs


def test_broken_promises_come_a_page_at_a_time_with_the_period_kept(client, manager, dealer, three_broken):
    client.force_login(manager)
    today = timezone.localdate().isoformat()
    first = client.get(url(dealer), {"start": today, "end": today}).content.decode()
    assert len(listed(first)) == 2 and 'data-testid="broken-count">3<' in first
    link = re.search(r'data-testid="page-next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert link == f"?start={today}&end={today}&page=2#broken-promises"
    second = client.get(url(dealer) + link.split("#")[0]).content.decode()
    assert sorted(listed(first) + listed(second)) == sorted(job.number for job in three_broken)


@pytest.mark.parametrize(("page", "shown"), [("abc", 2), ("0", 1), ("99", 1), ("", 2)])
def test_a_page_that_does_not_exist_shows_the_nearest_one(client, manager, dealer, three_broken, page, shown):
    client.force_login(manager)
    response = client.get(url(dealer), {"page": page})
    assert response.status_code == 200 and len(listed(response.content.decode())) == shown
