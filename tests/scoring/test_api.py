"""The scoring API: checklists, assessments, KPIs, published rankings and scorecards — scoped and by role."""

import json
from datetime import date, datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dealer_portal.tenancy.calendar import local_today
from dealer_portal.tenancy.models import Role
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from followups.models import CallKind, CallStatus, FollowUpCall
from scoring.models import Assessment, AssessmentScore, ChecklistItem, ChecklistTemplate, Kpi, ScoringPolicy
from scoring.services import checklist_import, kpi_set_replace
from servicejobs.models import ServiceJob
from tests import factories
from tests.cross_tenant import assert_not_found_for
from tests.scoring.conftest import SMALL_POE

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def _months(network) -> tuple[date, date]:
    """(last month, next month) in the network's time, whatever today is."""
    this_month = local_today(network).replace(day=1)
    return (this_month - timedelta(days=1)).replace(day=1), (this_month + timedelta(days=32)).replace(day=1)


@pytest.fixture
def last_month(network) -> date:
    return _months(network)[0]


@pytest.fixture
def next_month(network) -> date:
    return _months(network)[1]


@pytest.fixture
def items(small_poe, network):
    with tenant_scope(TenantScope.for_network(network.pk)):
        return {item.code: item for item in ChecklistItem.objects.filter(section__template=small_poe)}


@pytest.fixture
def foreign_poe(other_network):
    with tenant_scope(TenantScope.for_network(other_network.pk)):
        return checklist_import(network=other_network, data=SMALL_POE)


def _open(api, dealer, template, month: date, **extra):
    return api.post(reverse("assessment-list"), {"dealer": dealer.pk, "template": template.pk,
                                                 "month": month.strftime("%Y-%m"), **extra}, format="json")


def _score_rows(items, points: dict) -> dict:
    return {"scores": [{"item": items[code].pk, "points": value, "not_applicable": value is None}
                       for code, value in points.items()]}


# --- Checklists ----------------------------------------------------------------------------------------------


def test_checklists_list_the_networks_versions_with_sections_and_items(api_as, advisor, small_poe, foreign_poe):
    response = api_as(advisor).get(reverse("checklist-list"))
    assert response.status_code == 200
    [checklist] = response.json()["results"]  # the other network's checklist is not listed
    assert (checklist["network"], checklist["code"], checklist["version"], checklist["is_current"]) == (
        "aurora", "poe", 1, True)
    assert [(s["code"], [(i["code"], i["max_points"]) for i in s["items"]]) for s in checklist["sections"]] == [
        ("SP", [("SP.1", 10), ("SP.2", 5)]), ("SI", [("SI.1", 10)])]


def test_a_network_admin_imports_the_exported_file_as_the_next_version(api_as, network_admin, small_poe):
    api = api_as(network_admin)
    exported = api.get(reverse("checklist-export", args=[small_poe.pk])).json()
    assert exported == {**SMALL_POE, "version": 1, "language": "en"}
    exported["sections"][0]["items"][1]["max_points"] = 6
    created = api.post(reverse("checklist-list"), exported, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["code"], body["version"], body["is_current"]) == ("poe", 2, True)
    assert body["sections"][0]["items"][1]["max_points"] == 6
    current = api.get(reverse("checklist-list"), {"current": "true"}).json()["results"]
    older = api.get(reverse("checklist-list"), {"current": "false"}).json()["results"]
    assert [c["version"] for c in current] == [2] and [c["version"] for c in older] == [1]
    assert api.get(reverse("checklist-list"), {"current": "yes"}).json()["errors"] == {
        "current": ["Use true or false."]}


