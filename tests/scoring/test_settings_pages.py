"""The network admin's scoring settings (the 5-Star rules and the KPI set) and the checklists page."""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from scoring.kpis import DEFAULT_KPIS
from scoring.models import ChecklistTemplate, Kpi, ScoringPolicy
from scoring.selectors import checklist_export
from scoring.services import checklist_import, kpi_set_replace
from tests.cross_tenant import assert_not_found_for
from tests.scoring.conftest import SMALL_POE

pytestmark = pytest.mark.django_db

POLICY = {"policy-poe_weight": "60", "policy-service_quality_weight": "40", "policy-min_sample": "12",
          "policy-min_data_weight_percent": "50", "policy-five_stars_from": "92.5", "policy-four_stars_from": "82",
          "policy-three_stars_from": "72", "policy-two_stars_from": "60", "policy-publish_hour": "4"}


def link(network, name="scoring_settings", *args):
    return reverse(name, args=[network.slug, *args])


def kpi_post(rows: list[dict], *, initial: int = 0, action: str = "kpis") -> dict:
    data = {"action": action, "kpis-TOTAL_FORMS": str(len(rows)), "kpis-INITIAL_FORMS": str(initial),
            "kpis-MIN_NUM_FORMS": "0", "kpis-MAX_NUM_FORMS": "1000"}
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"kpis-{index}-{name}"] = value
    return data


def kpi_row(code, measure, weight, **overrides):
    return {"code": code, "name": "", "measure": measure, "focus_area": "1", "category": "speed", "target": "90",
            "weight": str(weight), **overrides}


def saved_kpis(network):
    with unscoped():
        return list(Kpi.objects.filter(network=network).order_by("position").values_list("code", "weight"))


def saved_policy(network):
    with unscoped():
        return ScoringPolicy.objects.filter(network=network).first()


@pytest.fixture
def two_kpis(network):
    with tenant_scope(TenantScope.for_network(network.pk)):
        kpi_set_replace(network=network, rows=[
            {"code": "greeting", "name": "", "measure": "greeted_on_time", "focus_area": 1, "category": "speed",
             "target": Decimal(90), "weight": 60},
            {"code": "follow-up", "name": "", "measure": "followup_in_window", "focus_area": 6,
             "category": "speed", "target": Decimal(90), "weight": 40}])


# --- The scoring settings -------------------------------------------------------------------------------------


def test_hq_reads_the_settings_and_the_default_kpi_set_is_shown(client, hq, network):
    client.force_login(hq)
    response = client.get(link(network))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Only network admins change these settings." in page
    assert "The network uses the default KPI set" in page
    assert page.count('data-testid="kpi-row-') == len(DEFAULT_KPIS)
    assert "Customers greeted within tolerance of their appointment" in page
    assert "Promise 1 on jobs arrived in the month, walk-ins left out." in page  # the measure's explanation
    assert 'data-testid="save-kpis"' not in page and 'data-testid="save-policy"' not in page


def test_hq_cannot_change_the_settings(client, hq, network):
    client.force_login(hq)
    assert client.post(link(network), {"action": "policy", **POLICY}).status_code == 403
    assert client.post(link(network), kpi_post([kpi_row("a", "greeted_on_time", 100)])).status_code == 403
    assert client.post(link(network), {"action": "restore_defaults"}).status_code == 403
    assert saved_policy(network) is None and saved_kpis(network) == []


def test_the_network_admin_saves_the_5_star_rules(client, network_admin, network):
    client.force_login(network_admin)
    assert 'data-testid="save-policy"' in client.get(link(network)).content.decode()
    response = client.post(link(network), {"action": "policy", **POLICY})
    assert response.status_code == 302
    policy = saved_policy(network)
    assert (policy.poe_weight, policy.service_quality_weight, policy.min_sample, policy.five_stars_from,
            policy.publish_hour) == (60, 40, 12, Decimal("92.5"), 4)


@pytest.mark.parametrize(("changes", "message"), [
    ({"policy-service_quality_weight": "30"}, "The weights of POE and Service Quality must add up to 100."),
    ({"policy-four_stars_from": "95"}, "Each star threshold must be below the one for more stars."),
    ({"policy-publish_hour": "24"}, "Ensure this value is less than or equal to 23."),
])
def test_bad_rules_are_refused_and_the_old_ones_kept(client, network_admin, network, changes, message):
    client.force_login(network_admin)
    client.post(link(network), {"action": "policy", **POLICY})
    response = client.post(link(network), {"action": "policy", **POLICY, **changes})
    assert response.status_code == 400
    assert message in response.content.decode()
    policy = saved_policy(network)
    assert (policy.poe_weight, policy.service_quality_weight, policy.four_stars_from, policy.publish_hour) == (
        60, 40, Decimal("82.0"), 4)


