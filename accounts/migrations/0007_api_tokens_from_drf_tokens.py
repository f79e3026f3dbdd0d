"""DRF's plain-text tokens become hashed API tokens, so existing clients keep working until theirs expires.

rest_framework.authtoken is no longer installed. If its table is still here (a database from before), each key is
stored as its hash, the clock of its expiry starting now with its owner's network's period, and the table with the
plain keys is dropped; its rows in django_migrations go too, so installing the app again would recreate it cleanly.
A new database never had the table, and this does nothing. Not reversible: the plain keys are gone on purpose.
"""

import hashlib
from datetime import UTC, timedelta

from django.conf import settings
from django.db import migrations
from django.db.models import Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime

DRF_TOKEN_TABLE = "authtoken_token"
MIGRATED_TOKEN_NAME = "API token from before hashed tokens"


def _as_aware(value):
    # SQLite's cursor gives the timestamp as text.
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return timezone.now()
    return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)


def drf_tokens_convert(apps, schema_editor):
    connection = schema_editor.connection
    if DRF_TOKEN_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    Membership = apps.get_model("tenancy", "Membership")
    with connection.cursor() as cursor:
        cursor.execute('SELECT "key", user_id, created FROM authtoken_token')
        rows = cursor.fetchall()
    now = timezone.now()
    for key, user_id, created in rows:
        days = (Membership.objects.filter(user_id=user_id, is_active=True)
                .aggregate(days=Min("network__api_token_days"))["days"]) or settings.API_TOKEN_DEFAULT_DAYS
        ApiToken.objects.create(owner_id=user_id, name=MIGRATED_TOKEN_NAME, prefix=key[:8],
                                secret_hash=hashlib.sha256(key.encode()).hexdigest(), created_at=_as_aware(created),
                                expires_at=now + timedelta(days=days))
    schema_editor.execute("DROP TABLE authtoken_token")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_api_token"),
        ("tenancy", "0004_network_api_token_days"),
    ]

    operations = [
        migrations.RunPython(drf_tokens_convert, migrations.RunPython.noop),
    ]