def test_only_a_network_admin_imports_and_a_bad_file_is_refused_whole(api_as, hq, network_admin, network):
    assert api_as(hq).post(reverse("checklist-list"), SMALL_POE, format="json").status_code == 403
    api = api_as(network_admin)
    zero_points = json.loads(json.dumps(SMALL_POE))
    zero_points["sections"][1]["items"][0]["max_points"] = 0
    refused = api.post(reverse("checklist-list"), zero_points, format="json")
    assert refused.status_code == 400
    # Nested errors are keyed by position, as DRF gives them: section 1, item 0.
    assert refused.json()["errors"]["sections"] == {
        "1": {"items": {"0": {"max_points": ["Ensure this value is greater than or equal to 1."]}}}}
    twice = json.loads(json.dumps(SMALL_POE))
    twice["sections"][1]["items"][0]["code"] = "SP.1"
    refused = api.post(reverse("checklist-list"), twice, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"non_field_errors": ["Item code SP.1 appears twice."]}
    assert api.post(reverse("checklist-list"), ["not", "an", "object"], format="json").status_code == 400
    with unscoped():
        assert not ChecklistTemplate.objects.filter(network=network).exists()


def test_an_admin_of_two_networks_names_the_network(api_as, network_admin, other_network):
    factories.MembershipFactory(user=network_admin, network=other_network, role=Role.NETWORK_ADMIN)
    api = api_as(network_admin)
    refused = api.post(reverse("checklist-list"), SMALL_POE, format="json")
    assert refused.json()["errors"] == {"network": ["This field is required: you work in several networks."]}
    created = api.post(reverse("checklist-list"), {**SMALL_POE, "network": "borealis"}, format="json")
    assert (created.status_code, created.json()["network"]) == (201, "borealis")


def test_another_networks_checklist_is_404(outsider, small_poe):
    assert_not_found_for(outsider, api=[reverse("checklist-detail", args=[small_poe.pk]),
                                        reverse("checklist-export", args=[small_poe.pk])])


# --- Assessments ---------------------------------------------------------------------------------------------


def test_hq_opens_an_assessment_scores_it_and_reads_the_poe_score(api_as, hq, dealer, small_poe, items, last_month):
    api = api_as(hq)
    opened = _open(api, dealer, small_poe, last_month)
    assert opened.status_code == 201, opened.json()
    assessment = opened.json()
    assert (assessment["is_self_assessment"], assessment["status"], assessment["month"], assessment["auditor"]) == (
        False, "draft", last_month.strftime("%Y-%m"), "hq@example.com")
    scored = api.post(reverse("assessment-scores", args=[assessment["id"]]),
                      _score_rows(items, {"SP.1": 8, "SP.2": None, "SI.1": 5}), format="json")
    assert scored.status_code == 200, scored.json()
    result = scored.json()["result"]
    # (8 + 5) / (10 + 10): SP.2 does not apply, so its 5 points leave the maximum.
    assert (result["achieved"], result["applicable_max"], result["percent"]) == (13, 20, 65.0)
    assert [(s["code"], s["percent"]) for s in result["sections"]] == [("SP", 80.0), ("SI", 50.0)]
    assert [(s["item_code"], s["points"], s["not_applicable"]) for s in scored.json()["scores"]] == [
        ("SP.1", 8, False), ("SP.2", None, True), ("SI.1", 5, False)]
    listed = api.get(reverse("assessment-list"), {"month": last_month.strftime("%Y-%m"), "dealer": dealer.pk})
    assert [a["id"] for a in listed.json()["results"]] == [assessment["id"]]


def test_scores_are_saved_all_or_nothing_and_the_error_names_the_item(api_as, hq, dealer, small_poe, items,
                                                                     last_month):
    api = api_as(hq)
    assessment_id = _open(api, dealer, small_poe, last_month).json()["id"]
    refused = api.post(reverse("assessment-scores", args=[assessment_id]),
                       _score_rows(items, {"SP.1": 8, "SP.2": 6, "SI.1": 5}), format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"scores": {
        "1": {"points": ["SP.2: Give from 0 to 5 points, or mark it not applicable."]}}}
    with unscoped():
        assert not AssessmentScore.objects.filter(assessment_id=assessment_id).exists()


