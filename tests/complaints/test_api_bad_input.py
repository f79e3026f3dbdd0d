"""Every writable complaints endpoint answers bad input with a 400 and field errors, on create and on edit:
another dealer's id, nulls, empty strings, a year 0001 or 2999. Never a 500, and nothing half saved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintCategory, Compliment, ImprovementPlan, TimelineEntry
from dealer_portal.tenancy.scoping import unscoped
from tests import factories

pytestmark = pytest.mark.django_db
ANCIENT, FAR_FUTURE = "0001-01-01T00:00:00Z", "2999-01-01T10:00:00Z"


@pytest.fixture
def world(in_dealer, dealer, other_dealer, network, other_network, manager, neighbour, outsider):
    """A complaint, a compliment and a plan at ``dealer``, and rows of another dealer and network to point at."""
    area = ComplaintCategory.objects.create(network=network, name="Servicio")
    leaf = ComplaintCategory.objects.create(network=network, parent=area, name="Retraso")
    with unscoped():
        foreign_area = ComplaintCategory.objects.create(network=other_network, name="Huolto")
        foreign_leaf = ComplaintCategory.objects.create(network=other_network, parent=foreign_area, name="Viive")
    customer = factories.CustomerFactory(dealer=dealer)
    complaint = services.complaint_log(dealer=dealer, customer=customer, department="service", channel="phone",
                                       words="Ruido")
    compliment = services.compliment_record(dealer=dealer, department="service", channel="survey", words="Bien")
    plan = services.improvement_plan_open(dealer=dealer, category=leaf, cause="c", action="a", owner=manager,
                                          due_date=timezone.localdate() + timedelta(days=10))
    return {"customer": customer, "their_customer": factories.CustomerFactory(dealer=other_dealer),
            "complaint": complaint, "compliment": compliment, "plan": plan, "leaf": leaf,
            "foreign_leaf": foreign_leaf, "manager": manager, "neighbour": neighbour, "outsider": outsider}


def complaint_bodies(w):
    good = {"customer": w["customer"].pk, "department": "service", "channel": "phone", "words": "Ruido"}
    return good, [{"customer": w["their_customer"].pk}, {"customer": None}, {"customer": 999999},
                  {"category": w["foreign_leaf"].pk}, {"received_at": ANCIENT}, {"received_at": FAR_FUTURE},
                  {"received_at": None}, {"words": ""}, {"words": None}, {"department": ""}, {"channel": None},
                  {"dealer": None}, {"severity": "   "}]


def compliment_bodies(w):
    good = {"department": "service", "channel": "survey", "words": "Excelente"}
    return good, [{"customer": w["their_customer"].pk}, {"person": w["neighbour"].pk},
                  {"person": w["outsider"].pk}, {"person": "x"}, {"received_at": ANCIENT},
                  {"received_at": FAR_FUTURE}, {"received_at": None}, {"words": ""}, {"words": None},
                  {"department": None}, {"channel": ""}]


def plan_bodies(w):
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    good = {"category": w["leaf"].pk, "cause": "c", "action": "a", "owner": w["manager"].pk, "due_date": due}
    return good, [{"category": w["foreign_leaf"].pk}, {"category": None}, {"owner": w["neighbour"].pk},
                  {"owner": None}, {"due_date": "0001-01-01"}, {"due_date": "2999-01-01"}, {"due_date": None},
                  {"cause": ""}, {"action": None}, {"status": None}, {"status": ""}]


ENDPOINTS = {
    "complaints": ("complaint", complaint_bodies, "complaint", Complaint),
    "compliments": ("compliment", compliment_bodies, "compliment", Compliment),
    "improvement-plans": ("improvement-plan", plan_bodies, "plan", ImprovementPlan),
}


def snapshot(model):
    with unscoped():
        return [{k: v for k, v in row.items() if k != "updated_at"} for row in model.objects.order_by("pk").values()]


@pytest.mark.parametrize("resource", ENDPOINTS)
def test_bad_input_is_a_400_on_create_patch_and_put_and_changes_nothing(api_as, representative, manager, world,
                                                                        resource):
    basename, bodies, key, model = ENDPOINTS[resource]
    good, bad = bodies(world)
    api = api_as(manager if resource == "improvement-plans" else representative)
    detail = reverse(f"{basename}-detail", args=[world[key].pk])
    editable = "PATCH" in api.options(detail).headers.get("Allow", "")
    before = snapshot(model)
    for body in bad:
        for method, url, data in (("post", reverse(f"{basename}-list"), {**good, **body}),
                                  ("patch", detail, body), ("put", detail, {**good, **body})):
            response = getattr(api, method)(url, data, format="json")
            if method != "post" and not editable:  # a complaint changes only through its actions
                assert response.status_code == 405, (method, body, response.status_code)
                continue
            assert response.status_code == 400, (method, body, response.status_code, response.content[:300])
            assert response.json()["errors"], (method, body)
    assert snapshot(model) == before


@pytest.mark.parametrize("when", [ANCIENT, FAR_FUTURE])
def test_an_implausible_time_on_a_timeline_entry_or_an_action_is_a_400(api_as, representative, world, when):
    api = api_as(representative)
    complaint = world["complaint"]
    entry = api.post(reverse("complaint-timeline", args=[complaint.pk]),
                     {"kind": "contact", "channel": "phone", "body": "Llamé", "at": when}, format="json")
    assert entry.status_code == 400 and entry.json()["errors"]["at"]
    confirm = api.post(reverse("complaint-perform-action", args=[complaint.pk, "confirm"]),
                       {"channel": "phone", "at": when}, format="json")
    assert confirm.status_code == 400 and confirm.json()["errors"]["at"]
    with unscoped():
        assert TimelineEntry.objects.filter(complaint=complaint).count() == 1
        assert Complaint.objects.get(pk=complaint.pk).first_contact_at is None


@pytest.mark.parametrize("body", [{"kind": None}, {"kind": ""}, {"body": ""}, {"body": None}, {"channel": None},
                                  {"at": None}, {"kind": "contact", "channel": ""}], ids=repr)
def test_bad_timeline_entries_are_a_400(api_as, representative, world, body):
    complaint = world["complaint"]
    response = api_as(representative).post(reverse("complaint-timeline", args=[complaint.pk]),
                                           {"kind": "note", "body": "x", **body}, format="json")
    assert response.status_code == 400, response.json()
