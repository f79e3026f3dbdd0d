"""Every email is written in its recipient's language, whoever or whatever sends it (here: the beat tasks'
services, run with English active, as a Celery worker runs them)."""

from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from accounts.models import User
from complaints import services as complaint_services
from complaints.services import daily_log_send
from dealer_portal.formatting import date_as, percent_format
from dealer_portal.tenancy.models import Department, Role
from followups.models import FollowUpCall
from followups.services import daily_call_report_send
from tests import factories
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db
LOG_SUBJECT = "Complaint log %(day)s · %(dealer)s · %(department)s: %(overdue)s overdue, %(new)s new"


def manager_speaking(dealer, email: str, language: str) -> User:
    user = factories.UserFactory(email=email)
    User.objects.filter(pk=user.pk).update(language=language)
    factories.MembershipFactory(user=user, dealer=dealer, role=Role.DEALER_MANAGER, department=Department.SERVICE)
    return user


def in_language(language: str, msgid: str, **values) -> str:
    with translation.override(language):
        return translation.gettext(msgid) % values if values else translation.gettext(msgid)


def test_the_daily_complaint_log_reaches_each_manager_in_their_own_language(
        in_dealer, dealer, django_capture_on_commit_callbacks):
    manager_speaking(dealer, "gerente@example.com", "es")
    manager_speaking(dealer, "paallikko@example.com", "fi")
    day = timezone.localtime(timezone.now() - timedelta(days=3), dealer.zone).date()
    customer = factories.CustomerFactory(dealer=dealer, name="Rosa Garza")
    evening_before = datetime.combine(day, time(7), tzinfo=dealer.zone) - timedelta(hours=15)
    complaint_services.complaint_log(dealer=dealer, customer=customer, department="service", channel="phone",
                                     words="El coche sigue haciendo ruido", received_at=evening_before)

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        assert daily_log_send(dealer=dealer, now=datetime.combine(day, time(7, 5), tzinfo=dealer.zone)) == 2

    by_recipient = {message.to[0]: message for message in mail.outbox}
    for address, language in [("gerente@example.com", "es"), ("paallikko@example.com", "fi")]:
        with translation.override(language):
            department = str(Department.SERVICE.label)
        values = {"day": day.isoformat(), "dealer": dealer.code, "department": department, "overdue": 0, "new": 1}
        subject = in_language(language, LOG_SUBJECT, **values)
        assert by_recipient[address].subject == subject
        assert subject != in_language("en", LOG_SUBJECT, **{**values, "department": str(Department.SERVICE.label)})
        assert f"{in_language(language, 'New since yesterday')} (1)" in by_recipient[address].body
        assert in_language(language, "New since yesterday") != "New since yesterday"


def test_the_daily_call_report_reaches_the_representative_in_their_language_with_local_figures(
        in_dealer, dealer, representative, make_job, django_capture_on_commit_callbacks):
    User.objects.filter(pk=representative.pk).update(language="es")
    job = walk_to(make_job(), "handover")
    last_day = FollowUpCall.objects.get(service_job=job).window_end
    nine = timezone.make_aware(datetime.combine(last_day, time(9)), dealer.zone)

    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        daily_call_report_send(dealer=dealer, now=nine)

    [message] = mail.outbox
    with translation.override("es"):
        subject = translation.gettext("Follow-up calls for %(day)s") % {
            "day": date_as(last_day, "SHORT_DATE_FORMAT")}
    assert message.subject == subject
    assert subject.endswith(last_day.strftime("%d/%m/%Y"))  # the Spanish short date, not the ISO one
    assert subject != in_language("en", "Follow-up calls for %(day)s", day=last_day.strftime("%d/%m/%Y"))


def test_a_percentage_in_an_email_follows_the_recipients_language():
    with translation.override("es"):
        assert percent_format(97.6, places=1) == "97,6\xa0%"
    with translation.override("ms"):
        assert percent_format(97.6, places=1) == "97.6%"
