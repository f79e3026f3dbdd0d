"""A dealer's local day and month: the pure functions by hand, and their SQL twin agreeing with them on real rows."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from customers.models import Customer
from dealer_portal.tenancy.calendar import (
    in_local_month,
    local_date,
    local_month,
    local_month_q,
    local_today,
    month_bounds,
    next_month,
    previous_month,
)
from dealer_portal.tenancy.models import Dealer
from dealer_portal.tenancy.scoping import unscoped
from tests import factories

# Behind UTC without summer time, behind with it (United States dates), ahead with it (European dates),
# far ahead, and UTC itself.
ZONES = ["America/Mexico_City", "America/Tijuana", "Europe/Madrid", "Asia/Tokyo", "UTC"]
MARCH = date(2026, 3, 1)  # summer time starts inside it: 8 March in Tijuana, 29 March in Madrid


def test_a_moment_belongs_to_the_day_and_month_of_the_dealers_clock():
    moment = datetime(2026, 4, 1, 3, 0, tzinfo=UTC)  # 21:00 on 31 March in Mexico City, noon on 1 April in Tokyo
    assert local_date(moment, "America/Mexico_City") == date(2026, 3, 31)
    assert local_month(moment, "America/Mexico_City") == MARCH
    assert local_month(moment, "Asia/Tokyo") == date(2026, 4, 1)
    assert in_local_month(moment, MARCH, "America/Mexico_City") and not in_local_month(moment, MARCH, "Asia/Tokyo")
    assert not in_local_month(None, MARCH, "UTC")
    assert local_today("America/Mexico_City", now=moment) == date(2026, 3, 31)
    assert local_today(SimpleNamespace(time_zone="Asia/Tokyo"), now=moment) == date(2026, 4, 1)  # a dealer's zone


def test_month_bounds_are_local_midnights_whatever_the_summer_time():
    start, end = month_bounds(date(2026, 3, 17), "Europe/Madrid")
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (datetime(2026, 2, 28, 23, 0, tzinfo=UTC),
                                                          datetime(2026, 3, 31, 22, 0, tzinfo=UTC))


@pytest.mark.parametrize(("day", "after", "before"), [
    (date(2026, 1, 31), date(2026, 2, 1), date(2025, 12, 1)),
    (date(2026, 12, 1), date(2027, 1, 1), date(2026, 11, 1)),
    (date(2028, 2, 29), date(2028, 3, 1), date(2028, 1, 1)),
])
def test_next_and_previous_month(day, after, before):
    assert (next_month(day.replace(day=1)), previous_month(day)) == (after, before)


def _moments_around_month_ends() -> list[datetime]:
    """A minute either side of every zone's local midnight opening and closing March, and of UTC midnights."""
    moments = []
    for zone in ZONES:
        for edge in (*month_bounds(MARCH, zone), *month_bounds(next_month(MARCH), zone)):
            moments += [edge - timedelta(minutes=1), edge, edge + timedelta(minutes=1)]
    moments += [datetime(2026, 3, 15, 12, 0, tzinfo=UTC), datetime(2026, 2, 27, 12, 0, tzinfo=UTC)]
    return moments


@pytest.mark.django_db
def test_the_query_finds_exactly_the_rows_the_pure_function_puts_in_the_month(network, region):
    dealers = [factories.DealerFactory(region=region, time_zone=zone) for zone in ZONES]
    moments = _moments_around_month_ends()
    zone_by_dealer = {dealer.pk: dealer.time_zone for dealer in dealers}
    with unscoped():
        for dealer in dealers:
            for moment in moments:
                customer = factories.CustomerFactory(dealer=dealer)
                Customer.objects.filter(pk=customer.pk).update(created_at=moment)
        rows = list(Customer.objects.filter(dealer__in=dealers).select_related("dealer"))
        for month in (previous_month(MARCH), MARCH, next_month(MARCH)):
            by_query = set(Customer.objects.filter(local_month_q("created_at", month, ZONES))
                           .values_list("pk", flat=True))
            by_rule = {row.pk for row in rows if in_local_month(row.created_at, month, row.dealer.time_zone)}
            assert by_query == by_rule, month
            # Given each dealer's zone, the condition binds the row's own dealer column and agrees just the same.
            by_dealer = set(Customer.objects.filter(local_month_q("created_at", month, zone_by_dealer))
                            .values_list("pk", flat=True))
            assert by_dealer == by_rule, month
    assert len(by_rule) > 0 and len(by_rule) < len(rows)
    # Each dealer's March holds the minute after its own opening midnight, not the minute before it.
    with unscoped():
        march = Customer.objects.filter(local_month_q("created_at", MARCH, ZONES))
        for dealer in dealers:
            start, end = month_bounds(MARCH, dealer.time_zone)
            own = march.filter(dealer=dealer)
            assert own.filter(created_at=start).exists() and not own.filter(created_at=start - timedelta(minutes=1))
            assert own.filter(created_at=end - timedelta(minutes=1)).exists() and not own.filter(created_at=end)


@pytest.mark.django_db
def test_a_query_on_dealers_themselves_needs_no_path(network, region):
    dealer = factories.DealerFactory(region=region, time_zone="Asia/Tokyo")
    with unscoped():
        Dealer.objects.filter(pk=dealer.pk).update(created_at=datetime(2026, 2, 28, 16, 0, tzinfo=UTC))  # 1 Mar
        assert list(Dealer.objects.filter(local_month_q("created_at", MARCH, ["Asia/Tokyo"], dealer_path=""))) == [
            dealer]


@pytest.mark.django_db
def test_given_each_dealers_zone_the_query_joins_no_dealer(network, region):
    dealers = [factories.DealerFactory(region=region, time_zone=zone) for zone in ("Asia/Tokyo", "UTC")]
    with unscoped():
        query = Customer.objects.filter(local_month_q("created_at", MARCH, {d.pk: d.time_zone for d in dealers}))
        sql = str(query.query)
    assert "JOIN" not in sql and "time_zone" not in sql