def test_who_may_open_which_assessment(api_as, advisor, manager, regional_manager, dealer, small_poe, last_month):
    refused = _open(api_as(advisor), dealer, small_poe, last_month)
    assert (refused.status_code, refused.json()["detail"]) == (
        403, "Only HQ auditors and network admins run HQ assessments; a dealer's manager runs its self-assessment.")
    assert _open(api_as(regional_manager), dealer, small_poe, last_month).status_code == 403
    assert _open(api_as(manager), dealer, small_poe, last_month, is_self_assessment=False).status_code == 403
    own = api_as(manager).post(reverse("assessment-list"), {"template": small_poe.pk,
                                                            "month": last_month.strftime("%Y-%m")}, format="json")
    assert own.status_code == 201, own.json()
    assert (own.json()["dealer"], own.json()["is_self_assessment"]) == (dealer.pk, True)


def test_an_assessment_outside_the_network_or_in_the_future_is_refused(
        api_as, hq, dealer, foreign_dealer, small_poe, foreign_poe, last_month, next_month):
    api = api_as(hq)
    invalid = ["Select a valid choice. That choice is not one of the available choices."]
    assert _open(api, foreign_dealer, small_poe, last_month).json()["errors"] == {"dealer": invalid}
    assert _open(api, dealer, foreign_poe, last_month).json()["errors"] == {"template": invalid}
    future = _open(api, dealer, small_poe, next_month)
    assert (future.status_code, future.json()["errors"]) == (
        400, {"month": [f"{next_month:%B %Y} is in the future."]})
    malformed = api.post(reverse("assessment-list"), {"dealer": dealer.pk, "template": small_poe.pk,
                                                      "month": "October"}, format="json")
    assert malformed.json()["errors"] == {"month": ["Give the month as YYYY-MM, for example 2026-10."]}
    assert _open(api, dealer, small_poe, last_month).status_code == 201
    again = _open(api, dealer, small_poe, last_month)
    assert again.status_code == 400 and "already has this assessment" in again.json()["errors"]["month"][0]
    with unscoped():
        assert Assessment.objects.count() == 1


def test_dealer_staff_see_hqs_assessment_only_once_submitted(api_as, hq, advisor, dealer, small_poe, items,
                                                            last_month):
    api = api_as(hq)
    assessment_id = _open(api, dealer, small_poe, last_month).json()["id"]
    staff = api_as(advisor)
    assert staff.get(reverse("assessment-list")).json()["results"] == []
    assert staff.get(reverse("assessment-detail", args=[assessment_id])).status_code == 404
    api.post(reverse("assessment-scores", args=[assessment_id]),
             _score_rows(items, {"SP.1": 8, "SP.2": None, "SI.1": 5}), format="json")
    assert api.post(reverse("assessment-submit", args=[assessment_id])).status_code == 200
    seen = staff.get(reverse("assessment-detail", args=[assessment_id]))
    assert (seen.status_code, seen.json()["status"], seen.json()["result"]["percent"]) == (200, "submitted", 65.0)
    changed = staff.post(reverse("assessment-scores", args=[assessment_id]),
                         _score_rows(items, {"SP.1": 10}), format="json")
    assert changed.status_code == 403


