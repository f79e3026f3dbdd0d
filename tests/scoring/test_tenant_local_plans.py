"""A dealer's KPI and dashboard queries cost the same whatever the rest of the network holds.

Beside a neighbour network of 300 busy dealers, every query behind one dealer's scorecard, its KPI case lists and
its promise dashboard, and the network pass of a handful of dealers, is planned by PostgreSQL as a walk of
a dealer-leading index on each dealer-owned table it reads: never a scan of every tenant's rows. The rows are
made in SQL (``INSERT ... SELECT ... generate_series``) from one template of each record, then analysed, so the
planner's choice is the one it makes on real volumes.
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime, time, timedelta

import pgtrigger
import pytest
from django.db import connection
from django.utils import timezone

from audit.tracking import HISTORY_MODELS
from complaints.models import Complaint, ComplaintState
from complaints.services import complaint_log
from dealer_portal.tenancy.calendar import next_month
from dealer_portal.tenancy.models import Dealer
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped
from followups.models import CallKind, CallStatus, FollowUpCall
from scoring.kpis import MEASURES
from scoring.selectors import kpi_cases, scorecards_compute
from servicejobs.dashboard import BROKEN_PAGE_SIZE, promise_dashboard
from servicejobs.models import PromiseCheck, PromiseTally, ServiceJob
from tests import factories
from tests.scoring.conftest import delivered_job, last_month

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's"),
]

NEIGHBOURS = 300  # dealers of the other network
NEIGHBOUR_JOBS = 100  # each, over a year
OWN_JOBS = 3000  # the measured dealer's, over a year around the month
SHARED = {model._meta.db_table: model for model in (ServiceJob, PromiseCheck, PromiseTally, Complaint, FollowUpCall)}


def _clone(model, template_pk: int, *, source: str, columns: dict[str, str], where: str = "") -> None:
    """Copies of the template row, one per row of ``source`` (SQL), with ``columns`` given as SQL expressions."""
    table = model._meta.db_table
    # The copies are test scenery, not business events: the audit history's insert trigger (a snapshot per row)
    # is skipped for them.
    # (``pgtrigger.ignore()`` of no trigger would ignore them all, the tallies' among them.)
    history = [f"{model._meta.label}:insert_insert"] if model in HISTORY_MODELS else []
    names = [field.column for field in model._meta.concrete_fields if not field.primary_key]
    listed = ", ".join(f'"{name}"' for name in names)
    values = ", ".join(columns.get(name, f't."{name}"') for name in names)
    with pgtrigger.ignore(*history) if history else contextlib.nullcontext(), connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{table}" ({listed}) SELECT {values} '  # noqa: S608 - our own columns
                       f'FROM "{table}" t, {source} WHERE t.id = %s {where}', [template_pk])


def _dealer_leading(model) -> set[str]:
    """The model's indexes (and unique constraints) whose first column is the dealer."""
    named = [*model._meta.indexes, *model._meta.constraints]
    return {index.name for index in named if list(getattr(index, "fields", []))[:1] == ["dealer"]}


