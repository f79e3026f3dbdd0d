"""No input reaches a 500: every route, given hostile query strings, bodies, path values, headers and cookies.

The routes are read from the URL configuration (pages, API and admin), so a route added later is tried too.
Each is sent, as a member of a dealer west of UTC (every dealer role) and as HQ of a network east of it (the
admin as a superuser), NUL bytes, invalid UTF-8, years 1 and 9999, numbers past 64 bits, 1e309 and NaN, huge
and non-integer pages and JSON nested far too deep. Whatever a view makes of it, the answer is never a 5xx;
NUL bytes and invalid UTF-8 in the query or body are refused before any view runs, with a 400 that says so.
"""

import json
from urllib.parse import quote, urlencode

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from dealer_portal.tenancy.models import Department, Role
from tests import factories
from tests.api.routes import walk

pytestmark = pytest.mark.django_db

# Every query parameter a page or endpoint reads (grep GET.get / query_params.get / the filter forms).
PARAMETERS = ["q", "page", "dealer", "network", "customer", "vehicle", "month", "months", "quarter", "year",
              "category", "due", "active", "status", "state", "severity", "department", "view", "region",
              "start", "end", "sort", "order", "ordering", "return_to", "date", "date_from", "date_to", "kind",
              "advisor", "representative", "overdue", "on_hold", "number", "name", "email", "phone", "vin",
              "appointment_at", "promised_at", "callback_at", "outcome", "overall", "score", "text", "comments"]

HOSTILE_VALUES = ["0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59:59", "0001-01", "9999-12",
                  "0001-Q1", "9999-Q4", "99999999999999999999", "-99999999999999999999", "1e309", "NaN", "Infinity",
                  "0", "²", "１２", "", "x" * 3000, "2026-02-30", "a\x00b"]

# Raw query strings and urlencoded bodies that are not UTF-8 once percent-decoded.
INVALID_UTF8 = "%FF%FE%C3%28"

PATH_VALUES = ["99999999999999999999", "-1", "0001-01", "9999-12", "1e309", "NaN", "%FF", "%00"]

TENANT_KWARGS = {"network_slug", "dealer_code", "dealer_pk"}
PLACEHOLDER = "7777777"  # matches every converter on the way in; replaced by each hostile path value


def _rotations():
    """One set of parameters per hostile value: across them every parameter is given every value once."""
    return [{name: HOSTILE_VALUES[(index + shift) % len(HOSTILE_VALUES)] for index, name in enumerate(PARAMETERS)}
            for shift in range(len(HOSTILE_VALUES))]


def _json_bodies():
    return [
        *[json.dumps(values).encode() for values in _rotations()],
        json.dumps({"a\x00b": 1}).encode(),
        json.dumps(dict.fromkeys(PARAMETERS, 10**20)).encode(),
        ("{" + ", ".join(f'"{name}": 1e309' for name in PARAMETERS) + "}").encode(),
        ("{" + ", ".join(f'"{name}": NaN' for name in PARAMETERS) + "}").encode(),
        ("[" * 100 + "]" * 100).encode(),
        ("[" * 100_000 + "]" * 100_000).encode(),
        b'{"q": "\xff\xfe"}',
    ]


def _routes():
    """(route, url name, parameter names) of every named route; admin routes apart."""
    return [(route, entry.name, frozenset(names)) for route, entry, names in walk() if entry.name]


ROUTES = _routes()
SITE = [route for route in ROUTES if not route[0].startswith("admin")]
ADMIN = [route for route in ROUTES if route[0].startswith("admin")]


@pytest.fixture
def dealer_member(dealer):
    user = factories.UserFactory(email="everyone@example.com")
    for role in (Role.SERVICE_ADVISOR, Role.CUSTOMER_REPRESENTATIVE):
        factories.MembershipFactory(user=user, dealer=dealer, role=role)
    factories.MembershipFactory(user=user, dealer=dealer, role=Role.DEALER_MANAGER, department=Department.SERVICE)
    return user


@pytest.fixture
def some_rows(make_job):
    """A customer, car and job at the dealer, so that id 1 often names a real row."""
    return make_job()


# A value each path parameter accepts, where "1" does not fit its converter.
PATH_DEFAULTS = {"step": "arrive", "action_name": "close", "action": "close", "outcome": "reached", "fmt": "csv",
                 "month": "2026-01", "kpi_code": "csi", "app_label": "tenancy"}


