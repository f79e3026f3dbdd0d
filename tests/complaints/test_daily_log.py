"""The daily complaint log (c.3.2) and the weekly on-hold check (b.8): sent in the dealer's morning, once."""

from datetime import datetime, time, timedelta
from unittest.mock import patch

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, DailyLogDelivery, EntryKind
from complaints.selectors import daily_log_for
from complaints.services import complaints_on_hold_remind, daily_log_send
from complaints.tasks import daily_log_all, on_hold_check_all
from dealer_portal.tenancy.models import Department, Role
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from outbox.models import Email, EmailStatus
from outbox.tasks import emails_sweep
from tests import factories

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def make_manager(dealer, email, department):
    user = factories.UserFactory(email=email)
    factories.MembershipFactory(user=user, dealer=dealer, role=Role.DEALER_MANAGER, department=department)
    return user


@pytest.fixture
def sales_manager(dealer):
    return make_manager(dealer, "sales.manager@example.com", Department.SALES)


def log(dealer, department="service", received_at=None, name="Rosa Garza"):
    customer = factories.CustomerFactory(dealer=dealer, name=name)
    return services.complaint_log(dealer=dealer, customer=customer, department=department, channel="phone",
                                  words="El coche sigue haciendo ruido", received_at=received_at)


def local(dealer, day, hour, minute=0):
    """An aware moment at ``hour:minute`` on ``day`` in the dealer's own time zone."""
    return datetime.combine(day, time(hour, minute), tzinfo=dealer.zone)


@pytest.fixture
def today(dealer):
    """A recent local day at the dealer (in the past, since complaints cannot be received in the future)."""
    return timezone.localtime(timezone.now() - 3 * 24 * H, dealer.zone).date()


def mails_to(address):
    return [message for message in mail.outbox if address in message.to]


def test_each_manager_gets_their_departments_log_once_a_day(
        in_dealer, dealer, manager, sales_manager, today, django_capture_on_commit_callbacks):
    service_complaint = log(dealer, received_at=local(dealer, today, 7) - 15 * H)
    sales_complaint = log(dealer, department="sales", received_at=local(dealer, today, 7) - 15 * H,
                          name="Pedro Treviño")
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_log_send(dealer=dealer, now=local(dealer, today, 7, 5)) == 2
        assert daily_log_send(dealer=dealer, now=local(dealer, today, 7, 5)) == 0  # a retried task
        assert daily_log_send(dealer=dealer, now=local(dealer, today, 18)) == 0  # the hourly run later that day

    [service_mail] = mails_to("manager@example.com")
    [sales_mail] = mails_to("sales.manager@example.com")
    assert service_complaint.reference in service_mail.body and "Rosa Garza" in service_mail.body
    assert sales_complaint.reference not in service_mail.body
    assert sales_complaint.reference in sales_mail.body and service_complaint.reference not in sales_mail.body
    assert "New since yesterday (1)" in service_mail.body
    assert today.isoformat() in service_mail.subject
    assert [delivery.email.status for delivery in DailyLogDelivery.objects.prefetch_related("emails")] == [
        EmailStatus.SENT, EmailStatus.SENT]

    # The next morning brings the next log.
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_log_send(dealer=dealer, now=local(dealer, today + timedelta(days=1), 7, 5)) == 2
    assert len(mails_to("manager@example.com")) == 2
    # A day later the complaint is no longer new, but still open.
    assert "New since yesterday (0)" in mails_to("manager@example.com")[1].body
    assert service_complaint.reference in mails_to("manager@example.com")[1].body


def test_a_log_whose_email_fails_stays_claimed_shows_it_is_retrying_and_goes_out_later_once(
        in_dealer, dealer, manager, today, settings, django_capture_on_commit_callbacks):
    complaint = log(dealer, received_at=local(dealer, today, 7) - 15 * H)
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingBackend"  # the SMTP server is down this morning
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_log_send(dealer=dealer, now=local(dealer, today, 7, 5)) == 1
    assert mail.outbox == []
    [delivery] = DailyLogDelivery.objects.prefetch_related("emails")
    assert delivery.email.status == EmailStatus.PENDING
    assert delivery.email.delivery_note.startswith("Not yet sent: retrying (1 attempt, last error: "
                                                   "SMTPServerDisconnected: Connection unexpectedly closed)")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):  # the hourly run comes again: the claim holds
        assert daily_log_send(dealer=dealer, now=local(dealer, today, 8, 5)) == 0
    assert mail.outbox == []
    retry_at = delivery.email.next_attempt_at
    for moment in (retry_at, retry_at + timedelta(minutes=1), retry_at + 2 * H):  # the sweeper, every minute
        with patch("django.utils.timezone.now", return_value=moment):
            emails_sweep.delay()
    [message] = mails_to(manager.email)
    assert len(mail.outbox) == 1 and complaint.reference in message.body
    delivery = DailyLogDelivery.objects.prefetch_related("emails").get()
    assert delivery.email.status == EmailStatus.SENT and delivery.email.delivery_note.startswith("Sent at ")


