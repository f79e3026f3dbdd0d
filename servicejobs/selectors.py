"""Reads on service jobs: a job's promises, and the advisor's board for today."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from .models import JobStatus, PromisePolicy, ServiceJob
from .promises import FollowUpOutcome, Policy, PromiseResult, evaluate_service_promises
from .rules import delivered_q, is_late, late_q


def followup_outcome_for(delivery) -> FollowUpOutcome | None:
    """Promise 9 of a service job or a new-car handover, from its call (at most one: a constraint).

    Read through the relation, so a ``prefetch_related("followup_calls")`` serves a whole list.
    """
    # The call is the follow-up app's (above this one): read through the relation, worded by the call itself.
    call = next(iter(delivery.followup_calls.all()), None) if delivery.pk else None
    return call.promise_outcome(zone=delivery.dealer.zone) if call is not None else None


def job_promises(job: ServiceJob, *, policy, now: datetime | None = None) -> list[PromiseResult]:
    """Evaluate the nine promises of one job from its records (changes, repeats and its call; prefetchable)."""
    changes = list(job.promise_changes.all())
    repeated_by = job.repeats.order_by("arrived_at", "pk").first() if job.pk else None
    return evaluate_service_promises(job, changes=changes, policy=Policy.from_model(policy),
                                     followup=followup_outcome_for(job), repeated_by=repeated_by, now=now)


BOARD_COLUMN_SIZE = 10  # cards a column shows at first (a tablet screen of each); "show more" adds as many again
BOARD_COLUMNS = ("expected", "in_workshop", "ready", "delivered")


@dataclass
class BoardColumn:
    """One column's cards as far as the advisor has opened it (``jobs``, the first ``shown``) and how many it holds."""

    name: str
    jobs: list[ServiceJob]
    shown: int
    total: int = 0

    @property
    def visible(self) -> list[ServiceJob]:
        return self.jobs[:self.shown]

    @property
    def hidden_count(self) -> int:
        return max(self.total - self.shown, 0)

    @property
    def shown_after_more(self) -> int:
        return self.shown + BOARD_COLUMN_SIZE


@dataclass
class Board:
    """Today's board: each column's first cards (as far as it is opened), its count, and the late count."""

    day: datetime
    expected: list[ServiceJob]
    in_workshop: list[ServiceJob]
    ready: list[ServiceJob]
    delivered: list[ServiceJob]
    now: datetime
    ready_tolerance: timedelta = timedelta(0)
    shown: dict[str, int] = field(default_factory=dict)  # a column's cards shown, when more than the first page
    mine: bool = False  # only the jobs of the advisor looking
    totals: dict[str, int] = field(default_factory=dict)  # each column's jobs, shown or not
    late_count: int = 0  # jobs in the workshop past their ready deadline, shown or not

    def is_late(self, job: ServiceJob) -> bool:
        return is_late(job, now=self.now, tolerance=self.ready_tolerance)

    def shown_in(self, name: str) -> int:
        return self.shown.get(name, BOARD_COLUMN_SIZE)

    def column(self, name: str) -> BoardColumn:
        return BoardColumn(name=name, jobs=getattr(self, name), shown=self.shown_in(name),
                           total=self.totals.get(name, 0))

    @property
    def columns(self) -> dict[str, BoardColumn]:
        return {name: self.column(name) for name in BOARD_COLUMNS}

    @property
    def state(self) -> dict[str, str]:
        """What the board is showing, as the query that shows it again (a step's answer, "show more")."""
        state = {f"show_{name}": str(shown) for name, shown in self.shown.items() if shown != BOARD_COLUMN_SIZE}
        if self.mine:
            state["mine"] = "1"
        return state


