"""The escalation ladder: dealer manager, then the regional manager, then HQ, one rung per step, once each."""

from datetime import timedelta
from unittest.mock import patch

import pytest
from django.core import mail
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintPolicy, EntryKind, TimelineEntry
from complaints.services import complaint_escalate, complaints_escalate
from complaints.tasks import complaints_escalate_all
from dealer_portal.tenancy.models import Department, Role
from outbox.models import Email, EmailStatus
from outbox.tasks import emails_sweep
from tests import factories

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def people(manager, regional_manager, hq, network_admin, neighbour, dealer, other_region):
    """Everyone who could be told, plus people who must never be told of ``dealer``'s complaints."""
    sales_manager = factories.UserFactory(email="sales.manager@example.com")
    factories.MembershipFactory(user=sales_manager, dealer=dealer, role=Role.DEALER_MANAGER,
                                department=Department.SALES)
    other_regional = factories.UserFactory(email="other.regional@example.com")
    factories.MembershipFactory(user=other_regional, region=other_region, role=Role.REGIONAL_MANAGER)
    return sales_manager


def log(dealer, department="service", received_at=None):
    customer = factories.CustomerFactory(dealer=dealer, name="Rosa Garza")
    return services.complaint_log(dealer=dealer, customer=customer, department=department, channel="phone",
                                  words="Nadie me ha llamado", received_at=received_at)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def escalations(complaint):
    return list(TimelineEntry.objects.filter(complaint=complaint, kind=EntryKind.ESCALATION))


def test_the_ladder_climbs_one_rung_per_step_and_each_rung_only_once(
        in_dealer, dealer, people, django_capture_on_commit_callbacks):
    complaint = log(dealer, received_at=timezone.now() - H)
    reply_due = complaint.received_at + 72 * H  # the default policy: 72 h to a satisfactory reply

    def run(at):
        with django_capture_on_commit_callbacks(execute=True):
            return complaints_escalate(now=at)

    assert run(reply_due - timedelta(minutes=1)) == 0
    assert mail.outbox == []

    assert run(reply_due + 2 * H) == 1
    assert run(reply_due + 2 * H) == 0  # a second run at the same moment changes nothing
    assert recipients() == ["manager@example.com"]  # the service manager, not sales
    message = mail.outbox[0]
    assert complaint.reference in message.subject
    assert complaint.reference in message.body and "Rosa Garza" in message.body
    assert "2 h 0 min" in message.body
    assert f"/n/aurora/d/NTE-001/complaints/{complaint.pk}/" in message.body
    assert len(escalations(complaint)) == 1

    # The next rung comes one step (48 h by default) after the first one, not before.
    assert run(reply_due + 49 * H) == 0
    assert run(reply_due + 50 * H) == 1
    assert run(reply_due + 50 * H) == 0
    assert recipients() == ["manager@example.com", "regional@example.com"]

    assert run(reply_due + 97 * H) == 0
    assert run(reply_due + 98 * H) == 1
    assert recipients() == ["admin@example.com", "hq@example.com", "manager@example.com", "regional@example.com"]

    # HQ is the top: nothing more, however late it gets.
    assert run(reply_due + 500 * H) == 0
    assert len(mail.outbox) == 4
    complaint.refresh_from_db()
    assert complaint.escalation_level == 3
    assert complaint.escalated_at == reply_due + 98 * H
    assert [entry.body.split(" (")[0] for entry in escalations(complaint)] == [
        "Escalated to level 1", "Escalated to level 2", "Escalated to level 3"]


def test_a_long_overdue_complaint_climbs_one_rung_per_run_not_all_at_once(
        in_dealer, dealer, people, django_capture_on_commit_callbacks):
    complaint = log(dealer, received_at=timezone.now() - 30 * 24 * H)
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_escalate() == 1
        assert complaints_escalate() == 0
    assert recipients() == ["manager@example.com"]
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1


