"""API tokens people manage on their account page: made once and shown once, stored as a hash, used as their owner
(nothing more), last use kept to the minute, refused once expired or revoked; DRF's old plain tokens carried over."""

import hashlib
import html
import importlib
import re
from datetime import UTC, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken
from dealer_portal.formatting import date_as
from dealer_portal.tenancy.models import Membership, Network
from dealer_portal.tenancy.scoping import unscoped
from tests import factories

pytestmark = pytest.mark.django_db

@pytest.fixture
def clock(monkeypatch):
    """``clock.move(timedelta)``: every ``timezone.now()`` from then on is that much later."""

    class Clock:
        offset = timedelta()

        def move(self, by: timedelta) -> None:
            self.offset += by

    real_now = timezone.now
    moved = Clock()
    monkeypatch.setattr(timezone, "now", lambda: real_now() + moved.offset)
    return moved


def _secret_on(page: str) -> str:
    found = re.search(r'value="([^"]+)"\s+data-testid="api-token-secret"', page)
    assert found, "the new token's secret is on the page"
    return html.unescape(found.group(1))


def _api(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def _every_stored_value() -> str:
    """Every cell of every table, as text: what a database dump would show."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the schema)
            cells.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(cells)


def test_a_token_made_on_the_account_page_is_shown_once_and_only_its_hash_is_stored(client, advisor):
    client.force_login(advisor)
    response = client.post(reverse("api_token_create"), {"name": "DMS export"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = _secret_on(response.content.decode())

    token = ApiToken.objects.get(owner=advisor)
    assert (token.name, token.prefix) == ("DMS export", secret[:8])
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in _every_stored_value()

    again = client.get(reverse("profile")).content.decode()
    assert "DMS export" in again and token.prefix in again
    assert secret not in again and 'data-testid="api-token-secret"' not in again


def test_a_token_answers_as_its_owner_and_its_use_is_recorded_once_a_minute(advisor, clock):
    token, secret = services.api_token_create(user=advisor, name="Script")
    assert token.last_used_at is None
    api = _api(secret)

    response = api.get(reverse("api-me"))
    assert response.status_code == 200 and response.json()["email"] == advisor.email
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None

    clock.move(timedelta(seconds=40))
    assert api.get(reverse("api-me")).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == first_use  # not rewritten within the minute

    clock.move(timedelta(seconds=30))
    assert api.get(reverse("api-me")).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first_use + timedelta(minutes=1)


def test_a_use_within_the_minute_writes_nothing(advisor):
    _token, secret = services.api_token_create(user=advisor, name="Script")
    api = _api(secret)
    with CaptureQueriesContext(connection) as first:
        api.get(reverse("api-me"))
    with CaptureQueriesContext(connection) as second:
        assert api.get(reverse("api-me")).status_code == 200
    # The audit history may put its context in front of a statement: look for the token's UPDATE anywhere in it.
    writes = [[query["sql"] for query in queries if 'UPDATE "accounts_apitoken"' in query["sql"]]
              for queries in (first, second)]
    assert len(writes[0]) == 1 and writes[1] == []


def test_a_token_expires_after_the_networks_period_with_a_message(advisor, network, clock):
    with unscoped():
        Network.objects.filter(pk=network.pk).update(api_token_days=30)
    token, secret = services.api_token_create(user=advisor, name="Script")
    assert token.expires_at == token.created_at + timedelta(days=30)

    clock.move(timedelta(days=29, hours=23))
    assert _api(secret).get(reverse("api-me")).status_code == 200
    clock.move(timedelta(hours=1))
    response = _api(secret).get(reverse("api-me"))
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token has expired. Create a new one on your account page."


def test_someone_in_several_networks_gets_the_shortest_period_and_a_superuser_the_default(
        advisor, network, foreign_dealer, other_network, superuser, settings):
    with unscoped():
        Network.objects.filter(pk=network.pk).update(api_token_days=60)
        Network.objects.filter(pk=other_network.pk).update(api_token_days=7)
    factories.MembershipFactory(user=advisor, dealer=foreign_dealer, role="service_advisor")
    assert services.api_token_lifetime(user=advisor) == timedelta(days=7)

    settings.API_TOKEN_DEFAULT_DAYS = 45
    token, _secret = services.api_token_create(user=superuser, name="Ops")
    assert token.expires_at - token.created_at == timedelta(days=45)


def test_a_revoked_token_is_refused_with_a_message(client, advisor):
    token, secret = services.api_token_create(user=advisor, name="Old laptop")
    client.force_login(advisor)
    url = reverse("api_token_revoke", args=[token.pk])

    confirmation = client.get(url)
    assert confirmation.status_code == 200 and "Old laptop" in confirmation.content.decode()
    assert _api(secret).get(reverse("api-me")).status_code == 200  # asking first revokes nothing

    response = client.post(url, follow=True)
    assert "was revoked" in response.content.decode()
    refused = _api(secret).get(reverse("api-me"))
    assert refused.status_code == 401
    assert refused.json()["detail"] == "This API token has been revoked. Create a new one on your account page."


def test_nobody_can_revoke_another_persons_token(client, advisor, neighbour):
    token, secret = services.api_token_create(user=advisor, name="Mine")
    client.force_login(neighbour)
    url = reverse("api_token_revoke", args=[token.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert "Mine" not in client.get(reverse("profile")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert _api(secret).get(reverse("api-me")).status_code == 200


@pytest.mark.parametrize(("name", "error"), [
    ("", "This field is required."),
    ("   ", "This field is required."),
    ("x" * 101, "Ensure this value has at most 100 characters (it has 101)."),
])
def test_a_bad_name_is_a_form_error_on_the_page(client, advisor, name, error):
    client.force_login(advisor)
    response = client.post(reverse("api_token_create"), {"name": name})
    assert response.status_code == 400
    page = html.unescape(response.content.decode())
    assert error in page
    assert 'data-testid="api-token-secret"' not in page
    assert not ApiToken.objects.filter(owner=advisor).exists()


def test_the_service_refuses_an_empty_name_and_too_many_live_tokens(advisor):
    with pytest.raises(ValidationError) as empty:
        services.api_token_create(user=advisor, name=" ")
    assert list(empty.value.message_dict) == ["name"]
    for number in range(services.API_TOKENS_ACTIVE_MAX):
        services.api_token_create(user=advisor, name=f"Client {number}")
    with pytest.raises(ValidationError) as too_many:
        services.api_token_create(user=advisor, name="One more")
    assert "revoke one" in too_many.value.message_dict["name"][0]
    services.api_token_revoke(token=ApiToken.objects.filter(owner=advisor).first())
    services.api_token_create(user=advisor, name="One more")  # a revoked one no longer counts


def test_a_token_reaches_only_what_its_owner_may_see(advisor, dealer, foreign_dealer, other_dealer):
    mine = factories.CustomerFactory(dealer=dealer)
    elsewhere = factories.CustomerFactory(dealer=foreign_dealer)
    neighbours = factories.CustomerFactory(dealer=other_dealer)
    _token, secret = services.api_token_create(user=advisor, name="Script")
    api = _api(secret)
    assert api.get(reverse("customer-detail", args=[mine.pk])).status_code == 200
    for customer in (elsewhere, neighbours):
        response = api.get(reverse("customer-detail", args=[customer.pk]))
        assert response.status_code == 404
        assert api.patch(reverse("customer-detail", args=[customer.pk]), {"name": "X"},
                         format="json").status_code == 404


def test_a_token_stops_working_when_its_owner_loses_the_role(advisor, dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    _token, secret = services.api_token_create(user=advisor, name="Script")
    with unscoped():
        Membership.objects.filter(user=advisor).update(is_active=False)
    assert _api(secret).get(reverse("customer-detail", args=[customer.pk])).status_code == 404


def test_the_list_shows_times_in_the_owners_zone_and_language(client, advisor, dealer):
    advisor.language = "es"
    advisor.save(update_fields=["language"])
    yesterday = timezone.now().astimezone(UTC) - timedelta(days=1)
    made = yesterday.replace(hour=14, minute=5, second=0, microsecond=0)  # 08:05 in Monterrey (the dealer's zone)
    token, _secret = services.api_token_create(user=advisor, name="Reportes", now=made)
    client.force_login(advisor)
    page = client.get(reverse("profile")).content.decode()
    with translation.override("es"), timezone.override(dealer.zone):
        created = date_as(timezone.localtime(token.created_at), "MEDIUM_DATETIME")
        expires = date_as(timezone.localtime(token.expires_at), "MEDIUM_DATETIME")
        never, active = translation.gettext("Never"), translation.gettext("Active")
    assert "08:05" in created and never != "Never"
    assert created in page and expires in page and never in page and active in page


def test_a_network_admin_sets_the_period_where_the_network_is_edited(client, network_admin, network):
    client.force_login(network_admin)
    url = reverse("admin:tenancy_network_change", args=[network.pk])
    form = {"slug": network.slug, "name": network.name, "time_zone": network.time_zone,
            "default_language": network.default_language, "content_languages": "[]"}
    assert client.post(url, {**form, "api_token_days": "0"}).status_code == 200  # shown again with the error
    assert client.post(url, {**form, "api_token_days": "30"}).status_code == 302
    network.refresh_from_db()
    assert network.api_token_days == 30


class _StatementRunner:
    """What the migration uses of a schema editor; a real one refuses to open inside the test's transaction on
    SQLite."""

    connection = connection

    def execute(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_a_drf_token_carried_over_by_the_migration_keeps_working(advisor, network, clock):
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute('CREATE TABLE authtoken_token ("key" varchar(40) PRIMARY KEY, '
                       "created timestamp with time zone NOT NULL, user_id bigint NOT NULL)")
        cursor.execute('INSERT INTO authtoken_token ("key", created, user_id) VALUES (%s, %s, %s)',
                       [key, timezone.now() - timedelta(days=400), advisor.pk])
    migration = importlib.import_module("accounts.migrations.0007_api_tokens_from_drf_tokens")
    state = MigrationExecutor(connection).loader.project_state(("accounts", "0007_api_tokens_from_drf_tokens"))
    migration.drf_tokens_convert(state.apps, _StatementRunner())  # the models as the migration sees them

    assert "authtoken_token" not in connection.introspection.table_names()
    assert key not in _every_stored_value()
    token = ApiToken.objects.get(owner=advisor)
    assert token.prefix == key[:8]
    assert _api(key).get(reverse("api-me")).json()["email"] == advisor.email
    clock.move(timedelta(days=network.api_token_days))  # the period runs from the migration, not the old creation
    assert _api(key).get(reverse("api-me")).status_code == 401


def test_a_superuser_revokes_a_leaked_token_in_the_admin_and_nobody_else_sees_them(client, superuser, advisor,
                                                                                     network_admin):
    token, secret = services.api_token_create(user=advisor, name="Leaked")
    client.force_login(network_admin)
    assert client.get("/admin/accounts/apitoken/").status_code == 403

    client.force_login(superuser)
    listing = client.get("/admin/accounts/apitoken/").content.decode()
    assert "Leaked" in listing and token.prefix in listing and token.secret_hash not in listing
    response = client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]},
                           follow=True)
    assert "1 API token revoked." in response.content.decode()
    assert _api(secret).get(reverse("api-me")).status_code == 401
