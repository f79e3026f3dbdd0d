"""Promise reasons are stored as text when they are evaluated: in the network's default language, whoever (an
advisor in another language, a beat task in the default one) caused the evaluation."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from dealer_portal.tenancy.scoping import unscoped
from servicejobs.models import PromiseCheck, ServiceJob
from servicejobs.services import job_promises_refresh
from tests.servicejobs.test_steps import walk_to

pytestmark = pytest.mark.django_db


def _schedule_reason(job, dealer) -> str:
    promised = datetime(datetime.now().year + 1, 12, 15, 10, 0, tzinfo=ZoneInfo(str(dealer.zone)))
    ServiceJob.objects.filter(pk=job.pk).update(promised_ready_at=promised)
    with translation.override("en"):  # the caller's language must not decide what is stored
        job_promises_refresh(ServiceJob.objects.get(pk=job.pk))
    with unscoped():
        return PromiseCheck.objects.get(job=job, number=5).reason


def test_a_promise_reason_names_the_month_in_the_networks_language(dealer, make_job, in_dealer):
    dealer.network.default_language = "es"
    dealer.network.save(update_fields=["default_language"])

    reason = _schedule_reason(walk_to(make_job(), "start_work"), dealer)

    assert "15 dic" in reason and "Dec" not in reason


def test_a_promise_reason_of_an_english_network_names_the_month_in_english(dealer, make_job, in_dealer):
    reason = _schedule_reason(walk_to(make_job(), "start_work"), dealer)

    assert "15 Dec" in reason
