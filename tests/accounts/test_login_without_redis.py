"""With Redis down, logging in still works and failed logins are still limited (per process); pages survive.

The cache is pointed at a port where nothing listens, as when Redis has stopped: the settings' own backend
(``dealer_portal.cache.RedisCacheWithFallback``) with a dead LOCATION.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from dealer_portal.celery import app

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"
CACHE_WITHOUT_REDIS = {"default": {"BACKEND": "dealer_portal.cache.RedisCacheWithFallback", "LOCATION": DEAD_REDIS,
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}


@pytest.fixture(autouse=True)
def redis_down():
    with override_settings(CACHES=CACHE_WITHOUT_REDIS):
        cache.clear()  # the fallback memory outlives a test, as it outlives a request
        yield
        cache.clear()


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_wrong_password_shows_the_usual_form_error(client, advisor):
    response = login(client, "advisor@example.com", "not-the-password")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_right_password_logs_in(client, advisor):
    response = login(client, "advisor@example.com", settings.DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session["_auth_user_id"] == str(advisor.pk)


def test_repeated_failed_logins_are_still_refused(client, advisor):
    for _ in range(5):
        login(client, "advisor@example.com", "wrong-password")
    response = login(client, "advisor@example.com", settings.DEMO_PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_and_the_api_work_for_someone_logged_in(client, advisor, dealer):
    login(client, "advisor@example.com", settings.DEMO_PASSWORD)
    assert client.get(reverse("dealer_home", args=[dealer.network.slug, dealer.code])).status_code == 200
    assert client.get(reverse("job_board", args=[dealer.network.slug, dealer.code]), HTTP_HX_REQUEST="true"
                      ).status_code == 200
    assert client.get(reverse("api-me")).json()["email"] == "advisor@example.com"
    assert client.post(reverse("account_logout")).status_code == 302


def test_health_still_reports_the_broker_honestly(client, superuser):
    app.conf.task_always_eager = False
    original = app.conf.broker_url
    app.conf.broker_url = DEAD_REDIS
    try:
        anonymous = client.get("/healthz")
        client.force_login(superuser)  # which part fails is for staff
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
        app.conf.task_always_eager = True
    assert anonymous.status_code == 503 and anonymous.json() == {"status": "failing"}
    assert response.status_code == 503
    assert response.json()["database"] == "ok"
    assert response.json()["broker"].startswith("error")
