"""The representative's pages: logging, the queue, working a complaint through PRC."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintCategory, StandardAnswer, TimelineEntry
from complaints.services import daily_log_send
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from outbox.models import Email, EmailStatus
from outbox.tasks import emails_sweep
from tests import factories
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db


def url(dealer, name, *args):
    return reverse(name, args=[dealer.network.slug, dealer.code, *args])


@pytest.fixture
def log(in_dealer, dealer, representative):
    def make(words="Me cobraron de más", received_at=None, **fields):
        customer = fields.pop("customer", None) or factories.CustomerFactory(dealer=dealer)
        return services.complaint_log(dealer=dealer, customer=customer, department=fields.pop("department", "service"),
                                      channel="phone", words=words, received_at=received_at, **fields)
    return make


def test_logging_a_complaint_from_the_page(client, representative, dealer, network):
    area = ComplaintCategory.objects.create(network=network, name="Servicio")
    leaf = ComplaintCategory.objects.create(network=network, parent=area, name="Cobro")
    customer = factories.CustomerFactory(dealer=dealer, name="Jorge Díaz", phone="+528110002000")
    client.force_login(representative)
    found = client.get(url(dealer, "complaint_log"), {"q": "8110002000"}).content.decode()
    assert f"?customer={customer.pk}" in found
    response = client.post(url(dealer, "complaint_log") + f"?customer={customer.pk}", {
        "customer": customer.pk, "department": "service", "category": leaf.pk, "channel": "phone",
        "severity": "high", "words": "Me cobraron una pieza que no cambiaron"})
    assert response.status_code == 302
    with unscoped():
        complaint = Complaint.objects.get()
    assert (complaint.customer, complaint.category, complaint.representative) == (customer, leaf, representative)


def test_an_empty_complaint_is_a_form_error_and_nothing_is_saved(client, representative, dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    client.force_login(representative)
    response = client.post(url(dealer, "complaint_log") + f"?customer={customer.pk}", {
        "customer": customer.pk, "department": "service", "channel": "phone", "severity": "low", "words": " "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    with unscoped():
        assert not Complaint.objects.exists()


def test_queue_sorts_by_what_is_due_first_and_flags_overdue(client, representative, dealer, log):
    late = log(words="old", received_at=timezone.now() - timedelta(days=5))
    fresh = log(words="new")
    client.force_login(representative)
    page = client.get(url(dealer, "complaint_queue"), {"view": "all"}).content.decode()
    assert page.index(late.reference) < page.index(fresh.reference)
    assert 'class="table-danger"' in page
    overdue = client.get(url(dealer, "complaint_queue"), {"view": "all", "overdue": "1"}).content.decode()
    assert late.reference in overdue and fresh.reference not in overdue


def test_queue_search_and_views(client, representative, manager, dealer, log):
    customer = factories.CustomerFactory(dealer=dealer, name="Valeria Ruiz", phone="+528119998888")
    mine = log(customer=customer)
    services.complaints_reassign(dealer=dealer, complaint_ids=[mine.pk], representative=manager)
    other = log(words="otra")
    client.force_login(manager)
    found = client.get(url(dealer, "complaint_queue"), {"view": "all", "q": "9998888"}).content.decode()
    assert mine.reference in found and other.reference not in found
    own = client.get(url(dealer, "complaint_queue"), {"view": "mine"}).content.decode()
    assert mine.reference in own and other.reference not in own


def test_queue_runs_a_fixed_number_of_queries(client, representative, dealer, log, django_assert_max_num_queries):
    for _ in range(20):
        log()
    client.force_login(representative)
    client.get(url(dealer, "complaint_queue"), {"view": "all"})
    with django_assert_max_num_queries(14):
        page = client.get(url(dealer, "complaint_queue"), {"view": "all"}).content.decode()
    assert page.count('data-testid="queue-row"') == 20


def test_bulk_reassign_moves_the_selected_complaints_and_records_it(client, manager, representative, dealer, log):
    first, second = log(), log()
    client.force_login(manager)
    response = client.post(url(dealer, "complaint_reassign"), {"complaint": [first.pk, second.pk],
                                                               "representative": manager.pk})
    assert response.status_code == 302
    with unscoped():
        assert set(Complaint.objects.values_list("representative", flat=True)) == {manager.pk}
        assert TimelineEntry.objects.filter(kind="assignment").count() == 2


def test_working_a_complaint_through_to_satisfied_from_the_page(client, representative, manager, dealer, log):
    complaint = log()
    client.force_login(representative)

    def action_url(action):
        return url(dealer, "complaint_action", complaint.pk, action)

    steps = [
        ("confirm", {"confirm-channel": "phone", "confirm-note": "Confirmed the overcharge"}),
        ("propose", {"propose-text": "Refund the part", "propose-informed": "Service manager"}),
    ]
    for action, data in steps:
        assert client.post(action_url(action), data).status_code == 302
    with unscoped():
        proposal = Complaint.objects.get(pk=complaint.pk).proposals.get()
    for action, data in [
        ("agree", {"agree-proposal_id": proposal.pk, "agree-agreement": "Refund by transfer"}),
        ("assign_owner", {"assign_owner-owner": manager.pk}),
        ("implemented", {}),
    ]:
        assert client.post(action_url(action), data).status_code == 302
    refused = client.post(action_url("close_satisfied"), {"close_satisfied-confirmed_by": "Customer",
                                                                        "close_satisfied-channel": "phone"})
    assert refused.status_code == 400
    assert "This field is required." in refused.content.decode()
    done = client.post(action_url("close_satisfied"), {
        "close_satisfied-words": "Ya me llegó el reembolso, gracias", "close_satisfied-confirmed_by": "Customer",
        "close_satisfied-channel": "phone"}, follow=True)
    assert 'data-testid="complaint-state">Closed — customer satisfied<' in done.content.decode()


def test_a_refused_action_says_why(client, representative, dealer, log):
    complaint = log()
    client.force_login(representative)
    response = client.post(url(dealer, "complaint_action", complaint.pk, "implemented"), {}, follow=True)
    assert "is not possible while the complaint is “New”" in response.content.decode()


def test_standard_answers_of_the_category_are_offered(client, representative, dealer, network, log):
    area = ComplaintCategory.objects.create(network=network, name="Servicio")
    leaf = ComplaintCategory.objects.create(network=network, parent=area, name="Tiempo de entrega")
    StandardAnswer.objects.create(network=network, category=leaf, title="Retraso por refacciones",
                                  body="Le ofrecemos un auto sustituto mientras llega la pieza.")
    complaint = log(category=leaf)
    client.force_login(representative)
    page = client.get(url(dealer, "complaint_detail", complaint.pk)).content.decode()
    assert "Le ofrecemos un auto sustituto" in page


def test_another_dealers_complaint_is_not_found(dealer, other_dealer, neighbour, log, outsider):
    complaint = log()
    assert_not_found_for(neighbour, web=[url(dealer, "complaint_detail", complaint.pk),
                                         url(other_dealer, "complaint_detail", complaint.pk),
                                         url(dealer, "complaint_queue")])
    assert_not_found_for(outsider, web=[url(dealer, "complaint_detail", complaint.pk)])


def test_reassigning_another_dealers_complaints_moves_nothing(client, neighbour, other_dealer, dealer, log):
    complaint = log()
    client.force_login(neighbour)
    client.post(url(other_dealer, "complaint_reassign"), {"complaint": [complaint.pk],
                                                          "representative": neighbour.pk})
    with unscoped():
        assert Complaint.objects.get(pk=complaint.pk).representative != neighbour


def test_the_representatives_home_shows_their_queue_at_a_glance(client, representative, dealer, log):
    log(words="viejo", received_at=timezone.now() - timedelta(days=6))
    log(words="nuevo")
    client.force_login(representative)
    page = client.get(url(dealer, "dealer_home")).content.decode()
    assert 'data-testid="my-open-complaints">2<' in page
    assert 'data-testid="my-overdue-complaints">1 overdue<' in page


def test_the_managers_home_shows_their_departments_daily_log(client, manager, dealer, log):
    log(words="viejo", received_at=timezone.now() - timedelta(days=6))
    log(words="de ventas", department="sales")
    client.force_login(manager)  # the service manager
    page = client.get(url(dealer, "dealer_home")).content.decode()
    assert "Complaint log: Service" in page
    assert 'data-testid="daily-log-overdue">1<' in page
    assert "de ventas" not in page


def test_the_managers_home_says_whether_todays_log_email_went_out(
        client, manager, dealer, settings, django_capture_on_commit_callbacks):
    morning = timezone.localtime(timezone.now() - timedelta(days=3), dealer.zone).replace(hour=9, minute=0)
    with patch("django.utils.timezone.now", return_value=morning):
        client.force_login(manager)

        def email_line():
            page = client.get(url(dealer, "dealer_home")).content.decode()
            return page.split('data-testid="daily-log-email">', 1)[1].split("</p>", 1)[0]

        assert "not sent yet" in email_line()
        settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingBackend"
        with tenant_scope(TenantScope.for_dealer(dealer)), django_capture_on_commit_callbacks(execute=True):
            assert daily_log_send(dealer=dealer) == 1
        assert "Not yet sent: retrying (1 attempt, last error: SMTPServerDisconnected" in email_line()
        with unscoped():
            Email.objects.update(status=EmailStatus.FAILED, attempts=8)
        page = client.get(url(dealer, "dealer_home")).content.decode()
        assert 'text-danger" data-testid="daily-log-email"' in page and "Failed after 8 attempts" in page
        with unscoped():
            Email.objects.update(status=EmailStatus.PENDING, next_attempt_at=morning)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with patch("django.utils.timezone.now", return_value=morning + timedelta(minutes=1)):
        emails_sweep.delay()
        assert "Sent at " in email_line()


def test_the_complaint_page_shows_its_clock(client, representative, dealer, log):
    late = log(received_at=timezone.now() - timedelta(days=4))
    client.force_login(representative)
    page = client.get(url(dealer, "complaint_detail", late.pk)).content.decode()
    clock = page[page.index('data-testid="complaint-clock"'):]
    clock = clock[:clock.index("</p>")]
    assert "Satisfactory reply due" in clock and "First contact due" in clock
    assert "Overdue by 3 d" in clock  # counted from the first contact, due three days ago


def test_recording_a_compliment_for_a_named_person(client, representative, advisor, dealer, neighbour):
    client.force_login(representative)
    response = client.post(url(dealer, "compliment_list"), {"department": "service", "person": advisor.pk,
                                                            "channel": "survey", "words": "Ana fue muy amable"},
                           follow=True)
    assert "Ana fue muy amable" in response.content.decode()
    stranger = client.post(url(dealer, "compliment_list"), {"department": "service", "person": neighbour.pk,
                                                            "channel": "survey", "words": "x"})
    assert stranger.status_code == 400


def test_a_10_mb_description_gets_a_clear_message_in_the_page_and_the_api(client, api_as, representative, dealer):
    customer = factories.CustomerFactory(dealer=dealer)
    huge = "x" * (10 * 1024 * 1024)
    client.force_login(representative)
    page = client.post(url(dealer, "complaint_log") + f"?customer={customer.pk}", {
        "customer": customer.pk, "department": "service", "channel": "phone", "severity": "low", "words": huge})
    assert page.status_code == 413
    assert "larger than the 2.5 MB a form or API request may carry" in page.content.decode()
    api = api_as(representative).post(reverse("complaint-list"), {"customer": customer.pk, "department": "service",
                                                                 "channel": "phone", "words": huge}, format="json")
    assert api.status_code == 413
    assert "larger than the 2.5 MB" in api.json()["detail"]
    with unscoped():
        assert not Complaint.objects.exists()


def test_queue_filters_by_category_area_or_leaf(client, representative, dealer, network, log):
    area = ComplaintCategory.objects.create(network=network, name="Servicio")
    billing = ComplaintCategory.objects.create(network=network, parent=area, name="Cobro")
    delay = ComplaintCategory.objects.create(network=network, parent=area, name="Retraso")
    about_billing, about_delay = log(category=billing), log(category=delay)
    client.force_login(representative)
    page = client.get(url(dealer, "complaint_queue"), {"view": "all", "category": billing.pk}).content.decode()
    assert about_billing.reference in page and about_delay.reference not in page
    page = client.get(url(dealer, "complaint_queue"), {"view": "all", "category": area.pk}).content.decode()
    assert about_billing.reference in page and about_delay.reference in page