def test_the_network_admin_saves_a_kpi_set(client, network_admin, network):
    client.force_login(network_admin)
    response = client.post(link(network), kpi_post([
        kpi_row("greeting", "greeted_on_time", 70, name="Welcomed on time"),
        kpi_row("close-time", "complaint_close_hours", 30, focus_area="6", target="72")]))
    assert response.status_code == 302
    assert saved_kpis(network) == [("greeting", 70), ("close-time", 30)]
    page = client.get(link(network)).content.decode()
    assert "The network uses the default KPI set" not in page
    assert 'value="Welcomed on time"' in page


def test_weights_not_adding_up_to_100_are_refused_and_the_old_set_kept(client, network_admin, network, two_kpis):
    client.force_login(network_admin)
    response = client.post(link(network), kpi_post([kpi_row("greeting", "greeted_on_time", 60),
                                                    kpi_row("follow-up", "followup_in_window", 30)], initial=2))
    assert response.status_code == 400
    assert "The weights add up to 90; they must add up to 100." in response.content.decode()
    assert saved_kpis(network) == [("greeting", 60), ("follow-up", 40)]


def test_a_row_error_is_shown_on_its_row(client, network_admin, network, two_kpis):
    client.force_login(network_admin)
    response = client.post(link(network), kpi_post([kpi_row("greeting", "greeted_on_time", 50),
                                                    kpi_row("greeting", "followup_in_window", 50)], initial=2))
    assert response.status_code == 400
    page = response.content.decode()
    second_row = page[page.index('data-testid="kpi-row-1"'):]
    assert "Code greeting appears twice." in second_row[:second_row.index("</tr>")]
    assert saved_kpis(network) == [("greeting", 60), ("follow-up", 40)]


def test_rows_are_added_and_removed(client, network_admin, network, two_kpis):
    client.force_login(network_admin)
    rows = [kpi_row("greeting", "greeted_on_time", 60), kpi_row("follow-up", "followup_in_window", 40)]
    added = client.post(link(network), kpi_post(rows, initial=2, action="add_row"))
    assert added.status_code == 200
    assert 'name="kpis-2-code"' in added.content.decode()
    assert saved_kpis(network) == [("greeting", 60), ("follow-up", 40)]
    # The new row filled in, the follow-up row removed: 60 + 40 again.
    rows = [kpi_row("greeting", "greeted_on_time", 60), {**kpi_row("follow-up", "followup_in_window", 40),
                                                         "DELETE": "on"},
            kpi_row("ready", "ready_on_time", 40, focus_area="3")]
    response = client.post(link(network), kpi_post(rows, initial=2))
    assert response.status_code == 302
    assert saved_kpis(network) == [("greeting", 60), ("ready", 40)]


def test_an_empty_added_row_is_ignored(client, network_admin, network, two_kpis):
    client.force_login(network_admin)
    rows = [kpi_row("greeting", "greeted_on_time", 60), kpi_row("follow-up", "followup_in_window", 40),
            {"code": "", "name": "", "measure": "", "focus_area": "", "category": "", "target": "", "weight": ""}]
    assert client.post(link(network), kpi_post(rows, initial=2)).status_code == 302
    assert saved_kpis(network) == [("greeting", 60), ("follow-up", 40)]


def test_the_default_set_is_restored(client, network_admin, network, two_kpis):
    client.force_login(network_admin)
    assert client.post(link(network), {"action": "restore_defaults"}).status_code == 302
    assert saved_kpis(network) == [(code, weight) for code, _m, _a, _c, _t, weight in DEFAULT_KPIS]


def test_the_settings_are_for_network_people_only(client, regional_manager, advisor, manager, outsider, network):
    client.force_login(regional_manager)
    assert client.get(link(network)).status_code == 403
    assert_not_found_for(advisor, web=[link(network), link(network, "scoring_checklists")])
    assert_not_found_for(manager, web=[link(network), link(network, "scoring_checklists")])
    assert_not_found_for(outsider, web=[link(network), link(network, "scoring_checklists")])


