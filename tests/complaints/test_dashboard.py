"""Measuring and improving: monthly figures against the target, closing times, the Pareto, plans."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint, ComplaintCategory, ComplaintPolicy, ImprovementPlan
from complaints.selectors import complaint_dashboard
from dealer_portal.tenancy.scoping import unscoped
from tests import factories
from tests.cross_tenant import assert_not_found_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories(network):
    area = ComplaintCategory.objects.create(network=network, name="Servicio")
    return {name: ComplaintCategory.objects.create(network=network, parent=area, name=name)
            for name in ("Cobro", "Retraso", "Trato")}


def close(complaint, *, after: timedelta):
    """Close ``complaint`` as satisfied ``after`` its receipt (closing times drive the figures)."""
    Complaint.objects.filter(pk=complaint.pk).update(state="closed_satisfied",
                                                     closed_at=complaint.received_at + after)


def test_figures_count_closing_times_and_the_pareto(in_dealer, dealer, categories):
    customer = factories.CustomerFactory(dealer=dealer)
    now = timezone.now()
    made = []
    for index, (name, hours) in enumerate([("Cobro", 10), ("Cobro", 20), ("Cobro", 100), ("Retraso", 30),
                                           ("Trato", None)]):
        complaint = services.complaint_log(dealer=dealer, customer=customer, department="service",
                                           channel="phone", words=f"queja {index}", category=categories[name],
                                           received_at=now - timedelta(hours=200))
        if hours:
            close(complaint, after=timedelta(hours=hours))
        made.append(complaint)
    figures = complaint_dashboard(policy=ComplaintPolicy(reply_limit_hours=72), months=3)
    assert sum(month.complaints for month in figures.months) == 5
    assert figures.closed == 4 and figures.closed_in_time == 3 and figures.closed_in_time_percent == 75.0
    assert figures.median_to_close == timedelta(hours=25)
    assert figures.p90_to_close == timedelta(hours=100)
    assert [(name, count) for name, count, _ in figures.pareto] == [("Servicio › Cobro", 3), ("Servicio › Retraso", 1),
                                                                    ("Servicio › Trato", 1)]
    assert figures.pareto[-1][2] == 100.0


def test_a_manager_opens_an_improvement_plan_from_a_recurring_category(client, manager, dealer, categories,
                                                                       in_dealer):
    client.force_login(manager)
    url = reverse("improvement_plan_create", args=[dealer.network.slug, dealer.code])
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(url, {"category": categories["Cobro"].pk, "cause": "Precios sin actualizar",
                                 "action": "Revisar la lista de precios cada lunes", "owner": manager.pk,
                                 "due_date": due})
    assert response.status_code == 302
    page = client.get(reverse("complaint_dashboard", args=[dealer.network.slug, dealer.code])).content.decode()
    plans = page[page.index('data-testid="open-plans"'):]
    assert "Revisar la lista de precios cada lunes" in plans
    past = client.post(url, {"category": categories["Cobro"].pk, "cause": "x", "action": "y", "owner": manager.pk,
                             "due_date": "2020-01-01"})
    assert past.status_code == 400
    assert "The due date has already passed." in past.content.decode()
    assert ImprovementPlan.objects.count() == 1


def test_a_plan_owner_from_another_dealer_is_refused(client, manager, dealer, neighbour, categories):
    client.force_login(manager)
    response = client.post(reverse("improvement_plan_create", args=[dealer.network.slug, dealer.code]), {
        "category": categories["Cobro"].pk, "cause": "x", "action": "y", "owner": neighbour.pk,
        "due_date": (timezone.localdate() + timedelta(days=3)).isoformat()})
    assert response.status_code == 400
    with unscoped():
        assert not ImprovementPlan.objects.exists()


def test_figures_run_a_fixed_number_of_queries(client, manager, dealer, in_dealer, categories,
                                               django_assert_max_num_queries):
    customer = factories.CustomerFactory(dealer=dealer)
    for index in range(15):
        services.complaint_log(dealer=dealer, customer=customer, department="sales", channel="email",
                               words=f"q{index}", category=categories["Trato"])
    client.force_login(manager)
    url = reverse("complaint_dashboard", args=[dealer.network.slug, dealer.code])
    client.get(url)
    with django_assert_max_num_queries(20):
        assert client.get(url).status_code == 200


def test_hq_sees_the_networks_recurring_categories_and_dealer_staff_do_not(client, hq, advisor, network, dealer,
                                                                           categories, in_dealer, outsider):
    services.complaint_log(dealer=dealer, customer=factories.CustomerFactory(dealer=dealer), department="service",
                           channel="phone", words="x", category=categories["Retraso"])
    client.force_login(hq)
    page = client.get(reverse("network_complaints", args=[network.slug])).content.decode()
    assert "Servicio › Retraso (1)" in page
    assert_not_found_for(advisor, web=[reverse("network_complaints", args=[network.slug])])
    assert_not_found_for(outsider, web=[reverse("network_complaints", args=[network.slug]),
                                        reverse("complaint_dashboard", args=[network.slug, dealer.code])])
