"""A dealer's (or network's) local calendar: which day and which month a UTC moment falls in, in one time zone.

Every dealer keeps its own clock (``Dealer.time_zone``), so "the month's jobs" or "today's calls" are local
dates, not UTC's: at 21:00 on the 31st in Mexico City it is already the 1st in UTC. The pure functions answer
for one moment; ``local_month_q`` is their SQL twin for a whole network, one condition per time zone, and a
test runs both over the same rows (tests/tenancy/test_calendar.py).

A zone is given as its IANA name (``"America/Mexico_City"``), a ``tzinfo``, or whatever keeps one in its
``time_zone`` (a dealer, a network).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone


class HasTimeZone(Protocol):
    time_zone: str


Zone = str | tzinfo | HasTimeZone


def zone_of(zone: Zone) -> tzinfo:
    """The ``tzinfo`` of a zone given by name, as one already, or as a dealer's or network's ``time_zone``."""
    if isinstance(zone, tzinfo):
        return zone
    return ZoneInfo(zone if isinstance(zone, str) else zone.time_zone)


def local_date(moment: datetime, zone: Zone) -> date:
    """The calendar day ``moment`` (an aware datetime) falls on in ``zone``."""
    return timezone.localtime(moment, zone_of(zone)).date()


def local_today(zone: Zone, *, now: datetime | None = None) -> date:
    """Today in ``zone`` (``now`` defaults to the current time)."""
    return local_date(now or timezone.now(), zone)


def month_start(day: date) -> date:
    """The first day of ``day``'s month: how a month is written everywhere (``2026-10-01`` is October 2026)."""
    return day.replace(day=1)


def local_month(moment: datetime, zone: Zone) -> date:
    """The month (its first day) that ``moment`` falls in, in ``zone``."""
    return month_start(local_date(moment, zone))


def next_month(month: date) -> date:
    """The first day of the month after ``month``'s."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_bounds(month: date, zone: Zone) -> tuple[datetime, datetime]:
    """The month as a half-open interval of aware datetimes ``[start, end)``: local midnight of its first day to
    local midnight of the next month's first day (a DST change inside the month is the zone's business)."""
    zone = zone_of(zone)
    start = month_start(month)
    return (datetime.combine(start, time.min, tzinfo=zone), datetime.combine(next_month(start), time.min, tzinfo=zone))


def in_local_month(moment: datetime | None, month: date, zone: Zone) -> bool:
    """Whether ``moment`` falls in ``month`` in ``zone`` (no moment: never). ``local_month_q`` is the SQL twin."""
    return moment is not None and local_month(moment, zone) == month_start(month)


def local_month_q(field: str, month: date, zones: Iterable[str] | Mapping[int, str], *,
                  dealer_path: str = "dealer") -> Q:
    """Rows whose ``field`` (a UTC time) falls in ``month`` as each row's dealer reckons it, in its own zone.

    One condition per time zone the dealers use, OR-ed, so a whole network is still one query; ``dealer_path``
    is the way from the row to its dealer (``"dealer"``, or ``""`` for a query on dealers themselves).

    Given the zone of each dealer (``{dealer_id: zone name}``), each condition names its dealers by id on the
    row itself (``dealer_id IN (...) AND field >= start AND field < end``), so a (dealer, field) index serves it
    and no dealer row is joined; given only zone names, each row's dealer is joined for its ``time_zone``.
    """
    prefix = f"{dealer_path}__" if dealer_path else ""
    condition = Q(pk__in=[])
    if isinstance(zones, Mapping):
        dealers_of: dict[str, list[int]] = {}
        for dealer_id, zone_name in zones.items():
            dealers_of.setdefault(zone_name, []).append(dealer_id)
        owner = f"{dealer_path}_id__in" if dealer_path else "pk__in"
        for zone_name in sorted(dealers_of):
            start, end = month_bounds(month, zone_name)
            condition |= Q(**{owner: sorted(dealers_of[zone_name]), f"{field}__gte": start, f"{field}__lt": end})
        return condition
    for zone_name in sorted(set(zones)):
        start, end = month_bounds(month, zone_name)
        condition |= Q(**{f"{prefix}time_zone": zone_name, f"{field}__gte": start, f"{field}__lt": end})
    return condition


def quarter_of(day: date) -> date:
    """The first day of ``day``'s quarter (1 January, 1 April, 1 July or 1 October)."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_months(start: date) -> list[date]:
    """The three months (their first days) of the quarter starting on ``start``."""
    return [start.replace(month=start.month + offset) for offset in range(3)]


def last_complete_quarter(today: date) -> date:
    """The first day of the quarter before ``today``'s."""
    this_quarter = quarter_of(today)
    if this_quarter.month == 1:
        return date(this_quarter.year - 1, 10, 1)
    return this_quarter.replace(month=this_quarter.month - 3)