# --- Checklists -----------------------------------------------------------------------------------------------


def json_file(data, name="checklist.json"):
    text = data if isinstance(data, str) else json.dumps(data)
    return SimpleUploadedFile(name, text.encode(), content_type="application/json")


def checklists_of(network):
    with unscoped():
        return list(ChecklistTemplate.objects.filter(network=network).order_by("code", "version")
                    .values_list("code", "version", "is_current"))


def test_hq_reads_the_checklists_with_their_items_and_points(client, hq, network, small_poe):
    client.force_login(hq)
    page = client.get(link(network, "scoring_checklists")).content.decode()
    row = page[page.index('data-testid="checklist-poe-v1"'):]
    row = row[:row.index("</tr>")]
    assert '<td class="text-end" data-col="items">3</td>' in row
    assert '<td class="text-end" data-col="points">25</td>' in row
    assert 'data-testid="install"' not in page and 'data-testid="import-form"' not in page
    assert client.post(link(network, "scoring_checklists"), {"action": "install"}).status_code == 403
    assert checklists_of(network) == [("poe", 1, True)]


def test_the_network_admin_installs_the_shipped_checklists_once(client, network_admin, network):
    client.force_login(network_admin)
    response = client.post(link(network, "scoring_checklists"), {"action": "install"}, follow=True)
    assert "Installed 2 checklists." in response.content.decode()
    assert checklists_of(network) == [("poe", 1, True), ("prc", 1, True)]
    again = client.post(link(network, "scoring_checklists"), {"action": "install"}, follow=True)
    assert "The shipped checklists were already installed." in again.content.decode()
    assert checklists_of(network) == [("poe", 1, True), ("prc", 1, True)]


def test_importing_a_checklist_the_network_has_makes_a_new_version(client, network_admin, network, small_poe):
    changed = {**SMALL_POE, "name": "POE 2027"}
    client.force_login(network_admin)
    response = client.post(link(network, "scoring_checklists"), {"action": "import", "file": json_file(changed)},
                           follow=True)
    assert "Imported POE 2027, version 2." in response.content.decode()
    assert checklists_of(network) == [("poe", 1, False), ("poe", 2, True)]
    page = response.content.decode()
    assert 'data-testid="checklist-poe-v1"' in page and 'data-testid="checklist-poe-v2"' in page


@pytest.mark.parametrize(("content", "message"), [
    ({**SMALL_POE, "sections": [{"code": "SP", "title": "x", "items": [{"code": "SP.1", "text": "a",
                                                                         "max_points": 0}]}]},
     "Item SP.1: maximum points must be a whole number from 1 to 100."),
    ({**SMALL_POE, "kind": "sales"}, "“kind” must be one of poe, prc, other."),
    ("{not json", "The file is not valid JSON: "),
    ({**SMALL_POE, "sections": "SP"}, "“sections” must be a list of objects."),
    ({**SMALL_POE, "code": "x" * 41}, "“code” must be a text of at most 40 characters."),
    ([1, 2], "A checklist is an object with code, kind, name and sections."),
])
def test_a_bad_checklist_file_lists_its_errors_and_saves_nothing(client, network_admin, network, small_poe,
                                                                 content, message):
    client.force_login(network_admin)
    response = client.post(link(network, "scoring_checklists"), {"action": "import", "file": json_file(content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert checklists_of(network) == [("poe", 1, True)]


def test_a_checklist_is_exported_as_readable_json(client, hq, network, small_poe):
    client.force_login(hq)
    response = client.get(link(network, "scoring_checklist_export", small_poe.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="poe-v1.json"'
    text = response.content.decode()
    assert text.startswith('{\n  "code": "poe",')
    with tenant_scope(TenantScope.for_network(network.pk)):
        assert json.loads(text) == checklist_export(small_poe)


def test_another_networks_checklist_is_404(client, hq, network, other_network):
    with tenant_scope(TenantScope.for_network(other_network.pk)):
        theirs = checklist_import(network=other_network, data=SMALL_POE)
    client.force_login(hq)
    assert client.get(link(network, "scoring_checklist_export", theirs.pk)).status_code == 404
    page = client.get(link(network, "scoring_checklists")).content.decode()
    assert 'data-testid="checklist-poe-v1"' not in page and "The network has no checklists yet." in page