def test_two_runs_that_read_the_complaint_at_the_same_time_escalate_it_once(
        in_dealer, dealer, people, django_capture_on_commit_callbacks):
    complaint = log(dealer, received_at=timezone.now() - 5 * 24 * H)
    # Two workers each read the complaint at level 0 before either writes.
    first, second = Complaint.objects.get(pk=complaint.pk), Complaint.objects.get(pk=complaint.pk)
    policy = ComplaintPolicy.objects.for_network(dealer.network)
    with django_capture_on_commit_callbacks(execute=True):
        assert complaint_escalate(first, policy=policy, now=timezone.now()) is True
        assert complaint_escalate(second, policy=policy, now=timezone.now()) is False
    assert recipients() == ["manager@example.com"]
    assert len(escalations(complaint)) == 1


def test_an_other_department_complaint_goes_to_the_service_manager(
        in_dealer, dealer, people, django_capture_on_commit_callbacks):
    log(dealer, department="other", received_at=timezone.now() - 5 * 24 * H)
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_escalate() == 1
    assert recipients() == ["manager@example.com"]


def test_a_sales_complaint_goes_to_the_sales_manager(in_dealer, dealer, people, django_capture_on_commit_callbacks):
    log(dealer, department="sales", received_at=timezone.now() - 5 * 24 * H)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_escalate()
    assert recipients() == ["sales.manager@example.com"]


def test_closed_and_on_hold_complaints_never_escalate(
        in_dealer, dealer, people, django_capture_on_commit_callbacks):
    long_ago = timezone.now() - 10 * 24 * H
    closed = services.complaint_transition(complaint=log(dealer, received_at=long_ago), action="close_unresolved",
                                           reason="Customer sold the car")
    held = services.complaint_transition(complaint=log(dealer, received_at=long_ago), action="confirm",
                                         channel="phone")
    held = services.complaint_transition(complaint=held, action="hold", cause="parts_back_order",
                                         note="Motor on back-order")
    running = log(dealer, received_at=long_ago)  # the same age, still running: this one escalates
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_escalate(now=timezone.now() + 30 * 24 * H) == 1
    assert len(mail.outbox) == 1 and running.reference in mail.outbox[0].subject
    assert escalations(closed) == [] and escalations(held) == []
    assert Complaint.objects.get(pk=held.pk).escalation_level == 0


def test_the_beat_task_escalates_once_even_when_it_runs_twice(
        dealer, other_dealer, people, django_capture_on_commit_callbacks):
    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope

    with tenant_scope(TenantScope.for_dealer(dealer)):
        complaint = log(dealer, received_at=timezone.now() - 5 * 24 * H)
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_escalate_all.delay().get() == 2  # one task per active dealer
        complaints_escalate_all.delay()
    assert recipients() == ["manager@example.com"]
    with tenant_scope(TenantScope.for_dealer(dealer)):
        assert len(escalations(complaint)) == 1


def test_an_escalation_whose_emails_fail_has_climbed_once_and_tells_each_person_once_the_server_is_back(
        in_dealer, dealer, people, settings, django_capture_on_commit_callbacks):
    complaint = log(dealer, received_at=timezone.now() - H)
    reply_due = complaint.received_at + 72 * H
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_escalate(now=reply_due + 50 * H) == 1
    assert mail.outbox == []
    [pending] = Email.objects.filter(about_id=complaint.pk, purpose="complaints-escalation")
    assert pending.status == EmailStatus.PENDING and pending.attempts == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_escalate(now=reply_due + 50 * H) == 0  # the rung is claimed: no second escalation
    for moment in (pending.next_attempt_at, pending.next_attempt_at + H):
        with patch("django.utils.timezone.now", return_value=moment):
            emails_sweep.delay()
    assert recipients() == ["manager@example.com"]
    assert Email.objects.get(pk=pending.pk).status == EmailStatus.SENT
