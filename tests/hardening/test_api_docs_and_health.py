"""The API schema and its docs are for signed-in callers; /healthz tells anyone only ok or failing."""

import pytest
from django.urls import reverse

from accounts.services import api_token_create
from dealer_portal.celery import app

pytestmark = pytest.mark.django_db


def test_an_anonymous_caller_gets_no_schema(client):
    response = client.get(reverse("api-schema"))
    assert response.status_code == 401
    assert b"/api/v1/customers/" not in response.content


def test_a_token_or_a_session_gets_the_schema(client, advisor):
    _token, secret = api_token_create(user=advisor, name="Schema")
    by_token = client.get(reverse("api-schema"), HTTP_AUTHORIZATION=f"Token {secret}")
    assert by_token.status_code == 200 and b"/api/v1/customers/" in by_token.content
    client.force_login(advisor)
    assert b"/api/v1/customers/" in client.get(reverse("api-schema")).content


def test_an_anonymous_visitor_of_the_docs_is_sent_to_log_in(client):
    for url in (reverse("api-docs"), reverse("api-docs") + "?script"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")


def test_the_docs_load_their_start_up_script_from_a_url_not_inline(client, advisor):
    client.force_login(advisor)
    page = client.get(reverse("api-docs")).content.decode()
    assert f'<script src="{reverse("api-docs")}?script="></script>' in page
    script = client.get(reverse("api-docs") + "?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode() and reverse("api-schema") in script.content.decode()


def test_anyone_learns_only_whether_the_server_is_healthy(client, advisor):
    assert client.get("/healthz").json() == {"status": "ok"}
    client.force_login(advisor)  # signed in, but not staff
    assert client.get("/healthz").json() == {"status": "ok"}


def test_staff_see_what_is_checked(client, superuser):
    client.force_login(superuser)
    body = client.get("/healthz").json()
    assert (body["status"], body["database"], body["broker"], body["scheduler"]) == (
        "ok", "ok", "in-process", "in-process")


def test_a_failing_server_says_failing_to_anyone_and_why_to_staff(client, superuser):
    app.conf.task_always_eager = False
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        anonymous = client.get("/healthz")
        client.force_login(superuser)
        staff = client.get("/healthz")
    finally:
        app.conf.broker_url = original
        app.conf.task_always_eager = True
    assert (anonymous.status_code, anonymous.json()) == (503, {"status": "failing"})
    assert staff.status_code == 503 and staff.json()["broker"].startswith("error")


def test_the_api_answers_a_browser_in_json_not_drfs_browsable_pages(client, advisor):
    client.force_login(advisor)
    response = client.get(reverse("api-me"), HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response["Content-Type"] == "application/json"
    assert response.json()["email"] == advisor.email