def _scans(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _scans(child)


@pytest.fixture
def busy_network(network, dealer, advisor, representative, last_month_shift):
    """The measured dealer with a year of jobs, checks, calls and complaints, beside 300 neighbours' month."""
    month = last_month()
    start = datetime.combine(month, time(12), tzinfo=dealer.zone)
    job = delivered_job(dealer, advisor, number="RO-TEMPLATE", shift=last_month_shift)
    with tenant_scope(TenantScope.for_dealer(dealer)):
        complaint = complaint_log(dealer=dealer, customer=job.customer, department="service", channel="phone",
                                  words="Template", by=representative)
    neighbour_region = factories.RegionFactory(network=factories.NetworkFactory(slug="neighbour"))
    with unscoped():
        call = FollowUpCall.objects.filter(service_job=job).first() or FollowUpCall.objects.create(
            dealer=dealer, kind=CallKind.SERVICE, customer=job.customer, vehicle=job.vehicle, service_job=job,
            status=CallStatus.MISSED, delivered_at=job.delivered_at, window_start=job.delivered_at.date(),
            window_end=job.delivered_at.date() + timedelta(days=2))
        Complaint.objects.filter(pk=complaint.pk).update(state=ComplaintState.CLOSED_SATISFIED,
                                                         closed_at=complaint.received_at + timedelta(hours=50))
        Dealer.objects.bulk_create([
            Dealer(network=neighbour_region.network, region=neighbour_region, code=f"NB-{n:03d}",
                   name=f"Neighbour {n}", time_zone="America/Tijuana" if n % 3 else "America/Mexico_City")
            for n in range(NEIGHBOURS)])
    neighbours = f"(SELECT id FROM tenancy_dealer WHERE network_id = {neighbour_region.network_id})"
    month_start = f"'{start.isoformat()}'::timestamptz"
    # Every dealer's jobs spread over the year around the month, the measured dealer's thirty times as many.
    neighbour_arrival = f"{month_start} - interval '200 days' + g * interval '87 hours' + d.id * interval '1 minute'"
    _clone(ServiceJob, job.pk, source=f"tenancy_dealer d, generate_series(1, {NEIGHBOUR_JOBS}) g",
           where=f"AND d.id IN {neighbours}",
           columns={"dealer_id": "d.id", "number": "'NB-' || g", "arrived_at": neighbour_arrival,
                    "delivered_at": f"{neighbour_arrival} + interval '5 hours'"})
    own_arrival = f"{month_start} - interval '200 days' + g * interval '3 hours'"
    _clone(ServiceJob, job.pk, source=f"generate_series(1, {OWN_JOBS}) g",
           columns={"number": "'RO-' || g", "arrived_at": own_arrival,
                    "delivered_at": f"{own_arrival} + interval '5 hours'"})
    _clone(PromiseCheck, _first_check(job), source="servicejobs_servicejob j, generate_series(1, 9) n",
           where=f"AND j.id <> {job.pk}",
           columns={"dealer_id": "j.dealer_id", "job_id": "j.id", "number": "n", "job_arrived_at": "j.arrived_at",
                    "status": "CASE WHEN (j.id + n) %% 5 = 0 THEN 'broken' ELSE 'kept' END"})
    _clone(FollowUpCall, call.pk, source="servicejobs_servicejob j", where=f"AND j.id <> {job.pk}",
           columns={"dealer_id": "j.dealer_id", "service_job_id": "j.id", "delivered_at": "j.delivered_at",
                    "window_start": "(j.delivered_at)::date + 3", "window_end": "(j.delivered_at)::date + 5"})
    _clone(Complaint, complaint.pk, source="servicejobs_servicejob j", where="AND j.number LIKE '%%0'",
           columns={"dealer_id": "j.dealer_id", "reference": "'C-' || j.id", "sequence": "j.id",
                    "received_at": "j.arrived_at", "closed_at": "j.arrived_at + interval '50 hours'"})
    with connection.cursor() as cursor:
        for table in ("tenancy_dealer", *SHARED):
            cursor.execute(f'ANALYZE "{table}"')
    with unscoped():
        return dealer, list(Dealer.objects.filter(network=neighbour_region.network).order_by("pk")[:5]), month


def _first_check(job) -> int:
    with unscoped():
        return PromiseCheck.objects.filter(job=job).order_by("number").values_list("pk", flat=True).first()


class _Recorder:
    """Every SELECT run meanwhile, as (sql, params), to be explained afterwards."""

    def __init__(self):
        self.queries: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT"):
            self.queries.append((sql, params))
        return execute(sql, params, many, context)


def _plans_of(run) -> list[tuple[str, list[dict]]]:
    """(sql, plan nodes) of each query ``run`` makes that reads a dealer-owned table."""
    recorder = _Recorder()
    with connection.execute_wrapper(recorder):
        run()
    plans = []
    with connection.cursor() as cursor:
        for sql, params in recorder.queries:
            if not any(f'"{table}"' in sql for table in SHARED):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            plans.append((sql, list(_scans(plan[0]["Plan"]))))
    assert plans, "the run read no dealer-owned table"
    return plans


DEALER_LEADING = {name for model in SHARED.values() for name in _dealer_leading(model)}
KEYS = {f"{table}_pkey" for table in SHARED}  # the rows a list shows, fetched by key (prefetch_related)


def _assert_tenant_local(plans, *, expected: set[str], what: str) -> set[str]:
    """No query scans a whole dealer-owned table, and each reads one through a dealer-leading index (or fetches
    the rows of a list by key); ``expected`` are the indexes that must be among those used."""
    used = set()
    for sql, nodes in plans:
        seq = [node["Relation Name"] for node in nodes
               if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in SHARED]
        assert not seq, f"{what}: a scan of every tenant's {seq} in\n{sql}"
        names = {node["Index Name"] for node in nodes if "Index Name" in node}
        # The dealer's own foreign-key index also reads that dealer's rows only (the planner takes it for a
        # dealer with few rows of the kind in all).
        by_dealer_key = {name for name in names if any(name.startswith(f"{table}_dealer_id_") for table in SHARED)}
        assert (names & (DEALER_LEADING | KEYS)) or by_dealer_key, (
            f"{what}: no dealer-leading index ({names}) in\n{sql}")
        used |= names
    assert expected <= used, (what, expected, used)
    return used


MEASURE_INDEX = {
    "promisecheck": "promisecheck_dealer_month_idx", "job": "job_dealer_delivered_idx",
    "call": "followup_dealer_kind_idx", "received": "complaint_dealer_received_idx",
    "closed": "complaint_dealer_closed_idx",
}


# A dealer's checks of a period: by the month's index, or by result and month (the planner picks either).
PROMISE_PERIOD_INDEXES = {"promisecheck_dealer_month_idx", "promisecheck_dealer_broken_idx"}


def _index_of(key: str) -> str:
    measure = MEASURES[key]
    if measure.promises:
        return MEASURE_INDEX["promisecheck"]
    if measure.record == "complaint":
        return MEASURE_INDEX["received" if key == "complaint_first_contact" else "closed"]
    return MEASURE_INDEX[measure.record]


def test_a_dealers_pages_and_the_network_pass_read_only_their_dealers_month_beside_a_busy_network(busy_network):
    dealer, neighbours, month = busy_network
    with tenant_scope(TenantScope.for_dealer(dealer)):
        # The scorecard: every measure of the month, each table through its (dealer, period) index.
        plans = _plans_of(lambda: scorecards_compute(network=dealer.network, month=month, dealers=[dealer]))
        used = _assert_tenant_local(plans, expected=set(MEASURE_INDEX.values()) - {MEASURE_INDEX["promisecheck"]},
                                    what="scorecard")
        assert used & PROMISE_PERIOD_INDEXES, used
        # Each KPI's list of the cases it counted.
        for key in sorted(MEASURES):
            cases = kpi_cases(dealer=dealer, month=month, measure_key=key)
            assert cases.exists(), key  # the month holds cases: the plan is of a real list
            if MEASURES[key].promises:  # the checks of a period by the month's index, or by result and month
                used = _assert_tenant_local(_plans_of(lambda cases=cases: list(cases)), expected=set(), what=key)
                assert used & PROMISE_PERIOD_INDEXES, (key, used)
            else:
                _assert_tenant_local(_plans_of(lambda cases=cases: list(cases)), expected={_index_of(key)}, what=key)
        # The promise dashboard's two queries on dealer-owned tables, over the month: its one grouped pass over the
        # tallies (kept by the checks' triggers as the scenery was written) and the broken promises' first page.
        end = next_month(month) - timedelta(days=1)
        with timezone.override(dealer.zone):
            assert promise_dashboard(start=month, end=end).overall.decided > 0
            # The aggregates, and the first page of the broken promises (the view pages that list).
            plans = _plans_of(lambda: list(promise_dashboard(start=month, end=end).broken[:BROKEN_PAGE_SIZE]))
        assert len(plans) == 2
        _assert_tenant_local(plans, expected={"promisecheck_dealer_broken_idx", "promisetally_one_per_bucket"},
                             what="promise dashboard")
    # The ranking's pass over a handful of the neighbour network's dealers.
    network = neighbours[0].network
    with tenant_scope(TenantScope.for_network(network.pk)):
        cards = scorecards_compute(network=network, month=month, dealers=neighbours)
        assert all(card.kpis[0].cases > 0 for card in cards.values())
        plans = _plans_of(lambda: scorecards_compute(network=network, month=month, dealers=neighbours))
    # Each neighbour holds few rows in all, so the planner may read them by its dealer key alone, or by another
    # dealer-leading index (the repeat lookup's, for the deliveries): still theirs only, never a scan.
    _assert_tenant_local(plans, expected=set(), what="network")


LISTS = {"/api/v1/jobs/": ServiceJob, "/api/v1/complaints/": Complaint, "/api/v1/followups/": FollowUpCall}
LATER_JOBS = 60  # each neighbour's, written after the measured dealer's


def _rows_read(sql: str, params) -> int:
    """The rows of dealer-owned tables the query's scans touched: those returned and those filtered away."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    nodes = _scans((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"])
    return sum(node["Actual Rows"] * node.get("Actual Loops", 1) + node.get("Rows Removed by Filter", 0)
               for node in nodes if node.get("Relation Name") in SHARED)


@pytest.mark.parametrize("path", sorted(LISTS))
def test_an_api_lists_cursor_page_reads_the_rows_it_shows_when_the_neighbours_rows_are_newer(busy_network, client,
                                                                                           manager, path):
    """The measured dealer's records are older than 18,000 of its neighbours' (written after them, so with
    higher keys): its first page and a page deep in the list still read about the rows they show, through
    its (dealer, id) index, instead of walking the primary key down past every newer neighbour's row."""
    dealer, neighbours, _month = busy_network
    with unscoped():
        job = ServiceJob.objects.filter(dealer=dealer).order_by("pk").first()
        call = FollowUpCall.objects.filter(dealer=dealer).order_by("pk").first()
        complaint = Complaint.objects.filter(dealer=dealer).order_by("pk").first()
    network = f"(SELECT id FROM tenancy_dealer WHERE network_id = {neighbours[0].network_id})"
    arrival = "now() - g * interval '5 hours' - d.id * interval '1 minute'"
    _clone(ServiceJob, job.pk, source=f"tenancy_dealer d, generate_series(1, {LATER_JOBS}) g",
           where=f"AND d.id IN {network}",
           columns={"dealer_id": "d.id", "number": "'LATER-' || g", "arrived_at": arrival,
                    "delivered_at": f"{arrival} + interval '5 hours'"})
    later = "servicejobs_servicejob j"
    _clone(FollowUpCall, call.pk, source=later, where="AND j.number LIKE 'LATER-%%'",
           columns={"dealer_id": "j.dealer_id", "service_job_id": "j.id", "delivered_at": "j.delivered_at",
                    "window_start": "(j.delivered_at)::date + 3", "window_end": "(j.delivered_at)::date + 5"})
    _clone(Complaint, complaint.pk, source=later, where="AND j.number LIKE 'LATER-%%'",
           columns={"dealer_id": "j.dealer_id", "reference": "'L-' || j.id", "sequence": "j.id + 1000000",
                    "received_at": "j.arrived_at", "closed_at": "j.arrived_at + interval '50 hours'"})
    with connection.cursor() as cursor:
        for table in SHARED:
            cursor.execute(f'ANALYZE "{table}"')
    model = LISTS[path]
    with unscoped():
        newer = model.objects.exclude(dealer=dealer).filter(pk__gt=model.objects.filter(dealer=dealer).order_by(
            "-pk").values_list("pk", flat=True).first()).count()
    assert newer >= 300 * LATER_JOBS  # the scenery: that many neighbours' rows above the dealer's newest

    client.force_login(manager)
    first = client.get(path)
    assert first.status_code == 200 and len(first.json()["results"]) > 0
    deeper = client.get(first.json()["next"])
    assert deeper.status_code == 200 and len(deeper.json()["results"]) > 0
    for response in (first, deeper):
        recorder = _Recorder()
        with connection.execute_wrapper(recorder):
            assert client.get(response.request["PATH_INFO"], dict(response.wsgi_request.GET)).status_code == 200
        table = f'FROM "{model._meta.db_table}"'
        reads = {sql: _rows_read(sql, params) for sql, params in recorder.queries if table in sql}
        assert reads and all(read <= 10 * 51 for read in reads.values()), (path, list(reads.values()))