def test_the_deliveries_admin_shows_which_logs_went_out_and_which_are_retrying(
        client, dealer, manager, sales_manager, network_admin, today, settings, django_capture_on_commit_callbacks):
    with tenant_scope(TenantScope.for_dealer(dealer)), django_capture_on_commit_callbacks(execute=True):
        assert daily_log_send(dealer=dealer, now=local(dealer, today, 7, 5)) == 2
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingBackend"
    with tenant_scope(TenantScope.for_dealer(dealer)), django_capture_on_commit_callbacks(execute=True):
        assert daily_log_send(dealer=dealer, now=local(dealer, today + timedelta(days=1), 7, 5)) == 2
    client.force_login(network_admin)
    changelist = reverse("admin:complaints_dailylogdelivery_changelist")
    page = client.get(changelist).content.decode()
    assert page.count("Sent at ") == 2 and page.count("Not yet sent: retrying (1 attempt") == 2
    retrying = client.get(changelist, {"emails__status": EmailStatus.PENDING}).content.decode()
    assert "Sent at " not in retrying and retrying.count("Not yet sent: retrying") == 2


def test_nothing_is_sent_before_seven_in_the_morning_local_time(
        in_dealer, dealer, manager, today, django_capture_on_commit_callbacks):
    log(dealer, received_at=local(dealer, today, 6) - 10 * H)
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_log_send(dealer=dealer, now=local(dealer, today, 6, 59)) == 0
    assert mail.outbox == []
    assert not DailyLogDelivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_log_send(dealer=dealer, now=local(dealer, today, 7)) == 1
    assert len(mail.outbox) == 1


def test_the_beat_task_follows_each_dealers_time_zone_and_never_sends_twice(
        dealer, manager, foreign_dealer, today, django_capture_on_commit_callbacks):
    helsinki_manager = make_manager(foreign_dealer, "helsinki.manager@example.com", Department.SERVICE)
    # 06:30 in Monterrey is already the afternoon in Helsinki.
    before_monterrey_morning = local(dealer, today, 6, 30)
    in_helsinki = timezone.localtime(before_monterrey_morning, foreign_dealer.zone)
    assert in_helsinki.date() == today and in_helsinki.hour >= 7
    with patch("django.utils.timezone.now", return_value=before_monterrey_morning), \
            django_capture_on_commit_callbacks(execute=True):
        daily_log_all.delay()
        daily_log_all.delay()
    assert [message.to for message in mail.outbox] == [[helsinki_manager.email]]

    monterrey_morning = local(dealer, today, 7, 30)
    with patch("django.utils.timezone.now", return_value=monterrey_morning), \
            django_capture_on_commit_callbacks(execute=True):
        daily_log_all.delay()
        daily_log_all.delay()
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "helsinki.manager@example.com", "manager@example.com"]


def test_the_log_lists_new_open_overdue_and_on_hold(in_dealer, dealer, representative, today):
    morning = local(dealer, today, 7)
    fresh = log(dealer, received_at=morning - 2 * H)
    overdue = services.complaint_transition(complaint=log(dealer, received_at=morning - 5 * 24 * H),
                                            action="confirm", channel="phone")
    held = services.complaint_transition(complaint=log(dealer, received_at=morning - 4 * 24 * H),
                                         action="confirm", channel="phone")
    held = services.complaint_transition(complaint=held, action="hold", cause="warranty_decision",
                                         note="Waiting for the factory")
    closed = services.complaint_transition(complaint=log(dealer, received_at=morning - 3 * 24 * H),
                                           action="close_unresolved", reason="Customer moved away")
    other_department = log(dealer, department="parts", received_at=morning - 2 * H)

    result = daily_log_for(department=Department.SERVICE, now=morning)
    assert result.new == [fresh]
    assert set(result.open) == {fresh, overdue}
    assert result.overdue == [overdue]
    assert result.on_hold == [held]
    listed = {*result.new, *result.open, *result.overdue, *result.on_hold}
    assert closed not in listed and other_department not in listed


