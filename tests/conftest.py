"""Shared fixtures: a network with two dealers, a second network, and a named person for every role.

Whoever must use a second factor (HQ, network admins, the superuser) has an authenticator app with
``factories.TOTP_SECRET``, and ``client.force_login`` counts as a login that passed it.

People: ``advisor``, ``representative`` and ``manager`` work at ``dealer``; ``regional_manager`` covers
``dealer``'s region; ``hq`` and ``network_admin`` the whole ``network``; ``neighbour`` is an advisor at
``other_dealer`` (same network, another region); ``outsider`` is HQ of ``other_network``.
"""

import os
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create
from dealer_portal.tenancy.models import Department, Role
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped

from . import factories

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _redis_test_url(url: str) -> str:
    """Tests use Redis database 15 (or ``REDIS_TEST_DB``), so flushing it never touches a developer's own data."""
    parts = urlsplit(url)
    database = os.environ.get("REDIS_TEST_DB", "15")
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def pytest_configure(config):
    from django.conf import settings

    if IN_CI and not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")):
        raise pytest.UsageError("CI=true: tests must run against PostgreSQL and Redis "
                                "(set DATABASE_URL=postgres://... and REDIS_URL=redis://...).")
    if settings.REDIS_URL:
        test_url = _redis_test_url(settings.REDIS_URL)
        settings.REDIS_URL = test_url
        settings.CACHES["default"]["LOCATION"] = test_url
        settings.CELERY_BROKER_URL = test_url
    # Tests log people in constantly; a fast hash keeps the suite quick (production keeps PBKDF2).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests call services directly; the one test of the real broker starts a worker of its own.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from dealer_portal.celery import app

    app.conf.task_always_eager = True
    app.conf.broker_url = settings.CELERY_BROKER_URL


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    redis = settings.REDIS_URL or "not configured (Redis tests skipped)"
    return [f"database: {database}; redis: {redis}"]


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://... to run it")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://... to run it")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _english_between_tests():
    """Every test starts in the default language: a request that activated its reader's language (the
    middleware does, in this thread) must not leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor():
    """``client.force_login(user)`` stands for a finished login: for someone with a second factor that includes
    it (allauth's login asks for it before signing in), so the session records it as allauth's would."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.signals import user_logged_in
    from django.http import HttpRequest

    def record(sender, request, user, **kwargs):
        # The test client's force_login signs in on a bare HttpRequest; a real request is a WSGIRequest.
        if type(request) is HttpRequest and Authenticator.objects.filter(user=user).exists():
            record_authentication(request, user, "mfa", type="totp")

    user_logged_in.connect(record, dispatch_uid="tests-force-login-mfa")
    yield
    user_logged_in.disconnect(dispatch_uid="tests-force-login-mfa")


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def as_unscoped():
    """Arrange test data outside any tenant scope (as the seeder does)."""
    with unscoped():
        yield


@pytest.fixture
def network(db):
    return factories.NetworkFactory(slug="aurora", name="Aurora Motors")


@pytest.fixture
def region(network):
    return factories.RegionFactory(network=network, code="NTE", name="Norte")


@pytest.fixture
def other_region(network):
    return factories.RegionFactory(network=network, code="SUR", name="Sureste")


@pytest.fixture
def dealer(region):
    return factories.DealerFactory(region=region, code="NTE-001", name="Aurora Monterrey Valle",
                                   time_zone="America/Monterrey")


@pytest.fixture
def other_dealer(other_region):
    return factories.DealerFactory(region=other_region, code="SUR-001", name="Aurora Mérida Centro",
                                   time_zone="America/Merida")


@pytest.fixture
def other_network(db):
    return factories.NetworkFactory(slug="borealis", name="Borealis Motors", time_zone="Europe/Helsinki")


@pytest.fixture
def foreign_dealer(other_network):
    region = factories.RegionFactory(network=other_network, code="ETELA", name="Etelä")
    # Same code as ``dealer``: codes are unique per network only.
    return factories.DealerFactory(region=region, code="NTE-001", name="Borealis Helsinki",
                                   time_zone="Europe/Helsinki")


def _member(email, **membership):
    user = factories.UserFactory(email=email)
    factories.MembershipFactory(user=user, **membership)
    return user


@pytest.fixture
def advisor(dealer):
    return _member("advisor@example.com", dealer=dealer, role=Role.SERVICE_ADVISOR)


@pytest.fixture
def representative(dealer):
    return _member("rep@example.com", dealer=dealer, role=Role.CUSTOMER_REPRESENTATIVE)


@pytest.fixture
def manager(dealer):
    return _member("manager@example.com", dealer=dealer, role=Role.DEALER_MANAGER, department=Department.SERVICE)


@pytest.fixture
def regional_manager(region):
    return _member("regional@example.com", region=region, role=Role.REGIONAL_MANAGER)


@pytest.fixture
def hq(network):
    return _member("hq@example.com", network=network, role=Role.HQ_ANALYST)


@pytest.fixture
def network_admin(network):
    user = _member("admin@example.com", network=network, role=Role.NETWORK_ADMIN)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def neighbour(other_dealer):
    return _member("neighbour@example.com", dealer=other_dealer, role=Role.SERVICE_ADVISOR)


@pytest.fixture
def outsider(foreign_dealer, other_network):
    return _member("outsider@example.com", network=other_network, role=Role.HQ_ANALYST)


@pytest.fixture
def superuser(db):
    return factories.UserFactory(email="root@example.com", is_superuser=True, is_staff=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """``api_as(user)``: an API client authenticated with an API token of the user's (one per user and test)."""
    secrets = {}

    def make(user):
        client = APIClient()
        if user.pk not in secrets:
            secrets[user.pk] = api_token_create(user=user, name="Test client")[1]
        client.credentials(HTTP_AUTHORIZATION=f"Token {secrets[user.pk]}")
        return client

    return make


@pytest.fixture
def in_dealer(dealer):
    """Run the test body inside ``dealer``'s scope and time zone, as a request at that dealer does."""
    with tenant_scope(TenantScope.for_dealer(dealer)), timezone.override(dealer.zone):
        yield dealer


@pytest.fixture
def make_job(dealer, advisor):
    """``make_job(**fields)``: a booked job at ``dealer`` with a new customer and car."""
    counter = iter(range(1, 10_000))

    from servicejobs import services

    def make(appointment_in=timedelta(minutes=-30), **fields):
        vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
        with tenant_scope(TenantScope.for_dealer(dealer)):
            return services.job_create(
                dealer=dealer, number=fields.pop("number", f"RO-T-{next(counter):04d}"), customer=vehicle.customer,
                vehicle=vehicle, advisor=advisor, work_category=fields.pop("work_category", "maintenance"),
                appointment_at=fields.pop("appointment_at", timezone.now() + appointment_in), **fields)

    return make
