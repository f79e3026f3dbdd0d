"""The followups data migrations: existing reached calls get the local date in their own dealer's time zone;
existing questionnaires get the shipped questions in their network's languages."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from followups.models import QUESTIONS, SHIPPED_QUESTIONS

# The network's language fields came later than these: the historical Network knows nothing of them.
BEFORE = [("followups", "0005_anniversary_contacts"), ("tenancy", "0002_dealer_calling_hours")]
AFTER = [("followups", "0007_reached_with_its_local_date")]


@pytest.mark.django_db(transaction=True)
def test_existing_reached_calls_get_their_local_reached_day_in_each_dealers_zone():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Network, Region, Dealer = (apps.get_model("tenancy", name) for name in ("Network", "Region", "Dealer"))
    Customer, Vehicle = apps.get_model("customers", "Customer"), apps.get_model("customers", "Vehicle")
    FollowUpCall = apps.get_model("followups", "FollowUpCall")
    network = Network.objects.create(slug="aurora", name="Aurora", time_zone="UTC")
    region = Region.objects.create(network=network, code="NTE", name="Norte")
    moment = datetime(2026, 12, 12, 23, 0, tzinfo=UTC)  # 17:00 on the 12th in Monterrey, 08:00 on the 13th in Tokyo
    calls = {}
    for code, zone in (("MTY", "America/Monterrey"), ("TYO", "Asia/Tokyo")):
        dealer = Dealer.objects.create(network=network, region=region, code=code, name=code, time_zone=zone)
        customer = Customer.objects.create(dealer=dealer, name="Ana Ruiz", phone=f"+52 81 0000 00{len(calls)}")
        vehicle = Vehicle.objects.create(dealer=dealer, customer=customer, vin=f"VIN{code}0000000000000"[:17])
        calls[code] = FollowUpCall.objects.create(
            dealer=dealer, kind="anniversary", customer=customer, vehicle=vehicle, delivered_at=moment,
            window_start=date(2026, 12, 10), window_end=date(2026, 12, 12), status="reached", reached_at=moment).pk
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    FollowUpCall = executor.loader.project_state(AFTER).apps.get_model("followups", "FollowUpCall")
    reached_on = dict(FollowUpCall.objects.filter(pk__in=calls.values()).values_list("dealer__code", "reached_on"))
    assert reached_on == {"MTY": date(2026, 12, 12), "TYO": date(2026, 12, 13)}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_questionnaires_get_the_shipped_questions_in_their_networks_languages():
    before = [("followups", "0007_reached_with_its_local_date"), ("tenancy", "0003_languages")]
    after = [("followups", "0008_questionnaire_questions")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    Network, Questionnaire = apps.get_model("tenancy", "Network"), apps.get_model("followups", "Questionnaire")
    mexico = Network.objects.create(slug="gm-mx", name="GM México", default_language="es", content_languages=["en"])
    finland = Network.objects.create(slug="citroen-fi", name="Citroën Suomi", default_language="fi")
    for network in (mexico, finland):
        Questionnaire.objects.create(network=network, dissatisfied_at_or_below=3)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    Questionnaire = executor.loader.project_state(after).apps.get_model("followups", "Questionnaire")
    rows = {row.network.slug: row for row in Questionnaire.objects.select_related("network")}
    assert rows["gm-mx"].overall == SHIPPED_QUESTIONS["overall"]["es"]
    assert rows["gm-mx"].translations == {"en": {field: SHIPPED_QUESTIONS[field]["en"] for field in QUESTIONS}}
    assert rows["gm-mx"].dissatisfied_at_or_below == 3
    assert (rows["citroen-fi"].comments, rows["citroen-fi"].translations) == (SHIPPED_QUESTIONS["comments"]["fi"], {})
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
