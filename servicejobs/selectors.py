"""Reads on service jobs: a job's promises, and the advisor's board for today."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import JobStatus, PromisePolicy, ServiceJob
from .promises import FollowUpOutcome, Policy, PromiseResult, evaluate_service_promises
from .rules import delivered_q, is_late


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


BOARD_COLUMN_SIZE = 20  # cards a column shows at first; "show more" adds as many again
BOARD_COLUMNS = ("expected", "in_workshop", "ready", "delivered")


@dataclass
class BoardColumn:
    """One column's cards as far as the advisor has opened it: the first ``shown`` of ``jobs``."""

    name: str
    jobs: list[ServiceJob]
    shown: int

    @property
    def visible(self) -> list[ServiceJob]:
        return self.jobs[:self.shown]

    @property
    def hidden_count(self) -> int:
        return max(len(self.jobs) - self.shown, 0)

    @property
    def shown_after_more(self) -> int:
        return self.shown + BOARD_COLUMN_SIZE


@dataclass
class Board:
    day: datetime
    expected: list[ServiceJob]
    in_workshop: list[ServiceJob]
    ready: list[ServiceJob]
    delivered: list[ServiceJob]
    now: datetime
    ready_tolerance: timedelta = timedelta(0)
    shown: dict[str, int] = field(default_factory=dict)  # a column's cards shown, when more than the first page
    mine: bool = False  # only the jobs of the advisor looking

    def is_late(self, job: ServiceJob) -> bool:
        return is_late(job, now=self.now, tolerance=self.ready_tolerance)

    @property
    def late_count(self) -> int:
        return sum(1 for job in self.in_workshop if self.is_late(job))

    def column(self, name: str) -> BoardColumn:
        return BoardColumn(name=name, jobs=getattr(self, name), shown=self.shown.get(name, BOARD_COLUMN_SIZE))

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


def advisor_board(*, dealer=None, now: datetime | None = None, advisor=None, shown: dict[str, int] | None = None,
                  mine: bool = False) -> Board:
    """Today's board in the active (dealer's) time zone, in one query whatever the number of jobs.

    Expected: booked for today (or earlier and never arrived); in the workshop: arrived or being worked
    on; ready for collection; delivered today. Late jobs follow ``rules.is_late`` with ``dealer``'s network
    tolerance (without ``dealer``, that of the jobs' dealer: a board is always one dealer's). With ``mine``,
    only ``advisor``'s jobs; each column shows its first ``BOARD_COLUMN_SIZE`` cards, or ``shown[column]``.
    """
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    start = timezone.make_aware(datetime.combine(local_now.date(), time.min))
    end = start + timedelta(days=1)
    jobs = list(ServiceJob.objects.select_related("customer", "vehicle", "advisor", "dealer__network")
                .filter(Q(status=JobStatus.BOOKED, appointment_at__lt=end,
                          appointment_at__gte=start - timedelta(days=1))
                        | Q(status__in=[JobStatus.ARRIVED, JobStatus.IN_WORKSHOP, JobStatus.READY])
                        | delivered_q() & Q(delivered_at__gte=start, delivered_at__lt=end))
                .filter(Q(advisor=advisor) if mine and advisor is not None else Q())
                .order_by("appointment_at", "arrived_at", "pk"))
    network = dealer.network if dealer is not None else (jobs[0].dealer.network if jobs else None)
    policy = PromisePolicy.objects.for_network(network) if network is not None else PromisePolicy()
    board = Board(day=start, expected=[], in_workshop=[], ready=[], delivered=[], now=now,
                  ready_tolerance=timedelta(minutes=policy.ready_tolerance_minutes), shown=shown or {},
                  mine=mine and advisor is not None)
    for job in jobs:
        if job.status == JobStatus.BOOKED:
            board.expected.append(job)
        elif job.status in (JobStatus.ARRIVED, JobStatus.IN_WORKSHOP):
            board.in_workshop.append(job)
        elif job.status == JobStatus.READY:
            board.ready.append(job)
        else:
            board.delivered.append(job)
    return board