def _url(name, names, network, dealer, **given):
    values = {"network_slug": network.slug, "dealer_code": dealer.code, "dealer_pk": dealer.pk, **given}
    return reverse(name, kwargs={key: values.get(key, PATH_DEFAULTS.get(key, "1")) for key in names})


def _hostile_paths(name, names, network, dealer):
    """The route with each hostile value in each path parameter but the dealer's and network's (where the
    parameter's converter lets a placeholder in)."""
    urls = []
    for param in sorted(names - TENANT_KWARGS):
        try:
            template = _url(name, names, network, dealer, **{param: PLACEHOLDER})
        except NoReverseMatch:  # a converter that refuses digits (a slug of letters): nothing to vary
            continue
        urls += [template.replace(PLACEHOLDER, value) for value in PATH_VALUES]
    return urls


def _send_everything(client, url):
    """Every hostile query and body to ``url``; (method, url, what, status) of each 5xx or wrong status."""
    failures = []

    def check(method, what, response, expected=None):
        if response.status_code >= 500 or expected not in (None, response.status_code):
            failures.append((method, url, what[:80], response.status_code))

    for values in _rotations():
        check("GET", repr(values)[:80], client.get(f"{url}?{urlencode(values)}"))
    check("GET", "invalid UTF-8", client.get(f"{url}?q={INVALID_UTF8}&page={INVALID_UTF8}"), expected=400)
    check("GET", "NUL", client.get(f"{url}?q=%00"), expected=400)
    if url.startswith("/api/"):
        for body in _json_bodies():
            check("POST json", repr(body), client.post(url, body, content_type="application/json"))
    else:
        for value in ["0001-01-01", "9999-12-31T23:59", "99999999999999999999", "1e309", "NaN", "²"]:
            check("POST form", repr(value), client.post(url, dict.fromkeys(PARAMETERS, value)))
        check("POST form", "NUL", client.post(url, {"q": "a\x00b"}), expected=400)
    check("POST form", "invalid UTF-8",
          client.post(url, f"q={INVALID_UTF8}", content_type="application/x-www-form-urlencoded"), expected=400)
    return failures


@pytest.fixture
def east_network_admin(other_network, foreign_dealer):
    """HQ (a network admin) of a network whose dealer is east of UTC, where year 1 overflows."""
    user = factories.UserFactory(email="east-hq@example.com", is_staff=True)
    factories.MembershipFactory(user=user, network=other_network, role=Role.NETWORK_ADMIN)
    return user


