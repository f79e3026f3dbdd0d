"""Every answer carries the strict Content-Security-Policy and the Permissions-Policy, beside the headers kept
from before: each route of the URL configuration as an anonymous visitor, dealer staff and HQ, the admin's pages
as a superuser, the login, the API docs, the customer's public answer page and the error pages."""

import pytest
from django.contrib import admin
from django.urls import reverse

from followups.models import FollowUpCall
from followups.services import answer_link_token
from tests.api.routes import walk
from tests.servicejobs.test_steps import walk_to

from .csp import STRICT_POLICY, permissions_of, policy_of

pytestmark = pytest.mark.django_db

FEATURES_OFF = ("camera", "microphone", "geolocation", "payment", "usb")


def assert_hardened(response, where):
    assert policy_of(response) == STRICT_POLICY, (where, response.status_code, response.headers.get(
        "Content-Security-Policy"))
    features = permissions_of(response)
    assert all(features.get(feature) == "()" for feature in FEATURES_OFF), (where, features)
    # Security keys and passkeys (WebAuthn) stay usable on our own pages.
    assert features["publickey-credentials-get"] == features["publickey-credentials-create"] == "(self)", where
    assert response.headers["X-Frame-Options"] == "DENY", where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where


def page_routes():
    """(url name, parameter names) of every named route outside the admin."""
    return sorted({(entry.name, frozenset(names)) for route, entry, names in walk()
                   if entry.name and not route.startswith("admin")}, key=lambda route: route[0])


def test_routes_were_found():
    names = {name for name, _ in page_routes()}
    assert {"home", "healthz", "account_login", "api-docs", "api-schema", "scorecard", "job_board",
            "promise_dashboard", "complaint_dashboard", "followup_public_answer"} <= names


@pytest.fixture
def visitors(client, manager, hq, network_admin):
    return {"anonymous": None, "manager": manager, "hq": hq, "network admin": network_admin}


def test_every_route_answers_with_the_policies_whoever_asks(client, visitors, dealer, network):
    values = {"network_slug": network.slug, "dealer_code": dealer.code, "dealer_pk": dealer.pk, "step": "arrive",
              "token": "not-a-token", "action_name": "confirm"}
    for who, user in visitors.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, names in page_routes():
            url = reverse(name, kwargs={key: values.get(key, 1) for key in names})
            assert_hardened(client.get(url), f"{who} {url}")


def test_every_admin_page_answers_with_the_policies(client, superuser):
    client.force_login(superuser)
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    for model in admin.site._registry:
        meta = model._meta
        urls += [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"),
                 reverse(f"admin:{meta.app_label}_{meta.model_name}_add")]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)  # some models cannot be added
        assert_hardened(response, url)


def test_the_login_docs_public_answer_and_error_pages_carry_the_policies(client, hq, in_dealer, make_job):
    assert_hardened(client.get(reverse("account_login")), "login")
    job = walk_to(make_job(), "handover")
    call = FollowUpCall.objects.get(service_job=job)
    public = client.get(reverse("followup_public_answer", args=[answer_link_token(call)]))
    assert public.status_code == 200
    assert_hardened(public, "public answer page")
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert_hardened(missing, "404")
    refused = client.get("/accounts/login/?next=%00")
    assert refused.status_code == 400
    assert_hardened(refused, "400")
    client.force_login(hq)
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    assert_hardened(docs, "API docs")
    script = client.get(reverse("api-docs") + "?script")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert_hardened(client.get(reverse("api-me")), "API")
