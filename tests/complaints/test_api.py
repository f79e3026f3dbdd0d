"""/api/v1/complaints/ and friends: scoped, with the recovery actions and the timeline."""

from unittest.mock import patch

import pytest
from django.urls import reverse

from complaints.models import ComplaintCategory, StandardAnswer
from dealer_portal.tenancy.scoping import unscoped
from outbox.models import Email, EmailStatus
from outbox.tasks import emails_sweep
from tests import factories
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db


def test_log_a_complaint_and_work_it_to_satisfied_through_the_api(api_as, representative, manager, dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    api = api_as(representative)
    created = api.post(reverse("complaint-list"), {"customer": customer.pk, "department": "service",
                                                   "channel": "phone", "words": "Ruido en la suspensión"},
                       format="json")
    assert created.status_code == 201, created.json()
    complaint = created.json()
    assert complaint["state"] == "new" and complaint["allowed_actions"][0] == "confirm"

    def act(action, **data):
        return api.post(reverse("complaint-perform-action", args=[complaint["id"], action]), data, format="json")

    assert act("confirm", channel="phone").json()["state"] == "confirmed"
    assert act("propose", text="Revisar y cambiar bujes", informed="Jefe de taller").json()["state"] == "proposed"
    proposal_entry = [e for e in api.get(reverse("complaint-timeline", args=[complaint["id"]])).json()
                      if e["kind"] == "state" and e["to_state"] == "proposed"]
    assert proposal_entry
    from complaints.models import SolutionProposal
    from dealer_portal.tenancy.scoping import unscoped

    with unscoped():
        proposal = SolutionProposal.objects.get()
    assert act("agree", proposal_id=proposal.pk, agreement="El jueves").json()["state"] == "agreed"
    refused = act("close_satisfied", words="ok", confirmed_by="x", channel="phone")
    assert refused.status_code == 400
    assert "is not possible while the complaint is" in refused.json()["errors"]["action"][0]
    assert act("assign_owner", owner=manager.pk).json()["state"] == "implementing"
    assert act("implemented").json()["state"] == "awaiting_confirmation"
    missing_words = act("close_satisfied", confirmed_by="El cliente", channel="phone")
    assert missing_words.json()["errors"]["words"]
    closed = act("close_satisfied", words="Ya no suena, gracias", confirmed_by="El cliente", channel="phone")
    assert closed.json()["state"] == "closed_satisfied"


def test_an_owner_from_another_dealer_looks_like_a_missing_one(api_as, representative, dealer, neighbour, in_dealer):
    from complaints import services

    complaint = services.complaint_log(dealer=dealer, customer=factories.CustomerFactory(dealer=dealer),
                                       department="service", channel="phone", words="x")
    for action, data in (("confirm", {"channel": "phone"}), ("propose", {"text": "y", "informed": "z"})):
        services.complaint_transition(complaint=complaint, action=action, **data)
    services.complaint_transition(complaint=complaint, action="agree",
                                  proposal_id=complaint.proposals.get().pk, agreement="ok")
    api = api_as(representative)
    url = reverse("complaint-perform-action", args=[complaint.pk, "assign_owner"])
    foreign = api.post(url, {"owner": neighbour.pk}, format="json").json()["errors"]["owner"]
    missing = api.post(url, {"owner": 999999}, format="json").json()["errors"]["owner"]
    assert foreign == missing


def test_complaints_and_their_timeline_are_404_for_other_dealers(api_as, neighbour, outsider, dealer, in_dealer):
    from complaints import services

    complaint = services.complaint_log(dealer=dealer, customer=factories.CustomerFactory(dealer=dealer),
                                       department="parts", channel="email", words="Pieza incorrecta")
    for user in (neighbour, outsider):
        assert_not_found_for(user, api=[reverse("complaint-detail", args=[complaint.pk]),
                                        reverse("complaint-timeline", args=[complaint.pk])])
        tap = api_as(user).post(reverse("complaint-perform-action", args=[complaint.pk, "confirm"]),
                                {"channel": "phone"}, format="json")
        assert tap.status_code == 404


def test_categories_and_answers_are_the_callers_networks_only(api_as, advisor, network, other_network):
    mine = ComplaintCategory.objects.create(network=network, name="Servicio")
    theirs = ComplaintCategory.objects.create(network=other_network, name="Huolto")
    StandardAnswer.objects.create(network=network, category=mine, title="A", body="B")
    StandardAnswer.objects.create(network=other_network, category=theirs, title="C", body="D")
    api = api_as(advisor)
    assert [c["name"] for c in api.get(reverse("complaint-category-list")).json()["results"]] == ["Servicio"]
    assert [a["title"] for a in api.get(reverse("standard-answer-list")).json()["results"]] == ["A"]


def test_compliments_are_recorded_at_the_callers_dealer(api_as, advisor, dealer):
    response = api_as(advisor).post(reverse("compliment-list"), {
        "department": "service", "channel": "survey", "words": "Excelente atención",
        "received_at": "2026-03-02T10:00:00Z"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["dealer"] == dealer.pk


def test_an_empty_form_value_is_refused_not_read_as_not_sent(api_as, advisor, dealer):
    api = api_as(advisor)
    created = api.post(reverse("compliment-list"), {
        "department": "service", "channel": "survey", "words": "Excelente atención",
        "received_at": "2026-03-02T10:00:00Z"}, format="json").json()
    url = reverse("compliment-detail", args=[created["id"]])

    response = api.patch(url, "received_at=", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["received_at"]
    assert api.get(url).json()["received_at"] == "2026-03-02T10:00:00Z"  # nothing saved is lost
    words = api.patch(url, "words=Muy%20amables", content_type="application/x-www-form-urlencoded")
    assert words.status_code == 200 and words.json()["words"] == "Muy amables"


def test_improvement_plans_through_the_api(api_as, manager, neighbour, dealer, network):
    from django.utils import timezone

    area = ComplaintCategory.objects.create(network=network, name="Servicio")
    leaf = ComplaintCategory.objects.create(network=network, parent=area, name="Retraso")
    api = api_as(manager)
    due = (timezone.localdate() + timezone.timedelta(days=14)).isoformat()
    created = api.post(reverse("improvement-plan-list"), {"category": leaf.pk, "cause": "Falta de técnicos",
                                                          "action": "Contratar un técnico", "owner": manager.pk,
                                                          "due_date": due}, format="json")
    assert created.status_code == 201, created.json()
    plan_url = reverse("improvement-plan-detail", args=[created.json()["id"]])
    assert api.patch(plan_url, {"status": "done"}, format="json").json()["done_at"]
    assert api.patch(plan_url, {"action": "otra"}, format="json").status_code == 400
    foreign_owner = api.post(reverse("improvement-plan-list"), {"category": leaf.pk, "cause": "x", "action": "y",
                                                                "owner": neighbour.pk, "due_date": due},
                             format="json")
    assert foreign_owner.status_code == 400
    assert_not_found_for(neighbour, api=[plan_url])


def test_a_complaint_logged_while_the_mail_server_is_down_is_saved_and_the_representative_told_later(
        api_as, advisor, representative, dealer, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingBackend"
    customer = factories.CustomerFactory(dealer=dealer)
    with django_capture_on_commit_callbacks(execute=True):
        created = api_as(advisor).post(reverse("complaint-list"), {
            "customer": customer.pk, "department": "service", "channel": "phone", "words": "Ruido"}, format="json")
    assert created.status_code == 201, created.content
    assert mailoutbox == []
    with unscoped():
        [email] = Email.objects.filter(purpose="complaints-new-complaint")
    assert email.to == representative.email and email.status == EmailStatus.PENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with patch("django.utils.timezone.now", return_value=email.next_attempt_at):
        emails_sweep.delay()
    assert [m.to for m in mailoutbox] == [[representative.email]]
    assert created.json()["reference"] in mailoutbox[0].subject
