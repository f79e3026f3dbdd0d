"""The demo's clock: one "now" for the whole build, and each dealer's local minutes turned into UTC.

The history is simulated up to the moment the demo is built, whatever the hour: nothing that happened
(an arrival, a call, a complaint's step) is ever recorded after it. Only what is planned (an appointment,
a promised time, a call back) may lie ahead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

MINUTES_PER_DAY = 24 * 60
# Given only a day (tests, benchmarks), the demo's "now" is mid-morning on it.
DAY_ONLY_NOW = time(11, 30)


def demo_now(*, now: datetime | None = None, today: date | None = None, zone=UTC) -> datetime:
    """The moment the demo's history runs up to, to the whole minute: ``now``, else 11:30 of ``today`` in
    ``zone``, else the current time."""
    if now is None:
        now = datetime.combine(today, DAY_ONLY_NOW, tzinfo=zone) if today is not None else timezone.now()
    return now.astimezone(UTC).replace(second=0, microsecond=0)


class LocalClock:
    """A dealer's local time as whole minutes since its history's first midnight, turned into aware UTC datetimes.

    ``today`` is the dealer's local date at ``now`` (the day index ``days``) and ``now_minute`` the moment
    itself, so a simulation compares minutes and never records one after ``now_minute``.
    """

    def __init__(self, zone, *, now: datetime, days: int):
        self.zone = zone
        local = now.astimezone(zone)
        self.now = now
        self.today = local.date()
        self.first_day = self.today - timedelta(days=days)
        self.today_index = days
        self.now_minute = days * MINUTES_PER_DAY + local.hour * 60 + local.minute
        self._first_ordinal = self.first_day.toordinal()
        self._midnights: dict[int, tuple[datetime, bool]] = {}

    def day(self, index: int) -> date:
        return date.fromordinal(self._first_ordinal + index)

    def index(self, day: date) -> int:
        return day.toordinal() - self._first_ordinal

    def is_workday(self, index: int) -> bool:
        return (self._first_ordinal + index - 1) % 7 < 5  # ordinal 1 was a Monday

    def next_workday(self, index: int) -> int:
        index += 1
        while not self.is_workday(index):
            index += 1
        return index

    def utc(self, moment: int) -> datetime:
        index, minute = divmod(moment, MINUTES_PER_DAY)
        cached = self._midnights.get(index)
        if cached is None:
            day = self.day(index)
            offset = datetime.combine(day, time(0), tzinfo=self.zone).utcoffset()
            uniform = offset == datetime.combine(day, time(23, 59), tzinfo=self.zone).utcoffset()
            cached = self._midnights[index] = (datetime.combine(day, time(0), tzinfo=UTC) - offset, uniform)
        midnight, uniform = cached
        if uniform:
            return midnight + timedelta(minutes=minute)
        # A day on which the clocks change: the zone itself says which offset each minute has.
        local = datetime.combine(self.day(index), time(minute // 60, minute % 60), tzinfo=self.zone)
        return local.astimezone(UTC)

    def minute_of(self, moment: datetime) -> int:
        """The local minute index of an aware datetime (the inverse of ``utc``)."""
        local = moment.astimezone(self.zone)
        return self.index(local.date()) * MINUTES_PER_DAY + local.hour * 60 + local.minute
