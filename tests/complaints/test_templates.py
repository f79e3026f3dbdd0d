"""Complaint templates ask the enums and properties, never a literal value; the queue's pages keep its filters."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from complaints import services, views
from tests import factories

TEMPLATES = [path for folder in ("complaints", "dealer_portal")
             for path in sorted((Path(settings.BASE_DIR) / "templates" / folder).glob("*.html"))]
LITERAL_COMPARISON = re.compile(r"""(==|!=)\s*["']|["']\s*(==|!=)|\bin\s*["']""")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_templates_compare_with_enums_and_properties_not_literals(template):
    tags = re.findall(r"{%\s*(?:if|elif)\b(.*?)%}", template.read_text())
    assert [tag for tag in tags if LITERAL_COMPARISON.search(tag)] == []


@pytest.mark.django_db
def test_the_queues_next_page_keeps_its_view_and_filters(client, representative, dealer, in_dealer, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for index in range(3):
        services.complaint_log(dealer=dealer, customer=factories.CustomerFactory(dealer=dealer),
                               department="service", channel="phone", words=f"queja {index}")
    client.force_login(representative)
    url = reverse("complaint_queue", args=[dealer.network.slug, dealer.code])
    page = client.get(url, {"view": "all", "department": "service", "page": "1"}).content.decode()
    assert 'href="?view=all&amp;department=service&amp;page=2"' in page
    assert 'class="nav-link active" href="?view=all">All at the dealer<' in page
