"""The follow-up rules: each pure rule and its SQL twin give the same answer on the same calls."""

from datetime import UTC, date, datetime, time

import pytest
from django.utils import timezone

from followups.models import CallKind, CallStatus, FollowUpCall
from followups.rules import (
    followup_outcome,
    reached_by_window_end,
    reached_by_window_end_q,
    reached_in_window,
    reached_in_window_q,
)
from servicejobs.models import PromiseCheckStatus
from tests import factories

pytestmark = pytest.mark.django_db

WINDOW = (date(2026, 12, 10), date(2026, 12, 12))


def _call(dealer, *, reached: tuple[date, time] | None = None, status: str = CallStatus.SCHEDULED) -> FollowUpCall:
    vehicle = factories.VehicleFactory(customer=factories.CustomerFactory(dealer=dealer))
    call = FollowUpCall(dealer=dealer, kind=CallKind.ANNIVERSARY, customer=vehicle.customer, vehicle=vehicle,
                        delivered_at=timezone.make_aware(datetime(2026, 12, 7, 12), dealer.zone),
                        window_start=WINDOW[0], window_end=WINDOW[1], status=status)
    if reached is not None:
        call.mark_reached(at=timezone.make_aware(datetime.combine(*reached), dealer.zone), zone=dealer.zone)
    call.save()
    return call


@pytest.fixture
def calls(dealer, other_dealer, as_unscoped):
    """(call, reached in the window?, reached by the window's last day?) at a dealer 15 hours from the other."""
    other_dealer.time_zone = "Asia/Tokyo"
    other_dealer.save()
    monterrey, tokyo = dealer, other_dealer
    return [
        (_call(monterrey, reached=(date(2026, 12, 8), time(10))), False, True),  # before the window opened
        (_call(monterrey, reached=(date(2026, 12, 10), time(9))), True, True),  # on its first day
        (_call(monterrey, reached=(date(2026, 12, 12), time(23, 30))), True, True),  # last day; 13 Dec in UTC
        (_call(monterrey, reached=(date(2026, 12, 13), time(0, 30))), False, False),  # the day after
        (_call(tokyo, reached=(date(2026, 12, 10), time(0, 30))), True, True),  # first day; 9 Dec in UTC
        (_call(tokyo, reached=(date(2026, 12, 9), time(23, 30))), False, True),  # the evening before it opened
        (_call(tokyo, reached=(date(2026, 12, 13), time(8))), False, False),  # the day after; 12 Dec in UTC
        (_call(monterrey, status=CallStatus.MISSED), False, False),
        (_call(tokyo, status=CallStatus.ATTEMPTED), False, False),
    ]


def test_reached_in_the_window_is_the_same_rule_in_python_and_in_sql(calls):
    expected = {call.pk for call, in_window, _ in calls if in_window}
    assert {call.pk for call, _, _ in calls if reached_in_window(call)} == expected
    assert set(FollowUpCall.objects.filter(reached_in_window_q()).values_list("pk", flat=True)) == expected


def test_reached_by_the_windows_last_day_is_the_same_rule_in_python_and_in_sql(calls):
    expected = {call.pk for call, _, by_end in calls if by_end}
    assert {call.pk for call, _, _ in calls if reached_by_window_end(call)} == expected
    assert set(FollowUpCall.objects.filter(reached_by_window_end_q()).values_list("pk", flat=True)) == expected


def test_the_reached_day_is_the_dealers_local_date(calls):
    late_evening, _, _ = calls[2]
    assert late_evening.reached_at.astimezone(UTC).date() == date(2026, 12, 13)
    assert FollowUpCall.objects.get(pk=late_evening.pk).reached_on == date(2026, 12, 12)


def test_promise_9_is_kept_by_a_call_reached_before_its_window_and_says_when(calls):
    before, _, _ = calls[0]
    outcome = followup_outcome(before)
    assert outcome.status == PromiseCheckStatus.KEPT
    assert outcome.reason == "Customer reached on 8 Dec, before the call window (days 10 Dec–12 Dec) opened."


def test_promise_9_says_a_call_reached_in_its_window_was_within_it(calls):
    last_day, _, _ = calls[2]
    assert followup_outcome(last_day).reason == "Customer reached on 12 Dec, within days 10 Dec–12 Dec."
    after, _, _ = calls[3]
    outcome = followup_outcome(after)
    assert (outcome.status, outcome.reason) == (PromiseCheckStatus.BROKEN,
                                                "Customer reached only on 13 Dec, after days 10 Dec–12 Dec.")