def test_submit_locks_and_only_a_network_admin_reopens_with_a_reason(api_as, hq, network_admin, dealer, small_poe,
                                                                    items, last_month):
    api = api_as(hq)
    assessment_id = _open(api, dealer, small_poe, last_month).json()["id"]
    submit_url = reverse("assessment-submit", args=[assessment_id])
    api.post(reverse("assessment-scores", args=[assessment_id]), _score_rows(items, {"SP.1": 8}), format="json")
    incomplete = api.post(submit_url)
    assert incomplete.json()["errors"] == {"assessment": ["Score these items first: SP.2, SI.1."]}
    api.post(reverse("assessment-scores", args=[assessment_id]), _score_rows(items, {"SP.2": 5, "SI.1": 9}),
             format="json")
    submitted = api.post(submit_url)
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")
    locked = api.post(reverse("assessment-scores", args=[assessment_id]), _score_rows(items, {"SP.1": 1}),
                      format="json")
    assert locked.json()["errors"] == {"assessment": [
        "This assessment was submitted and is locked; a network admin can reopen it."]}
    reopen_url = reverse("assessment-reopen", args=[assessment_id])
    assert api.post(reopen_url, {"reason": "typo"}, format="json").status_code == 403
    admin = api_as(network_admin)
    assert admin.post(reopen_url, {}, format="json").json()["errors"] == {
        "reason": ["Say why the assessment is reopened."]}
    reopened = admin.post(reopen_url, {"reason": "SI.1 was miscounted"}, format="json")
    assert reopened.json()["status"] == "draft"
    assert [(e["action"], e["reason"], e["by"]) for e in reopened.json()["events"]] == [
        ("submitted", "", "hq@example.com"), ("reopened", "SI.1 was miscounted", "admin@example.com")]


def test_evidence_is_attached_with_its_type_checked(api_as, hq, dealer, small_poe, items, last_month, settings,
                                                   tmp_path):
    settings.MEDIA_ROOT = tmp_path
    api = api_as(hq)
    assessment_id = _open(api, dealer, small_poe, last_month).json()["id"]
    url = reverse("assessment-evidence", args=[assessment_id])
    attached = api.post(url, {"file": SimpleUploadedFile("bay.png", PNG), "item": items["SP.1"].pk,
                              "note": "Reception bay"}, format="multipart")
    assert attached.status_code == 201, attached.json()
    evidence = attached.json()
    assert (evidence["original_name"], evidence["content_type"], evidence["size"], evidence["item"],
            evidence["note"]) == ("bay.png", "image/png", len(PNG), items["SP.1"].pk, "Reception bay")
    assert evidence["download_url"] == (
        f"http://testserver/n/aurora/d/{dealer.code}/assessments/{assessment_id}/evidence/{evidence['id']}/")
    detail = api.get(reverse("assessment-detail", args=[assessment_id])).json()
    assert [e["original_name"] for e in detail["evidence"]] == ["bay.png"]
    fake = api.post(url, {"file": SimpleUploadedFile("bay.png", b"just text")}, format="multipart")
    assert fake.json()["errors"] == {"file": ["“bay.png” is not really a PNG file."]}
    script = api.post(url, {"file": SimpleUploadedFile("run.sh", b"#!/bin/sh")}, format="multipart")
    assert script.status_code == 400 and "is neither" in script.json()["errors"]["file"][0]


def test_another_tenants_assessment_is_404(api_as, hq, outsider, neighbour, dealer, small_poe, items, last_month):
    api = api_as(hq)
    assessment_id = _open(api, dealer, small_poe, last_month).json()["id"]
    api.post(reverse("assessment-scores", args=[assessment_id]),
             _score_rows(items, {"SP.1": 8, "SP.2": None, "SI.1": 5}), format="json")
    api.post(reverse("assessment-submit", args=[assessment_id]))  # submitted: the dealer's own staff could see it
    for user in (outsider, neighbour):
        assert_not_found_for(user, api=[reverse("assessment-detail", args=[assessment_id])])
        for name in ("assessment-scores", "assessment-evidence", "assessment-submit", "assessment-reopen"):
            response = api_as(user).post(reverse(name, args=[assessment_id]), {}, format="json")
            assert response.status_code == 404, (user, name, response.status_code)


# --- KPIs ------------------------------------------------------------------------------------------------------


