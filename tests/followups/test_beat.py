"""Beat's follow-up work: missed calls, the daily report (once a day), through a real worker too."""

import time
from datetime import datetime, timedelta
from unittest.mock import patch

import pytest
from django.urls import reverse
from django.utils import timezone

from dealer_portal.celery import app
from dealer_portal.tenancy.scoping import unscoped
from followups.models import DailyCallReport, FollowUpCall
from followups.services import daily_call_report_send
from followups.tasks import missed_calls_mark_all
from outbox.models import EmailStatus
from outbox.tasks import emails_sweep
from tests.servicejobs.test_steps import walk_to


def _local(day, hour, zone):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=hour), zone)


@pytest.mark.django_db
def test_the_daily_report_is_sent_once_a_day_after_eight_local(in_dealer, dealer, representative, make_job,
                                                               mailoutbox, django_capture_on_commit_callbacks):
    job = walk_to(make_job(), "handover")
    call = FollowUpCall.objects.get(service_job=job)
    last_day = call.window_end
    assert daily_call_report_send(dealer=dealer, now=_local(last_day, 7, dealer.zone)) is None
    with django_capture_on_commit_callbacks(execute=True):
        report = daily_call_report_send(dealer=dealer, now=_local(last_day, 9, dealer.zone))
        again = daily_call_report_send(dealer=dealer, now=_local(last_day, 10, dealer.zone))
    assert report.last_day_calls == 1 and again is None
    assert [m.to for m in mailoutbox] == [[representative.email]]
    assert job.customer.name in mailoutbox[0].body
    assert report.email.status == EmailStatus.SENT


@pytest.mark.django_db
def test_a_report_whose_email_fails_is_kept_marked_unsent_and_sent_once_when_the_server_is_back(
        client, network_admin, in_dealer, dealer, representative, make_job, settings, mailoutbox,
        django_capture_on_commit_callbacks):
    job = walk_to(make_job(), "handover")
    last_day = FollowUpCall.objects.get(service_job=job).window_end
    settings.EMAIL_BACKEND = "tests.outbox.backends.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        report = daily_call_report_send(dealer=dealer, now=_local(last_day, 9, dealer.zone))
    assert mailoutbox == []
    report = DailyCallReport.objects.prefetch_related("emails").get(pk=report.pk)
    assert report.email.delivery_note.startswith(
        "Not yet sent: retrying (1 attempt, last error: SMTPServerDisconnected")
    client.force_login(network_admin)  # the evidence in the admin says so too
    evidence = client.get(reverse("admin:followups_dailycallreport_changelist")).content.decode()
    assert "Not yet sent: retrying (1 attempt" in evidence

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert daily_call_report_send(dealer=dealer, now=_local(last_day, 10, dealer.zone)) is None
    for moment in (report.email.next_attempt_at, report.email.next_attempt_at + timedelta(hours=1)):
        with patch("django.utils.timezone.now", return_value=moment):
            emails_sweep.delay()
    assert [m.to for m in mailoutbox] == [[representative.email]]
    assert job.customer.name in mailoutbox[0].body
    assert DailyCallReport.objects.prefetch_related("emails").get(pk=report.pk).email.status == EmailStatus.SENT


@pytest.mark.django_db
def test_yesterdays_completion_rate_counts_calls_reached_inside_their_window(in_dealer, dealer, make_job):
    from followups.services import call_answers_record

    reached, missed = (FollowUpCall.objects.get(service_job=walk_to(make_job(), "handover")) for _ in range(2))
    FollowUpCall.objects.filter(pk=reached.pk).update(window_start=timezone.localdate())  # its window opens today
    call_answers_record(call=reached, overall=5, work_done_right=True, ready_when_promised=True,
                        would_recommend=True)
    report = daily_call_report_send(dealer=dealer, now=_local(missed.window_end + timedelta(days=1), 9, dealer.zone))
    assert (report.due, report.reached_in_window, report.completion_percent) == (2, 1, 50.0)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_periodic_task_runs_through_a_real_worker_and_twice_changes_nothing(dealer, advisor, make_job):
    from celery.contrib.testing.worker import start_worker

    from dealer_portal.tenancy.scoping import TenantScope, tenant_scope

    with tenant_scope(TenantScope.for_dealer(dealer)):
        job = walk_to(make_job(), "handover")
    with unscoped():
        FollowUpCall.objects.filter(service_job=job).update(window_start=timezone.localdate() - timedelta(days=9),
                                                            window_end=timezone.localdate() - timedelta(days=7))
    # The day's report goes out from 08:00 local time, so whether there is one depends on when this runs;
    # two runs never make two.
    expected_reports = 1 if timezone.localtime(timezone=dealer.zone).hour >= 8 else 0
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            missed_calls_mark_all.delay()
            missed_calls_mark_all.delay()  # a second run, as beat's retry would
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                with unscoped():
                    reports = DailyCallReport.objects.filter(dealer=dealer).count()
                    if FollowUpCall.objects.filter(service_job=job, status="missed").exists() and \
                            reports == expected_reports:
                        break
                time.sleep(0.2)
            time.sleep(1)  # let the second run finish too
    finally:
        app.conf.task_always_eager = True
    with unscoped():
        assert FollowUpCall.objects.get(service_job=job).status == "missed"
        assert DailyCallReport.objects.filter(dealer=dealer).count() == expected_reports
        from servicejobs.models import PromiseCheck

        assert PromiseCheck.objects.get(job=job, number=9).status == "broken"


@pytest.mark.django_db
def test_yesterdays_completion_rate_leaves_out_a_call_reached_before_its_window_opened(in_dealer, dealer, make_job):
    from followups.services import call_answers_record

    early = FollowUpCall.objects.get(service_job=walk_to(make_job(), "handover"))
    call_answers_record(call=early, overall=5, work_done_right=True, ready_when_promised=True, would_recommend=True)
    report = daily_call_report_send(dealer=dealer, now=_local(early.window_end + timedelta(days=1), 9, dealer.zone))
    assert (report.due, report.reached_in_window) == (1, 0)
