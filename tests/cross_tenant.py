"""The reusable check that another tenant's object is invisible: 404 through the web and the API.

Use it in every feature's tests::

    assert_not_found_for(user, web=[url_of_their_object], api=[api_url_of_their_object])

Each URL is tried with GET, and API URLs also with PATCH, PUT and DELETE (a write must be refused
the same way as a read). The response must be 404, so a missing and a forbidden object look alike.
"""

from django.test import Client
from rest_framework.test import APIClient

from accounts.services import api_token_create

API_WRITE_METHODS = ("patch", "put", "delete")


def assert_not_found_for(user, *, web=(), api=(), api_body=None):
    web_client = Client()
    web_client.force_login(user)
    for url in web:
        response = web_client.get(url)
        assert response.status_code == 404, f"{user} GET {url} -> {response.status_code}, expected 404"
        response = web_client.post(url, {})
        assert response.status_code in (404, 405), f"{user} POST {url} -> {response.status_code}, expected 404"

    api_client = APIClient()
    _token, secret = api_token_create(user=user, name="Cross-tenant check")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    for url in api:
        response = api_client.get(url)
        assert response.status_code == 404, f"{user} GET {url} -> {response.status_code}, expected 404"
        assert response.json()["detail"], "a 404 from the API still says what happened"
        for method in API_WRITE_METHODS:
            response = getattr(api_client, method)(url, api_body or {}, format="json")
            assert response.status_code in (404, 405), (
                f"{user} {method.upper()} {url} -> {response.status_code}, expected 404")