def test_the_kpis_are_the_defaults_until_the_network_saves_its_own(api_as, advisor, network):
    body = api_as(advisor).get(reverse("kpi-set")).json()
    assert (body["network"], body["is_default"], len(body["kpis"])) == ("aurora", True, 10)
    assert sum(kpi["weight"] for kpi in body["kpis"]) == 100
    assert body["kpis"][0] == {
        "code": "greeting", "name": "Customers greeted within tolerance of their appointment",
        "measure": "greeted_on_time", "measure_label": "Customers greeted within tolerance of their appointment",
        "measure_explanation": "Promise 1 on jobs arrived in the month, walk-ins left out.", "unit": "percent",
        "higher_is_better": True, "focus_area": 1, "focus_area_name": "Appointment and welcome",
        "category": "speed", "target": 90.0, "weight": 15, "translations": {}}


def test_a_network_admin_replaces_the_whole_set_and_weights_must_add_up(api_as, network_admin, hq, network):
    rows = [{"code": "greeting", "measure": "greeted_on_time", "focus_area": 1, "category": "speed",
             "target": 90, "weight": 60},
            {"code": "calls", "name": "Calls in time", "measure": "followup_in_window", "focus_area": 6,
             "category": "speed", "target": 85, "weight": 40}]
    api = api_as(network_admin)
    saved = api.put(reverse("kpi-set"), {"kpis": rows}, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json()["is_default"] is False
    assert [(k["code"], k["name"], k["target"], k["weight"]) for k in saved.json()["kpis"]] == [
        ("greeting", "Customers greeted within tolerance of their appointment", 90.0, 60),
        ("calls", "Calls in time", 85.0, 40)]
    rows[1]["weight"] = 30
    refused = api.put(reverse("kpi-set"), {"kpis": rows + [{**rows[0], "code": "x", "measure": "nope"}]},
                      format="json")
    assert refused.status_code == 400 and "measure" in refused.json()["errors"]["kpis"]["2"]
    refused = api.put(reverse("kpi-set"), {"kpis": rows}, format="json")
    assert refused.json()["errors"] == {"weight": ["The weights add up to 90; they must add up to 100."]}
    assert api_as(hq).put(reverse("kpi-set"), {"kpis": [{**rows[0], "weight": 100}]}, format="json").status_code \
        == 403
    with tenant_scope(TenantScope.for_network(network.pk)):
        assert [(k.code, k.weight) for k in Kpi.objects.filter(network=network)] == [("greeting", 60), ("calls", 40)]


def test_the_measures_are_listed_with_their_units(api_as, advisor):
    measures = {m["key"]: m for m in api_as(advisor).get(reverse("kpi-measures")).json()}
    assert len(measures) == 11
    assert measures["complaint_close_hours"] == {
        "key": "complaint_close_hours", "label": "Median time to close complaints", "unit": "hours",
        "higher_is_better": False, "record": "complaint",
        "explanation": "Hours from receipt to closing, time on hold left out, for complaints closed in the month "
                       "(lower is better)."}


def test_another_networks_kpis_cannot_be_named(api_as, outsider, network):
    refused = api_as(outsider).get(reverse("kpi-set"), {"network": "aurora"})
    assert refused.json()["errors"] == {
        "network": ["Select a valid choice. That choice is not one of the available choices."]}
    assert api_as(outsider).get(reverse("kpi-set")).json()["network"] == "borealis"


# --- Rankings and scorecards ---------------------------------------------------------------------------------


def _calls(dealer, month: date, *, reached: int, missed: int) -> None:
    """Service follow-up calls whose window closed in ``month``."""
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    with unscoped():
        for index in range(reached + missed):
            job = ServiceJob.objects.create(dealer=dealer, number=f"RO-{index}", customer=vehicle.customer,
                                            vehicle=vehicle)
            call = FollowUpCall(
                dealer=dealer, kind=CallKind.SERVICE, customer=vehicle.customer, vehicle=vehicle, service_job=job,
                delivered_at=timezone.now(), status=CallStatus.MISSED,
                window_start=month + timedelta(days=index), window_end=month + timedelta(days=index + 2))
            if index < reached:  # on the window's middle day, at noon where the dealer is
                call.mark_reached(at=datetime.combine(call.window_start + timedelta(days=1), time(12),
                                                      tzinfo=dealer.zone), zone=dealer.zone)
            call.save()


@pytest.fixture
def published(network, dealer, other_dealer, submitted_poe, publish, last_month):
    """Last month, published: ``dealer`` POE 65 and every call made; ``other_dealer`` POE 100, 4 of 5 calls."""
    with tenant_scope(TenantScope.for_network(network.pk)):
        kpi_set_replace(network=network, rows=[{"code": "calls", "name": "Calls in time",
                                                "measure": "followup_in_window", "focus_area": 6,
                                                "category": "speed", "target": 90, "weight": 100}])
        ScoringPolicy.objects.create(network=network, min_sample=2)
    _calls(dealer, last_month, reached=4, missed=0)
    _calls(other_dealer, last_month, reached=4, missed=1)
    submitted_poe(dealer, last_month, {"SP.1": 8, "SP.2": None, "SI.1": 5})
    submitted_poe(other_dealer, last_month, {"SP.1": 10, "SP.2": 5, "SI.1": 10})
    ranking, _ = publish(last_month)
    return ranking


def test_every_member_reads_the_ranking_lines_without_the_kpi_details(api_as, advisor, dealer, other_dealer,
                                                                      published, last_month):
    api = api_as(advisor)
    [listed] = api.get(reverse("ranking-list")).json()["results"]
    assert (listed["network"], listed["month"], listed["version"], listed["is_current"], listed["published_by"]) == (
        "aurora", last_month.strftime("%Y-%m"), 1, True, None)
    entries = api.get(reverse("ranking-detail", args=[published.pk])).json()["entries"]
    # other_dealer: (100 + 4/5 of calls → 80 / 90 = 88.88…) / 2 = 94.44… → 94.4 (rounding the score to 88.9
    # first gave 94.5); dealer: (65 + 100) / 2 = 82.5.
    assert [(e["dealer_code"], e["region"], e["status"], e["poe"], e["service_quality"], e["speed"],
             e["compliance"], e["overall"], e["stars"], e["rank_network"], e["rank_region"], e["is_top_five"])
            for e in entries] == [
        ("SUR-001", "Sureste", "rated", 100.0, 88.9, 88.9, None, 94.4, 5, 1, 1, True),
        ("NTE-001", "Norte", "rated", 65.0, 100.0, 100.0, None, 82.5, 4, 2, 1, True)]
    assert all("details" not in entry and "kpis" not in entry for entry in entries)


def test_rankings_filter_by_month_and_versions(api_as, network_admin, published, last_month):
    api = api_as(network_admin)
    month = last_month.strftime("%Y-%m")
    republished = api.post(reverse("ranking-republish"), {"month": month, "reason": "POE corrected"}, format="json")
    assert republished.status_code == 201, republished.json()
    assert (republished.json()["version"], republished.json()["reason"], republished.json()["published_by"]) == (
        2, "POE corrected", "admin@example.com")
    assert len(republished.json()["entries"]) == 2
    assert [r["version"] for r in api.get(reverse("ranking-list"), {"month": month}).json()["results"]] == [2]
    every = api.get(reverse("ranking-list"), {"all_versions": "true"}).json()["results"]
    assert [(r["version"], r["is_current"]) for r in every] == [(2, True), (1, False)]
    assert api.get(reverse("ranking-list"), {"month": "1999-01"}).json()["results"] == []
    assert api.get(reverse("ranking-list"), {"month": "last"}).json()["errors"] == {
        "month": ["Give the month as YYYY-MM, for example 2026-10."]}


def test_republishing_is_a_network_admins_with_a_reason(api_as, hq, network_admin, published, last_month,
                                                       next_month):
    month = last_month.strftime("%Y-%m")
    assert api_as(hq).post(reverse("ranking-republish"), {"month": month, "reason": "x"},
                           format="json").status_code == 403
    api = api_as(network_admin)
    assert api.post(reverse("ranking-republish"), {"month": month}, format="json").json()["errors"] == {
        "reason": ["Say why the ranking is republished."]}
    older = (last_month - timedelta(days=1)).replace(day=1)
    assert api.post(reverse("ranking-republish"), {"month": f"{older:%Y-%m}", "reason": "x"},
                    format="json").json()["errors"] == {"month": [f"{older:%B %Y} has not been published yet."]}
    assert api.post(reverse("ranking-republish"), {"month": f"{next_month:%Y-%m}", "reason": "x"},
                    format="json").json()["errors"] == {"month": [f"{next_month:%B %Y} is in the future."]}


def test_another_networks_ranking_is_404(outsider, published):
    assert_not_found_for(outsider, api=[reverse("ranking-detail", args=[published.pk])])


def test_the_scorecard_gives_the_published_figures_and_the_kpis_behind_them(api_as, hq, dealer, published,
                                                                           last_month):
    response = api_as(hq).get(reverse("scorecard", args=[dealer.pk, last_month.strftime("%Y-%m")]))
    assert response.status_code == 200
    card = response.json()
    assert (card["dealer_code"], card["status"], card["poe"], card["service_quality"], card["speed"],
            card["compliance"], card["overall"], card["stars"]) == (
        "NTE-001", "rated", 65.0, 100.0, 100.0, None, 82.5, 4)
    assert (card["is_published"], card["ranking_version"], card["rank_network"], card["rank_region"],
            card["movement"], card["is_top_five"]) == (True, 1, 2, 1, None, True)
    assert [(s["code"], s["achieved"], s["applicable"], s["percent"]) for s in card["poe_sections"]] == [
        ("SP", 8, 10, 80.0), ("SI", 5, 10, 50.0)]
    [kpi] = card["kpis"]
    assert (kpi["code"], kpi["cases"], kpi["met"], kpi["value"], kpi["score"], kpi["enough_data"]) == (
        "calls", 4, 4, 100.0, 100.0, True)
    assert {area["area"]: area["percent"] for area in card["focus_areas"]}[6] == 100.0


def test_a_month_not_yet_published_is_a_live_preview(api_as, advisor, dealer, small_poe, network):
    this_month = local_today(network).strftime("%Y-%m")
    card = api_as(advisor).get(reverse("scorecard", args=[dealer.pk, this_month])).json()
    assert (card["is_published"], card["status"], card["poe"], card["rank_network"], card["is_top_five"]) == (
        False, "not_assessed", None, None, False)


def test_dealer_staff_read_their_own_scorecard_only(api_as, advisor, neighbour, outsider, dealer, published,
                                                   last_month):
    url = reverse("scorecard", args=[dealer.pk, last_month.strftime("%Y-%m")])
    assert api_as(advisor).get(url).json()["overall"] == 82.5
    assert_not_found_for(neighbour, api=[url])
    assert_not_found_for(outsider, api=[url])


def test_a_future_or_malformed_month_is_400(api_as, hq, dealer, next_month):
    future = api_as(hq).get(reverse("scorecard", args=[dealer.pk, next_month.strftime("%Y-%m")]))
    assert (future.status_code, future.json()["errors"]) == (400, {"month": [f"{next_month:%B %Y} is in the future."]})
    malformed = api_as(hq).get(reverse("scorecard", args=[dealer.pk, "2026-13"]))
    assert (malformed.status_code, malformed.json()["errors"]) == (
        400, {"month": ["Give the month as YYYY-MM, for example 2026-10."]})


def test_the_schema_documents_the_scoring_api_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/v1/checklists/{id}/export/:", "/api/v1/assessments/{id}/scores/:", "/api/v1/kpis/:",
                 "/api/v1/kpis/measures/:", "/api/v1/rankings/republish/:",
                 "/api/v1/scorecards/{dealer_pk}/{month}/:"):
        assert path in schema



