"""One overdue rule: late on first contact or on the satisfactory reply, time on hold excluded.

The complaint's page, the queue's filter, the representative's home, the API, the escalation ladder and the
daily log all read it from complaints/rules.py.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services
from tests import factories

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def url(dealer, name, *args):
    return reverse(name, args=[dealer.network.slug, dealer.code, *args])


@pytest.fixture
def log(in_dealer, dealer, representative):
    def make(words, *, hours_ago):
        return services.complaint_log(dealer=dealer, customer=factories.CustomerFactory(dealer=dealer),
                                      department="service", channel="phone", words=words,
                                      received_at=timezone.now() - hours_ago * H)
    return make


@pytest.fixture
def uncalled(log):
    """Received 30 hours ago and nobody has called: past the 24-hour first contact, not yet the 72-hour reply."""
    return log("Nadie me ha llamado", hours_ago=30)


@pytest.fixture
def called(log):
    """Received 30 hours ago and confirmed with the customer: in time on both clocks."""
    return services.complaint_transition(complaint=log("Ya me llamaron", hours_ago=30), action="confirm",
                                         channel="phone")


def test_the_queue_filter_finds_a_complaint_late_only_on_first_contact(client, representative, dealer, uncalled,
                                                                       called):
    client.force_login(representative)
    page = client.get(url(dealer, "complaint_queue"), {"view": "all", "overdue": "1"}).content.decode()
    assert uncalled.reference in page
    assert called.reference not in page


def test_the_representatives_home_counts_a_complaint_late_only_on_first_contact(client, representative, dealer,
                                                                                uncalled, called):
    client.force_login(representative)
    page = client.get(url(dealer, "dealer_home")).content.decode()
    assert 'data-testid="my-open-complaints">2<' in page
    assert 'data-testid="my-overdue-complaints">1 overdue<' in page


def test_the_api_filter_finds_a_complaint_late_only_on_first_contact(api_as, representative, uncalled, called):
    listed = api_as(representative).get(reverse("complaint-list"), {"overdue": "1"}).json()["results"]
    assert [row["reference"] for row in listed] == [uncalled.reference]


# name: (hours since received, fields after logging, overdue at "now" under the default policy: 24 h / 72 h)
CASES = {
    "in time": (2, {}, False),
    "late on first contact only": (30, {}, True),
    "contacted, in time": (30, {"first_contact_at": -29}, False),
    "late on the reply only": (80, {"first_contact_at": -79, "state": "confirmed"}, True),
    "late on both": (100, {}, True),
    "on hold, held in time": (200, {"first_contact_at": -199, "state": "on_hold", "on_hold_since": -190}, False),
    "on hold, held when already late": (100, {"first_contact_at": -99, "state": "on_hold",
                                              "on_hold_since": -10}, False),
    "on hold, never contacted": (100, {"state": "on_hold", "on_hold_since": -90}, False),
    "resumed, in time thanks to the hold": (100, {"first_contact_at": -99, "state": "confirmed",
                                                  "time_on_hold": 48}, False),
    "resumed, late despite the hold": (130, {"first_contact_at": -129, "state": "confirmed",
                                             "time_on_hold": 48}, True),
    "resumed, not contacted, first contact paused": (30, {"state": "reopened", "time_on_hold": 10}, False),
    "resumed, not contacted, late on first contact": (40, {"state": "reopened", "time_on_hold": 10}, True),
    "closed satisfied, long ago": (500, {"first_contact_at": -499, "state": "closed_satisfied",
                                         "closed_at": -1}, False),
    "closed unresolved, never contacted": (500, {"state": "closed_unresolved", "closed_at": -1}, False),
    "exactly at the reply limit": (72, {"first_contact_at": -71, "state": "confirmed"}, False),
}


@pytest.fixture
def cases(in_dealer, dealer):
    """Each case as a saved complaint, the moment the case table speaks of, and what it expects."""
    from complaints.models import Complaint

    now = timezone.now()
    made = {}
    for name, (hours_ago, fields, expected) in CASES.items():
        complaint = services.complaint_log(dealer=dealer, customer=factories.CustomerFactory(dealer=dealer),
                                           department="service", channel="phone", words=name,
                                           received_at=now - hours_ago * H)
        values = {key: (now + value * H if key.endswith("_at") or key == "on_hold_since" else
                        value * H if key == "time_on_hold" else value) for key, value in fields.items()}
        Complaint.objects.filter(pk=complaint.pk).update(**values)
        made[name] = (Complaint.objects.get(pk=complaint.pk), expected)
    return now, made


@pytest.mark.parametrize("policy_hours", [(24, 72), (12, 36)], ids=["default policy", "stricter policy"])
def test_is_overdue_and_overdue_q_agree_on_every_complaint(cases, policy_hours):
    from complaints.models import Complaint, ComplaintPolicy
    from complaints.rules import is_overdue, overdue_q

    now, made = cases
    policy = ComplaintPolicy(first_contact_hours=policy_hours[0], reply_limit_hours=policy_hours[1])
    in_sql = set(Complaint.objects.filter(overdue_q(policy=policy, now=now)).values_list("pk", flat=True))
    for name, (complaint, expected) in made.items():
        in_python = is_overdue(complaint, policy=policy, now=now)
        assert in_python == (complaint.pk in in_sql), name
        if policy_hours == (24, 72):
            assert in_python == expected, name


def test_the_page_clock_says_overdue_exactly_when_the_rule_does(cases):
    from complaints.models import ComplaintPolicy
    from complaints.rules import complaint_clock, is_overdue

    now, made = cases
    policy = ComplaintPolicy()
    for name, (complaint, _expected) in made.items():
        clock = complaint_clock(complaint, policy=policy, now=now)
        assert clock.is_overdue == is_overdue(complaint, policy=policy, now=now), name
        assert (clock.overdue_by > timedelta(0)) == clock.is_overdue, name
