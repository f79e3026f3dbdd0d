"""Every page and endpoint that names a dealer or network answers 404 to someone who may not see it.

The routes are read from the URL configuration, so a route added later is checked without anyone
having to remember to add it here.
"""

import pytest
from django.urls import reverse

from tests.api.routes import walk
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db

TENANT_KWARGS = {"network_slug", "dealer_code", "dealer_pk"}


def tenant_routes():
    """(route, url name, parameter names) of every named route that takes a dealer or network."""
    routes = []
    for route, entry, names in walk():
        if names & TENANT_KWARGS and entry.name and not route.startswith("admin"):
            routes.append((route, entry.name, frozenset(names)))
    return routes


def test_routes_were_found():
    names = {name for _, name, _ in tenant_routes()}
    assert {"dealer_home", "customer_detail", "job_detail", "job_step", "promise_dashboard", "network_home",
            "invitation_list"} <= names


@pytest.mark.parametrize(("route", "name", "names"), tenant_routes(), ids=[r[1] for r in tenant_routes()])
def test_outsider_gets_404_everywhere(route, name, names, outsider, advisor, dealer, network):
    values = {"network_slug": network.slug, "dealer_code": dealer.code, "dealer_pk": dealer.pk, "step": "arrive"}
    url = reverse(name, kwargs={key: values.get(key, 1) for key in names})
    if route.startswith("api/"):
        assert_not_found_for(outsider, api=[url])
    else:
        assert_not_found_for(outsider, web=[url])
        if "dealer_code" not in names:  # a network page: dealer staff do not see it either
            assert_not_found_for(advisor, web=[url])