def test_list_and_ranking_queries_do_not_grow_with_rows(api_as, hq, published, django_assert_num_queries):
    api = api_as(hq)
    # Token (and its first use, recorded once a minute), whether its holder still owes a second factor, and
    # memberships, then one query each: the ranking and its lines; the assessments and their count. On PostgreSQL
    # the first use's write also leaves the audit context to clear, inside the test's open transaction (a request
    # in production ends its own).
    with django_assert_num_queries(7 if connection.vendor == "postgresql" else 6):
        assert len(api.get(reverse("ranking-detail", args=[published.pk])).json()["entries"]) == 2
    with django_assert_num_queries(5):
        assert api.get(reverse("assessment-list")).json()["count"] == 2


# --- Bad input: field errors, never a 500 --------------------------------------------------------------------


@pytest.mark.parametrize("row", [
    {"code": None}, {"weight": None}, {"target": None}, {"measure": None}, {"focus_area": None},
    {"weight": "heavy"}, {"weight": 1.5}, {"target": "high"}, {"target": 10 ** 9}, {"focus_area": 7},
    {"category": 3}, {"code": ["greeting"]}, {"name": {"x": 1}},
])
def test_replacing_the_kpis_with_a_bad_row_is_a_field_error_and_changes_nothing(api_as, network_admin, network, row):
    good = {"code": "greeting", "measure": "greeted_on_time", "focus_area": 1, "category": "speed", "target": 90,
            "weight": 100}
    refused = api_as(network_admin).put(reverse("kpi-set"), {"kpis": [{**good, **row}]}, format="json")
    assert refused.status_code == 400
    [name] = row
    assert list(refused.json()["errors"]["kpis"]["0"]) == [name]
    with unscoped():
        assert not Kpi.objects.filter(network=network).exists()