@pytest.mark.parametrize(("route", "name", "names"), SITE, ids=[route[1] for route in SITE])
def test_no_hostile_input_reaches_a_server_error(route, name, names, dealer_member, dealer, network,
                                                  east_network_admin, foreign_dealer, other_network, some_rows):
    """As the dealer's staff in Monterrey (west of UTC) and as HQ of a network in Helsinki (east of it)."""
    failures = []
    for user, at, its_network in ((dealer_member, dealer, network), (east_network_admin, foreign_dealer,
                                                                     other_network)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        failures += _send_everything(client, _url(name, names, its_network, at))
        for url in _hostile_paths(name, names, its_network, at):
            response = client.get(url)
            if response.status_code >= 500:
                failures.append(("GET", url, "path", response.status_code))
    assert not failures, "\n".join(map(str, failures))


@pytest.mark.parametrize(("route", "name", "names"), ADMIN, ids=[route[1] for route in ADMIN])
def test_no_hostile_input_reaches_a_server_error_in_the_admin(route, name, names, superuser, network, dealer):
    client = Client(raise_request_exception=False)
    client.force_login(superuser)
    name = f"admin:{name}"
    for url in [_url(name, names, network, dealer), *_hostile_paths(name, names, network, dealer)]:
        for value in ["\x00", "0001-01-01", "99999999999999999999", "1e309"]:
            query = urlencode({"q": value, "p": value, "o": value, "id__exact": value, "e": value})
            response = client.get(f"{url}?{query}")
            assert response.status_code < 500, f"GET {url}?{query} -> {response.status_code}"


@pytest.mark.parametrize("header", ["HTTP_USER_AGENT", "HTTP_ACCEPT_LANGUAGE", "HTTP_X_FORWARDED_FOR",
                                    "HTTP_REFERER", "HTTP_AUTHORIZATION", "HTTP_HX_CURRENT_URL", "HTTP_HX_TARGET"])
def test_a_nul_byte_in_a_header_is_refused(client, advisor, dealer, header):
    client.force_login(advisor)
    for url in (reverse("dealer_home", args=[dealer.network.slug, dealer.code]), reverse("api-me")):
        response = client.get(url, **{header: "a\x00b"})
        assert response.status_code == 400, f"{header} on {url} -> {response.status_code}"


def test_a_nul_byte_in_a_cookie_is_refused(client, advisor, dealer):
    client.force_login(advisor)
    url = reverse("dealer_home", args=[dealer.network.slug, dealer.code])
    for cookie in ('sessionid="abc\\000defghijkl"', 'csrftoken="\\000"', 'django_language="e\\000n"'):
        response = client.get(url, HTTP_COOKIE=cookie)
        assert response.status_code == 400, f"{cookie} -> {response.status_code}"


def test_a_nul_byte_in_the_path_is_refused_with_a_page_that_says_so(client, advisor, dealer):
    client.force_login(advisor)
    response = client.get(f"/n/{dealer.network.slug}/d/{quote(dealer.code)}%00/")
    assert response.status_code == 400
    assert "The request contains a NUL character, which no field accepts." in response.content.decode()


def test_a_nul_byte_under_the_api_is_refused_in_json(api_as, advisor):
    response = api_as(advisor).get(reverse("customer-list"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"detail": "The request contains a NUL character, which no field accepts.",
                               "errors": {}}


def _documented_query_parameters():
    """(path, parameter names) of every GET in the OpenAPI schema, with ``dealer`` and ``q`` that lists read too."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in schema["paths"].items():
        if "get" in methods and "{" not in path:
            names = {p["name"] for p in methods["get"].get("parameters", []) if p["in"] == "query"}
            operations.append((path, sorted(names | {"dealer", "q"})))
    return operations


@pytest.mark.parametrize(("path", "names"), _documented_query_parameters(), ids=lambda value: str(value))
def test_each_api_query_parameter_alone_never_reaches_a_server_error(path, names, dealer_member, east_network_admin,
                                                                     some_rows):
    """One parameter at a time, so that no other parameter's 400 hides what this one would do."""
    failures = []
    for user in (dealer_member, east_network_admin):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for name in names:
            for value in HOSTILE_VALUES:
                response = client.get(path, {name: value})
                if response.status_code >= 500:
                    failures.append((path, name, value[:40], response.status_code))
    assert not failures, "\n".join(map(str, failures))


def test_a_path_that_is_not_utf8_names_nothing(client, advisor, dealer):
    """Django keeps such bytes percent-encoded (``%FF``): no dealer, row or route has that name."""
    client.force_login(advisor)
    assert client.get(f"/n/{dealer.network.slug}/d/%FF%FE/").status_code == 404
    response = client.get("/api/v1/customers/%C3%28/")
    assert response.status_code == 404 and response.json()["detail"]


def test_a_path_in_other_scripts_is_not_mistaken_for_bad_bytes(client, advisor, dealer):
    client.force_login(advisor)
    assert client.get(f"/n/{dealer.network.slug}/d/Valle-é/").status_code == 404  # no such dealer, not a 400
    response = client.get(f"/n/{dealer.network.slug}/d/{dealer.code}/customers/", {"q": "Peña 名"})
    assert response.status_code == 200


@pytest.mark.parametrize(("start", "end"), [("9999-12-30", "9999-12-31"), ("0001-01-01", "0001-01-02")])
def test_a_date_off_the_calendar_is_a_field_error_on_a_page_east_and_west_of_utc(
        dealer, manager, foreign_dealer, outsider, start, end):
    """Every page form's date field refuses such a year (dealer_portal.forms); in Helsinki year 1 overflowed."""
    for user, at in ((manager, dealer), (outsider, foreign_dealer)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        response = client.get(reverse("promise_dashboard", args=[at.network.slug, at.code]), {"start": start,
                                                                                               "end": end})
        assert response.status_code == 400
        assert "Check the year" in response.content.decode()