def board_options(params) -> dict:
    """The board's query (``?mine=1``, ``?show_<column>=<cards>``) as ``advisor_board`` arguments; a number
    that is no whole number of cards leaves its column at its first page."""
    shown = {}
    for name in BOARD_COLUMNS:
        value = params.get(f"show_{name}", "")
        if value.isascii() and value.isdigit():
            shown[name] = min(max(int(value), BOARD_COLUMN_SIZE), 10_000)
    return {"shown": shown, "mine": params.get("mine") == "1"}


def _board_column() -> Case:
    """The column a job of today's board stands in, by its status."""
    return Case(When(status=JobStatus.BOOKED, then=Value("expected")),
                When(status__in=[JobStatus.ARRIVED, JobStatus.IN_WORKSHOP], then=Value("in_workshop")),
                When(status=JobStatus.READY, then=Value("ready")),
                default=Value("delivered"), output_field=CharField())


def advisor_board(*, dealer=None, now: datetime | None = None, advisor=None, shown: dict[str, int] | None = None,
                  mine: bool = False) -> Board:
    """Today's board in the active (dealer's) time zone, in one query whatever the number of jobs.

    Expected: booked for today (or earlier and never arrived); in the workshop: arrived or being worked
    on; ready for collection; delivered today. Late jobs follow ``rules.is_late`` with ``dealer``'s network
    tolerance (without ``dealer``, that of the jobs' dealer: a board is always one dealer's). With ``mine``,
    only ``advisor``'s jobs; each column shows its first ``BOARD_COLUMN_SIZE`` cards, or ``shown[column]``.
    The query numbers each column's jobs and counts them (and the late ones) in SQL, so only the cards shown
    are read, however busy the day.
    """
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    start = timezone.make_aware(datetime.combine(local_now.date(), time.min))
    end = start + timedelta(days=1)
    network = dealer.network if dealer is not None else None
    if network is None:
        first = ServiceJob.objects.select_related("dealer__network").order_by().first()
        network = first.dealer.network if first is not None else None
    policy = PromisePolicy.objects.for_network(network) if network is not None else PromisePolicy()
    tolerance = timedelta(minutes=policy.ready_tolerance_minutes)
    board = Board(day=start, expected=[], in_workshop=[], ready=[], delivered=[], now=now,
                  ready_tolerance=tolerance, shown=shown or {}, mine=mine and advisor is not None)
    in_column = {"partition_by": [F("column")]}
    # First the places: each column's jobs numbered and counted (and the late ones) over the jobs table alone.
    places = (ServiceJob.objects
              .filter(Q(status=JobStatus.BOOKED, appointment_at__lt=end, appointment_at__gte=start - timedelta(days=1))
                      | Q(status__in=[JobStatus.ARRIVED, JobStatus.IN_WORKSHOP, JobStatus.READY])
                      | delivered_q() & Q(delivered_at__gte=start, delivered_at__lt=end))
              .filter(Q(advisor=advisor) if mine and advisor is not None else Q())
              .annotate(column=_board_column())
              .annotate(place=Window(RowNumber(), order_by=[F("appointment_at").asc(), F("arrived_at").asc(),
                                                            F("pk").asc()], **in_column),
                        column_total=Window(Count("pk"), **in_column),
                        column_late=Window(Sum(Case(When(late_q(now=now, tolerance=tolerance), then=1), default=0)),
                                           **in_column))
              .filter(place__lte=max([board.shown_in(name) for name in BOARD_COLUMNS]))
              .order_by("appointment_at", "arrived_at", "pk")
              .values_list("pk", "column", "place", "column_total", "column_late"))
    places = list(places)
    # Then the cards shown, whole, by key (joined on a handful of ids, whatever the customers table holds).
    shown_pks = [pk for pk, column, place, _total, _late in places if place <= board.shown_in(column)]
    jobs = ServiceJob.objects.select_related("customer", "vehicle", "advisor", "dealer__network").in_bulk(shown_pks)
    for pk, column, place, total, late in places:
        board.totals[column] = total
        if place <= board.shown_in(column):
            getattr(board, column).append(jobs[pk])
        if column == "in_workshop":
            board.late_count = late
    return board
