"""Two representatives acting on the same complaint at the same moment: neither's work is lost."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from complaints import services
from complaints.models import Complaint, TimelineEntry
from dealer_portal.tenancy.models import Role
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_representatives_at_once_keep_both_entries_and_one_transition(dealer, representative):
    colleague = factories.UserFactory(email="rep2@example.com")
    factories.MembershipFactory(user=colleague, dealer=dealer, role=Role.CUSTOMER_REPRESENTATIVE)
    with tenant_scope(TenantScope.for_dealer(dealer)):
        complaint = services.complaint_log(dealer=dealer, customer=factories.CustomerFactory(dealer=dealer),
                                           department="service", channel="phone", words="Cobro doble")
    start = threading.Barrier(2)
    outcomes = []

    def work(person, note):
        try:
            with tenant_scope(TenantScope.for_dealer(dealer)):
                start.wait()
                services.complaint_add_entry(complaint=complaint, kind="contact", by=person, channel="phone",
                                             body=note)
                try:
                    services.complaint_transition(complaint=complaint, action="confirm", by=person, channel="phone")
                    outcomes.append("confirmed")
                except ValidationError:
                    outcomes.append("refused")  # the other one confirmed first: the state moved on
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(representative, "Llamé al cliente")),
               threading.Thread(target=work, args=(colleague, "El cliente llamó de nuevo"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with unscoped():
        bodies = set(TimelineEntry.objects.filter(complaint=complaint, kind="contact").values_list("body", flat=True))
        confirmations = TimelineEntry.objects.filter(complaint=complaint, to_state="confirmed").count()
        state = Complaint.objects.get(pk=complaint.pk).state
    assert bodies == {"Llamé al cliente", "El cliente llamó de nuevo"}
    assert sorted(outcomes) == ["confirmed", "refused"]
    assert confirmations == 1 and state == "confirmed"