@pytest.fixture
def held_complaint(in_dealer, dealer, representative, manager):
    """A complaint on hold since now, owned by ``manager``, with ``representative`` assigned."""
    complaint = log(dealer, received_at=timezone.now() - 2 * H)
    for action, data in [("confirm", {"channel": "phone"}),
                         ("propose", {"text": "Replace the motor", "informed": "Service manager"}),
                         ("agree", {}), ("assign_owner", {"owner": manager}),
                         ("hold", {"cause": "parts_back_order", "note": "Motor on back-order"})]:
        if action == "agree":
            data = {"proposal_id": complaint.proposals.last().pk, "agreement": "Replace the motor on arrival"}
        complaint = services.complaint_transition(complaint=complaint, action=action, **data)
    return complaint


def test_an_on_hold_complaint_without_follow_up_is_flagged_once_a_week(
        held_complaint, django_capture_on_commit_callbacks):
    held_at = held_complaint.on_hold_since

    def run(at):
        with django_capture_on_commit_callbacks(execute=True):
            return complaints_on_hold_remind(now=at)

    assert run(held_at + 6 * 24 * H) == 0  # the default policy wants a follow-up every 7 days
    assert run(held_at + 8 * 24 * H) == 1
    assert run(held_at + 8 * 24 * H) == 0
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "manager@example.com", "rep@example.com"]
    assert held_complaint.reference in mail.outbox[0].subject
    assert "Parts back-order" in mail.outbox[0].body

    assert run(held_at + 14 * 24 * H) == 0  # still missing, but flagged only six days ago
    assert run(held_at + 15 * 24 * H + H) == 1
    assert len(mail.outbox) == 4


def test_an_on_hold_reminder_that_fails_to_send_is_flagged_once_and_sent_once_the_server_is_back(
        held_complaint, settings, django_capture_on_commit_callbacks):
    due = held_complaint.on_hold_since + 8 * 24 * H
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_on_hold_remind(now=due) == 1
    assert mail.outbox == []
    reminders = Email.objects.filter(purpose="complaints-hold-reminder", about_id=held_complaint.pk)
    assert sorted(reminders.values_list("to", "status")) == [("manager@example.com", EmailStatus.PENDING),
                                                             ("rep@example.com", EmailStatus.PENDING)]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_on_hold_remind(now=due + H) == 0  # flagged already: no second reminder
    retry_at = max(reminders.values_list("next_attempt_at", flat=True))
    for moment in (retry_at, retry_at + H):
        with patch("django.utils.timezone.now", return_value=moment):
            emails_sweep.delay()
    assert sorted(address for message in mail.outbox for address in message.to
                  if "on hold" in message.subject) == ["manager@example.com", "rep@example.com"]


def test_a_recent_follow_up_entry_means_no_reminder(held_complaint, django_capture_on_commit_callbacks):
    with unscoped():  # on hold for eight days already: without the entry below, a reminder would be due now
        Complaint.objects.filter(pk=held_complaint.pk).update(on_hold_since=timezone.now() - 8 * 24 * H)
    held_complaint.refresh_from_db()
    services.complaint_add_entry(complaint=held_complaint, kind=EntryKind.HOLD_FOLLOWUP,
                                 body="Called the customer: part arrives next week")
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints_on_hold_remind(now=timezone.now()) == 0
        assert complaints_on_hold_remind(now=timezone.now() + 6 * 24 * H) == 0
        assert complaints_on_hold_remind(now=timezone.now() + 8 * 24 * H) == 1
    assert len(mail.outbox) == 2


def test_the_daily_on_hold_check_task_flags_once(dealer, held_complaint, django_capture_on_commit_callbacks):
    later = timezone.now() + 9 * 24 * H
    with patch("django.utils.timezone.now", return_value=later), django_capture_on_commit_callbacks(execute=True):
        on_hold_check_all.delay()
        on_hold_check_all.delay()
    assert len(mail.outbox) == 2  # owner and representative, once
    with tenant_scope(TenantScope.for_dealer(dealer)):
        held_complaint.refresh_from_db()
    assert held_complaint.hold_reminded_at == later
