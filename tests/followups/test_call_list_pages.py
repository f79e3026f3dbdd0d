"""A busy call list shows a part of each section and a way to the rest."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUpCall
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db


def listed(page: str, testid: str) -> int:
    start = page.index(f'data-testid="calls-{testid}"')
    return page[start:page.index("</section>", start)].count('data-testid="call"')


def test_a_busy_section_shows_a_part_and_a_way_to_the_rest(client, representative, dealer, make_job, in_dealer,
                                                           monkeypatch):
    monkeypatch.setattr("followups.views.CALL_SECTION_SIZE", 2)
    for _ in range(3):
        walk_to(make_job(), "handover")
    FollowUpCall.objects.update(window_start=timezone.localdate() + timedelta(days=1))  # all due soon
    client.force_login(representative)
    list_url = reverse("followup_list", args=[dealer.network.slug, dealer.code])
    page = client.get(list_url).content.decode()
    assert listed(page, "due-soon") == 2 and "Show more (1 not shown)" in page
    link = re.search(r'data-testid="show-more" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link == "?show_due_soon=4#calls-due-soon"
    assert listed(client.get(list_url + link.split("#")[0]).content.decode(), "due-soon") == 3
    assert listed(client.get(list_url, {"show_due_soon": "abc"}).content.decode(), "due-soon") == 2
