"""Under /api/ every error is JSON in one shape, ``{"detail": "...", "errors": {...}}``; pages keep their pages.

Each status the README lists is provoked for real: through the API's own views, a route that does not exist,
Django's handlers, and views (tests/api/error_urls.py) that raise what a bug, a throttle or a broker outage raises.
"""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from dealer_portal.api_parsing import MAX_JSON_DEPTH
from dealer_portal.views import RETRY_AFTER_SECONDS

pytestmark = pytest.mark.django_db


def assert_api_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], dict)
    return body


@pytest.fixture
def api(api_as, advisor):
    return api_as(advisor)


def test_400_names_the_fields(api):
    body = assert_api_error(api.post(reverse("customer-list"), {"phone": []}, format="json"), 400)
    assert body["detail"] == "Invalid input."
    assert "name" in body["errors"]


def test_400_for_json_nested_too_deeply(api):
    deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    for body in (deep, "[" * 100_000 + "]" * 100_000):
        response = api.post(reverse("customer-list"), body, content_type="application/json")
        assert "nested too deeply" in assert_api_error(response, 400)["detail"]


def test_400_on_the_field_for_json_no_field_can_hold(api):
    for body, field, words in [('{"name": "a\\u0000b"}', "name", "NUL"), ('{"name": 1e309}', "name", "too large"),
                               ('{"notes": {"a": [1, -1e999]}}', "notes.a.1", "too large"),
                               ('{"a\\u0000": 1}', "non_field_errors", "NUL")]:
        response = api.post(reverse("customer-list"), body, content_type="application/json")
        assert words in assert_api_error(response, 400)["errors"][field][0]


def test_400_for_json_that_does_not_parse(api):
    for body in ('{"name": NaN}', b'{"name": "\xff"}', '{"name": '):
        response = api.post(reverse("customer-list"), body, content_type="application/json")
        assert "JSON parse error" in assert_api_error(response, 400)["detail"]


def test_400_for_a_page_that_is_not_a_whole_number(api):
    for page in ("abc", "0", "-1", "1.5", "１", "last"):
        body = assert_api_error(api.get(reverse("customer-list"), {"page": page}), 400)
        assert body["errors"] == {"page": ["Give a page number: a whole number from 1."]}


def test_404_for_a_page_past_the_last(api):
    for page in ("2", "99999999999999999999999"):
        assert "Invalid page" in assert_api_error(api.get(reverse("customer-list"), {"page": page}), 404)["detail"]


def test_400_for_an_id_filter_past_64_bits(api):
    body = assert_api_error(api.get(reverse("customer-list"), {"dealer": "99999999999999999999"}), 400)
    assert body["errors"] == {"dealer": ["Give a dealer id (a whole number)."]}


def test_401_without_credentials():
    assert_api_error(APIClient().get(reverse("api-me")), 401)


def test_403_for_a_session_post_without_its_csrf_token(advisor):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(advisor)
    body = assert_api_error(client.post(reverse("customer-list"), {}, format="json"), 403)
    assert "CSRF" in body["detail"]


def test_404_for_a_row_that_is_not_there_and_a_route_that_does_not_exist(api):
    assert_api_error(api.get(reverse("customer-detail", args=[99999999999999999999])), 404)
    for path in ("/api/v1/no-such-thing/", "/api/nothing", "/api/v1/customers/1/no/"):
        assert_api_error(api.get(path), 404)


@pytest.mark.urls("tests.api.error_urls")
def test_404_and_403_raised_by_django_outside_drf_are_json_too(api, client, advisor):
    assert_api_error(api.get("/api/v1/failing/django-404/"), 404)
    assert_api_error(api.get("/api/v1/plain/django-404/"), 404)
    assert_api_error(api.get("/api/v1/plain/django-403/"), 403)
    client.force_login(advisor)
    page = client.get("/failing/django-404/")
    assert page.status_code == 404 and "Not found" in page.content.decode()
    page = client.get("/failing/django-403/")
    assert page.status_code == 403 and "Not allowed" in page.content.decode()


def test_405_for_a_method_the_endpoint_does_not_take(api):
    assert_api_error(api.delete(reverse("api-me")), 405)


def test_413_for_a_body_past_the_upload_limit(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(reverse("customer-list"), {"full_name": "x" * 2000}, format="json")
    assert "larger than" in assert_api_error(response, 413)["detail"]


@pytest.mark.urls("tests.api.error_urls")
def test_429_says_when_to_try_again(api):
    response = api.get("/api/v1/failing/throttled/")
    assert_api_error(response, 429)
    assert response["Retry-After"] == "42"


@pytest.mark.urls("tests.api.error_urls")
def test_500_is_json_under_the_api_and_a_page_elsewhere(advisor):
    api = APIClient(raise_request_exception=False)
    body = assert_api_error(api.get("/api/v1/failing/crash/"), 500)
    assert "a bug" not in body["detail"]  # nothing of the error itself leaks out
    page = Client(raise_request_exception=False).get("/failing/crash/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html") and "Something went wrong" in page.content.decode()


@pytest.mark.urls("tests.api.error_urls")
def test_503_when_the_work_was_saved_but_the_background_service_is_down(api, client, advisor):
    response = api.get("/api/v1/failing/saved-but-not-started/")
    assert assert_api_error(response, 503) == {
        "detail": "The import was saved; it starts when the service is back.", "errors": {}}
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    client.force_login(advisor)
    page = client.get("/failing/saved-but-not-started/")
    assert page.status_code == 503
    assert page["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "The import was saved; it starts when the service is back." in page.content.decode()


@pytest.mark.urls("tests.api.error_urls")
@pytest.mark.parametrize("failure", ["broker-down", "redis-down"])
def test_503_when_the_broker_or_redis_is_down(api, client, advisor, failure):
    generic = "The background service is unavailable; try again in a few minutes."
    response = api.get(f"/api/v1/failing/{failure}/")
    assert assert_api_error(response, 503) == {"detail": generic, "errors": {}}
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    client.force_login(advisor)
    page = client.get(f"/failing/{failure}/")
    assert page.status_code == 503 and generic in page.content.decode()
    assert "Connection refused" not in page.content.decode()
