"""An erasure keeps every job, complaint and call as an anonymous record: the month's ranking recomputes the same."""

from dataclasses import asdict
from datetime import timedelta

import pytest
from django.utils import timezone

from complaints.services import complaint_log
from datarights.services import customer_erase
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope
from followups import services as followup_services
from followups.models import FollowUpCall
from scoring.models import ScoringPolicy
from scoring.selectors import scorecards_compute
from scoring.services import kpi_defaults_install, ranking_publish
from tests.scoring.conftest import delivered_job, last_month
from tests.scoring.conftest import last_month_shift as last_month_shift  # noqa: F401 (a fixture)
from tests.scoring.conftest import small_poe as small_poe  # noqa: F401 (a fixture)
from tests.scoring.conftest import submitted_poe as submitted_poe  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def month_cards(network, dealer):
    with tenant_scope(TenantScope.for_network(network.pk)):
        return asdict(scorecards_compute(network=network, month=last_month(), dealers=[dealer])[dealer.pk])


def test_the_months_ranking_recomputes_to_the_same_figures_after_erasure(
        network, dealer, advisor, representative, manager, submitted_poe, last_month_shift):  # noqa: F811
    with tenant_scope(TenantScope.for_network(network.pk)):
        kpi_defaults_install(network=network)
        ScoringPolicy.objects.create(network=network, min_sample=1)
    jobs = [delivered_job(dealer, advisor, number=f"RO-{index}", shift=last_month_shift, kept_greeting=index % 2 == 0)
            for index in range(4)]
    submitted_poe(dealer, last_month(), {"SP.1": 8, "SP.2": None, "SI.1": 5})
    erased = jobs[1].customer
    with tenant_scope(TenantScope.for_dealer(dealer)):
        call = FollowUpCall.objects.get(service_job=jobs[1])
        followup_services.call_answers_record(call=call, overall=2, work_done_right=False, ready_when_promised=True,
                                              would_recommend=False, by=representative,
                                              comments=f"{erased.name} is unhappy")
        complaint_log(dealer=dealer, customer=erased, department="service", channel="phone", by=advisor,
                      words=f"{erased.name}: the noise is back", received_at=timezone.now() - last_month_shift
                      + timedelta(hours=1))
    before = month_cards(network, dealer)
    with tenant_scope(TenantScope.for_network(network.pk)):
        published, _ = ranking_publish(network=network, month=last_month())
    assert any(kpi["cases"] for kpi in before["kpis"])  # the month has figures to lose

    with tenant_scope(TenantScope.for_dealer(dealer)):
        customer_erase(customer=erased, reason="Asked in writing", by=manager)

    assert month_cards(network, dealer) == before
    with tenant_scope(TenantScope.for_network(network.pk)):
        again, published_now = ranking_publish(network=network, month=last_month())
    assert (again, published_now) == (published, False)  # the published snapshot stands as it was