@pytest.mark.parametrize("body", [{"kpis": None}, {"kpis": "all"}, {"kpis": [None]}, {"kpis": [[1, 2]]}, [1, 2],
                                  {"network": None, "kpis": []}])
def test_a_kpi_set_of_the_wrong_shape_is_a_400(api_as, network_admin, body):
    refused = api_as(network_admin).put(reverse("kpi-set"), body, format="json")
    assert refused.status_code == 400 and refused.json()["errors"]


def test_another_networks_slug_in_the_kpi_set_is_a_field_error(api_as, network_admin, other_network):
    refused = api_as(network_admin).put(reverse("kpi-set"), {"network": other_network.slug, "kpis": []},
                                        format="json")
    assert (refused.status_code, refused.json()["errors"]) == (
        400, {"network": ["Select a valid choice. That choice is not one of the available choices."]})


@pytest.mark.parametrize("month", ["0001-01", "0999-12", "1969-12"])
def test_a_month_before_any_record_is_a_field_error(api_as, hq, network_admin, dealer, small_poe, month):
    dealer.time_zone = "Asia/Tokyo"  # east of UTC: its first midnight of year 1 would lie before year 1 in UTC
    dealer.save(update_fields=["time_zone"])
    expected = {"month": ["Give a month from 1970-01 on, as YYYY-MM."]}
    scorecard = api_as(hq).get(reverse("scorecard", args=[dealer.pk, month]))
    assert (scorecard.status_code, scorecard.json()["errors"]) == (400, expected)
    opened = api_as(hq).post(reverse("assessment-list"), {"dealer": dealer.pk, "template": small_poe.pk,
                                                          "month": month}, format="json")
    assert (opened.status_code, opened.json()["errors"]) == (400, expected)
    listed = api_as(hq).get(reverse("ranking-list"), {"month": month})
    assert (listed.status_code, listed.json()["errors"]) == (400, expected)
    republished = api_as(network_admin).post(reverse("ranking-republish"), {"month": month, "reason": "x"},
                                             format="json")
    assert (republished.status_code, republished.json()["errors"]) == (400, expected)
    with unscoped():
        assert not Assessment.objects.exists()
