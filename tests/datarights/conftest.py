"""A customer with one record of every kind, each naming them, built through the services as the pages do."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from complaints.models import EntryKind
from complaints.services import complaint_add_entry, complaint_log, compliment_record
from customers.models import Customer
from followups import services as followup_services
from followups.models import FollowUpCall
from servicejobs import services as job_services
from tests import factories
from tests.servicejobs.test_steps import walk_to

NAME = "Valentina Quiroga Esparza"
PHONE = "+528112345678"
PHONE_ALT = "+528187654321"
EMAIL = "valentina.quiroga@example.com"
VIN = "3AUXY2K70PN999888"
PLATE = "XYZ9876"
NEW_CAR_VIN = "3AUXY2K70PN777666"  # a new car handed over to her
PERSONAL_VALUES = (NAME, PHONE, PHONE_ALT, EMAIL, VIN, PLATE, NEW_CAR_VIN)


@dataclass
class Everything:
    customer: Customer
    job: object
    complaint: object
    call: FollowUpCall


@pytest.fixture
def everything(in_dealer, dealer, advisor, representative, manager):
    """``dealer``'s customer Valentina with a car, a delivered job, a new car handed over, a complaint with a note,
    a compliment, an answered follow-up call, an email sent to her, and an admin log line: every one repeating her
    name, phone, email or VIN."""
    customer = factories.CustomerFactory(dealer=dealer, name=NAME, phone=PHONE, phone_alt=PHONE_ALT, email=EMAIL,
                                         language="es")
    vehicle = factories.VehicleFactory(customer=customer, vin=VIN, plate=PLATE)
    job = job_services.job_create(dealer=dealer, number="RO-DR-1", customer=customer, vehicle=vehicle, advisor=advisor,
                                  work_category="maintenance", concern=f"{NAME} hears a noise; call {PHONE}")
    job = walk_to(job, "handover")
    complaint = complaint_log(dealer=dealer, customer=customer, vehicle=vehicle, service_job=job, department="service",
                              channel="phone", by=advisor,
                              words=f"Soy {NAME}, el coche {VIN} sigue con ruido. Escríbanme a {EMAIL}.")
    complaint_add_entry(complaint=complaint, kind=EntryKind.NOTE, by=representative,
                        body=f"Sra. Quiroga called back from {PHONE_ALT}.")
    compliment_record(dealer=dealer, department="service", channel="phone", customer=customer, by=advisor,
                      words=f"{NAME} thanks the advisor.")
    call = FollowUpCall.objects.get(service_job=job)
    followup_services.answer_link_send(call=call, link_builder=lambda token: f"https://portal.example/a/{token}")
    followup_services.call_attempt_log(call=call, outcome="no_answer", by=representative)
    followup_services.call_answers_record(call=call, overall=4, work_done_right=True, ready_when_promised=True,
                                          would_recommend=True, by=representative,
                                          comments=f"Valentina dice que su placa {PLATE} quedó bien.")
    new_car = factories.VehicleFactory(customer=customer, vin=NEW_CAR_VIN, plate="")
    job_services.handover_record(dealer=dealer, vehicle=new_car, promised_delivery_date=timezone.localdate(),
                                 delivered_at=timezone.now() - timedelta(hours=1), delivered_faultless=True,
                                 introduction_given=True, by=manager)
    LogEntry.objects.create(user=manager, content_type=ContentType.objects.get_for_model(Customer),
                            object_id=str(customer.pk), object_repr=NAME, action_flag=CHANGE,
                            change_message=f'[{{"changed": {{"fields": ["Email"]}}}}] {EMAIL}')
    return Everything(customer=customer, job=job, complaint=complaint, call=call)
