"""Logging in by email, wrong passwords, rate limits (also on the admin), logout and password reset."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_login_by_email_and_password_lands_on_the_home_page(client, advisor):
    response = login(client, "advisor@example.com", settings.DEMO_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_wrong_password_shows_a_clear_message(client, advisor):
    response = login(client, "advisor@example.com", "not-the-password")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_there_is_no_self_sign_up(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    assert "Sign-up is closed" in response.content.decode()
    client.post(reverse("account_signup"), {"email": "new@example.com", "password1": "x" * 12,
                                            "password2": "x" * 12})
    from accounts.models import User

    assert not User.objects.filter(email="new@example.com").exists()


def test_repeated_failed_logins_are_refused_even_with_the_right_password(client, advisor):
    for _ in range(5):
        login(client, "advisor@example.com", "wrong-password")
    response = login(client, "advisor@example.com", settings.DEMO_PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_the_rate_limited_login(client, network_admin):
    response = client.get("/admin/")
    assert response.status_code == 302
    login_redirect = client.get(response.url, follow=True)
    assert login_redirect.request["PATH_INFO"] == reverse("account_login")
    admin_login = client.get("/admin/login/")
    assert admin_login.status_code == 302
    assert admin_login.url.startswith(reverse("account_login"))


@pytest.mark.redis
def test_rate_limit_counters_live_in_the_shared_redis_cache(client, advisor):
    """Counters kept in Redis hold across every web process, not just the one that saw the attempts."""
    import redis

    login(client, "advisor@example.com", "wrong-password")
    connection = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert any(b"login_failed" in key for key in connection.scan_iter("*"))
    # A second client (as another process would) is refused once the shared counter is full.
    for _ in range(4):
        login(client, "advisor@example.com", "wrong-password")
    from django.test import Client

    response = login(Client(), "advisor@example.com", settings.DEMO_PASSWORD)
    assert "Too many failed login attempts" in response.content.decode()


def test_logout_ends_the_session(client, advisor):
    client.force_login(advisor)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_sends_an_email_with_a_working_link(client, advisor):
    response = client.post(reverse("account_reset_password"), {"email": "advisor@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/password/reset/key/" in line)
    path = link[link.index("/accounts/"):].strip()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = client.post(set_url, {"password1": "brand-new-Passw0rd", "password2": "brand-new-Passw0rd"})
    assert done.status_code == 302
    assert login(client, "advisor@example.com", "brand-new-Passw0rd").status_code == 302


def test_password_reset_for_an_unknown_email_reveals_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)
