"""Time the monthly ranking of a big network against one full scan of the month's service jobs.

    .venv/bin/python bench/monthly_ranking.py                      # 2,000 dealers × 500 jobs
    .venv/bin/python bench/monthly_ranking.py --dealers 200 --keep # smaller; leave the data for the next run

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/dealer_portal_bench; the ranking's figures
(medians over PostgreSQL's PERCENTILE_CONT) are what production runs, so SQLite is refused.

Side effects: creates the database if it is missing and migrates it; writes one benchmark network (the
dealers, their customers and vehicles, a month of service jobs with their promise checks, complaints,
follow-up calls and POE assessments, built by the demo's bulk builders) and deletes it at the end.
With ``--keep`` the network stays, and a later ``--keep`` run reuses it instead of building again.
Refuses a database whose name does not contain "bench" unless --yes.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "dealer_portal.settings"
BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dealer_portal_bench"
os.environ.setdefault("DATABASE_URL", BENCH_DATABASE_URL)

import django  # noqa: E402 - the settings module and database must be chosen first

django.setup()

import pghistory.models  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection, connections, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from complaints.models import CLOSED_STATES, Complaint, ComplaintPolicy  # noqa: E402
from complaints.services import network_taxonomy_install  # noqa: E402
from customers.models import Customer, Vehicle  # noqa: E402
from dealer_portal.tenancy.calendar import local_month_q, month_bounds, next_month, previous_month  # noqa: E402
from dealer_portal.tenancy.models import Dealer, Network, Region, Role  # noqa: E402
from dealer_portal.tenancy.scoping import TenantScope, tenant_models, tenant_scope, unscoped  # noqa: E402
from demo.calls import demo_calls_build  # noqa: E402
from demo.complaints import demo_complaints_build  # noqa: E402
from demo.jobs import demo_jobs_build  # noqa: E402
from demo.network import MEXICO_REGIONS  # noqa: E402
from demo.scoring import demo_assessments_build, poe_template  # noqa: E402
from followups.models import FollowUpCall  # noqa: E402
from scoring.models import Assessment, Ranking, RankingEntry, ScoringPolicy  # noqa: E402
from scoring.selectors import ranking_dealers, scorecards_compute  # noqa: E402
from scoring.services import kpi_defaults_install, ranking_publish  # noqa: E402
from servicejobs.models import JobStatus, PromiseCheck, ServiceJob  # noqa: E402

BENCH_NETWORK_SLUG = "bench-monthly-ranking"
BENCH_EMAIL_DOMAIN = "bench-ranking.invalid"
CHUNK = 100  # dealers simulated per step: progress lines and bounded memory
COMPLAINT_CHUNK = 200  # the complaint builder gives a network of up to 200 dealers its full 4–8 a month


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dealers", type=int, default=2000, help="dealers in the network (default 2000)")
    parser.add_argument("--jobs", type=int, default=500, help="service jobs per dealer in the month (default 500)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement; the median is reported")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generated data")
    parser.add_argument("--workers", type=int, default=2, help="processes simulating service jobs (default 2)")
    parser.add_argument("--keep", action="store_true",
                        help="leave the benchmark network in the database, and reuse one left by an earlier run")
    parser.add_argument("--delete", action="store_true", help="only delete a benchmark network left by --keep")
    parser.add_argument("--yes", action="store_true", help="run even if the database name does not contain 'bench'")
    return parser.parse_args()


def _database_ready() -> str | None:
    """Create the PostgreSQL database if it is missing; returns a reason to refuse, or None."""
    if connection.vendor != "postgresql":
        return (f"The monthly ranking is measured on PostgreSQL, not {connection.vendor}: point DATABASE_URL at a "
                f"scratch PostgreSQL database (for example {BENCH_DATABASE_URL}).")
    try:
        connection.ensure_connection()
    except OperationalError as error:
        if "does not exist" not in str(error):
            return f"Cannot connect to PostgreSQL: {error}"
        import psycopg
        from psycopg import sql

        params = connection.get_connection_params()
        name = params.pop("dbname")
        params = {key: value for key, value in params.items() if key in {"host", "port", "user", "password"}}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}")
    return None


def _bench_network() -> Network | None:
    with unscoped():
        return Network.objects.filter(slug=BENCH_NETWORK_SLUG).first()


def _delete_bench_data() -> None:
    """Side effects: deletes the benchmark network and everything in it (leftovers of a crashed run too).

    Millions of rows: each tenant table is emptied of the network's rows with one plain DELETE (the
    foreign keys are checked at commit), then the network's own few rows go the ordinary way.
    """
    started = time.perf_counter()
    with unscoped(), transaction.atomic():
        network = Network.objects.filter(slug=BENCH_NETWORK_SLUG).first()
        if network is None:
            return
        paths = []
        for model in tenant_models():
            manager = model._default_manager
            if model in (Dealer, Region, Network) or issubclass(model, pghistory.models.Event):
                continue  # the audit history is append-only: it keeps what the deletes leave there
            path = f"{manager.dealer_path}__network" if manager.dealer_path is not None else manager.network_path
            paths.append((path.count("__"), model, path))
        # Rows found through a parent go before the parent (checklist items before their template).
        for _depth, model, path in sorted(paths, key=lambda row: (-row[0], row[1]._meta.label)):
            model.objects.filter(**{path: network})._raw_delete(connection.alias)
        Dealer.objects.filter(network=network).delete()
        Region.objects.filter(network=network).delete()
        network.delete()
        User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}").delete()
    print(f"deleted the benchmark network in {time.perf_counter() - started:.1f} s")


def _month_of_records(today: date) -> tuple[date, date]:
    """The month measured (the last complete one) and the demo's "today" that fills it: its last day."""
    month = previous_month(today)
    return month, next_month(month) - timedelta(days=1)


# What the forked job-building processes read (set before they start; they inherit it).
_SHARED: dict = {}


def _jobs_of_chunk(index: int) -> int:
    """One chunk of dealers' service jobs, in a worker process with its own connection and random stream."""
    shared = _SHARED
    rng = random.Random(f"{shared['seed']}-jobs-{index}")  # noqa: S311 - the same chunk gets the same jobs
    with unscoped():
        return demo_jobs_build(
            rng=rng, dealers=shared["outlets"][index * CHUNK:(index + 1) * CHUNK],
            advisors_by_dealer=shared["advisors"], customers_by_dealer=shared["customers_by_dealer"],
            vehicles_by_customer=shared["vehicles_by_customer"], months=1, today=shared["history_today"],
            jobs_per_dealer_per_month=shared["jobs"])


def _build(*, dealers: int, jobs: int, seed: int, month: date, history_today: date, workers: int) -> None:
    """Side effects: writes the benchmark network with ``dealers`` outlets and a month of their records."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
    zones = [zone for _, (_, cities) in MEXICO_REGIONS.items() for _, zone in cities]
    step = time.perf_counter()

    def done(what: str) -> None:
        nonlocal step
        print(f"  {what} in {time.perf_counter() - step:.1f} s", flush=True)
        step = time.perf_counter()

    with unscoped():
        with transaction.atomic():
            network = Network.objects.create(slug=BENCH_NETWORK_SLUG, name="Benchmark Ranking Motors",
                                             time_zone="America/Mexico_City")
            regions = Region.objects.bulk_create([Region(network=network, code=f"R{n:02d}", name=f"Región {n}")
                                                  for n in range(1, 9)])
            outlets = Dealer.objects.bulk_create([
                Dealer(network=network, region=regions[n % len(regions)], code=f"BMR-{n:05d}",
                       name=f"Benchmark {n:05d}", city="Ciudad", time_zone=zones[n % len(zones)])
                for n in range(1, dealers + 1)], batch_size=5000)
            Dealer.objects.filter(network=network).update(
                created_at=datetime.combine(history_today - timedelta(days=400), clock_time(9), tzinfo=UTC))
            roles = (Role.SERVICE_ADVISOR, Role.SERVICE_ADVISOR, Role.CUSTOMER_REPRESENTATIVE, Role.DEALER_MANAGER)
            users = User.objects.bulk_create(
                [User(email=f"hq@{BENCH_EMAIL_DOMAIN}", full_name="Auditor HQ", password="!", language="es")]
                + [User(email=f"{role}.{n}.{index}@{BENCH_EMAIL_DOMAIN}", full_name=f"{role} {n}", password="!",
                        language="es")
                   for n in range(dealers) for index, role in enumerate(roles)], batch_size=5000)
            hq, staff_users = users[0], users[1:]
            staff_by_dealer: dict[int, dict[str, list[User]]] = defaultdict(lambda: defaultdict(list))
            for position, user in enumerate(staff_users):
                staff_by_dealer[outlets[position // len(roles)].pk][roles[position % len(roles)]].append(user)
            # About 0.8 cars per monthly job: most customers come once in the month, some twice.
            per_dealer = max(50, math.ceil(jobs * 0.8))
            customers = Customer.objects.bulk_create([
                Customer(dealer=dealer, name=f"Cliente {dealer.pk}-{n:05d}", phone=f"+52{dealer.pk:04d}{n:06d}",
                         language="es") for dealer in outlets for n in range(per_dealer)], batch_size=5000)
            vehicles = Vehicle.objects.bulk_create([
                Vehicle(dealer_id=customer.dealer_id, customer=customer, vin=f"3BMR{n:013d}", plate=f"BMR{n:07d}",
                        make="Aurora", model="Lince",
                        handover_date=history_today - timedelta(days=rng.randint(60, 2000)))
                for n, customer in enumerate(customers)], batch_size=5000)
            network_taxonomy_install(network=network)
            kpi_defaults_install(network=network)
            ScoringPolicy.objects.get_or_create(network=network)
        done(f"{dealers} dealers, {len(staff_users) + 1} users, {len(customers)} customers and vehicles")
        customers_by_dealer: dict[int, list[Customer]] = defaultdict(list)
        for customer in customers:
            customers_by_dealer[customer.dealer_id].append(customer)
        vehicles_by_customer = {vehicle.customer_id: [vehicle] for vehicle in vehicles}
        advisors = {dealer_id: staff[Role.SERVICE_ADVISOR] for dealer_id, staff in staff_by_dealer.items()}

        # Simulating jobs is the slow part (Python): chunks of dealers in parallel processes.
        _SHARED.update(seed=seed, outlets=outlets, advisors=advisors, customers_by_dealer=customers_by_dealer,
                       vehicles_by_customer=vehicles_by_customer, history_today=history_today, jobs=jobs)
        connections.close_all()  # each process opens its own connection
        chunks = range(math.ceil(len(outlets) / CHUNK))
        built = 0
        with multiprocessing.get_context("fork").Pool(max(1, workers)) as pool:
            for finished, count in enumerate(pool.imap_unordered(_jobs_of_chunk, chunks), start=1):
                built += count
                print(f"    jobs of {min(finished * CHUNK, len(outlets))} dealers: {built}", flush=True)
        done(f"{built} service jobs with their promise checks")

        complaints = 0
        for start in range(0, len(outlets), COMPLAINT_CHUNK):
            part = outlets[start:start + COMPLAINT_CHUNK]
            jobs_by_dealer: dict[int, list[tuple]] = defaultdict(list)
            for job_id, dealer_id, customer_id, vehicle_id, delivered_at in (
                    ServiceJob.objects.filter(dealer__in=part, status=JobStatus.DELIVERED)
                    .values_list("pk", "dealer_id", "customer_id", "vehicle_id", "delivered_at")):
                jobs_by_dealer[dealer_id].append((delivered_at, job_id, customer_id, vehicle_id))
            with transaction.atomic():
                complaints += demo_complaints_build(
                    rng=rng, dealers=part, customers_by_dealer=customers_by_dealer,
                    vehicles_by_customer=vehicles_by_customer, jobs_by_dealer=jobs_by_dealer,
                    staff_by_dealer=staff_by_dealer, months=1, today=history_today)
        done(f"{complaints} complaints")
        # One call for the whole network: the builder rewrites every delivered job's promise 9 at once.
        with transaction.atomic():
            calls = demo_calls_build(rng=rng, dealers=outlets, today=history_today,
                                     customers_by_dealer=customers_by_dealer, staff_by_dealer=staff_by_dealer)
        done(f"{calls} follow-up calls (and the complaints of dissatisfied answers)")
        with transaction.atomic():
            assessments, _standings = demo_assessments_build(rng=rng, template=poe_template(network),
                                                             dealers=outlets, months=[month], auditor=hq)
        done(f"{len(assessments)} POE assessments")


def _counts(network: Network, month: date) -> dict[str, int]:
    with tenant_scope(TenantScope.for_network(network.pk)):
        dealers = list(Dealer.objects.filter(network=network))
        zones = {dealer.time_zone for dealer in dealers}
        month_jobs = ServiceJob.objects.filter(local_month_q("arrived_at", month, zones))
        return {
            "dealers": len(dealers),
            "jobs in the month": month_jobs.count(),
            "their promise checks": PromiseCheck.objects.filter(job__in=month_jobs).count(),
            "complaints received in the month": Complaint.objects.filter(
                local_month_q("received_at", month, zones)).count(),
            "follow-up calls due in the month": FollowUpCall.objects.filter(
                window_end__gte=month, window_end__lt=next_month(month)).count(),
            "POE assessments": Assessment.objects.filter(month=month).count(),
            "jobs in all": ServiceJob.objects.count(),
            "promise checks in all": PromiseCheck.objects.count(),
        }


def _timed(repeat: int, function: Callable[[], object], *, before: Callable[[], object] | None = None):
    """Run ``function`` ``repeat`` times (``before``, untimed, ahead of each); returns the timings, the last
    result and the number of queries of the last run."""
    timings, result, queries = [], None, 0
    for _run in range(repeat):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = function()
            timings.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return timings, result, queries


def _report(name: str, timings: list[float], queries: int, detail: str) -> float:
    median = statistics.median(timings)
    print(f"{name:<34} median {median:8.2f} s   min {min(timings):8.2f} s   max {max(timings):8.2f} s   "
          f"queries {queries:3d}   {detail}")
    return median


def _zone_conditions(column: str, month: date, dealers: list[Dealer], alias: str) -> tuple[str, list]:
    """``(dealer_id = ANY(...) AND column in the month) OR ...``, one term per zone, with its parameters."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for dealer in dealers:
        by_zone[dealer.time_zone].append(dealer.pk)
    terms, params = [], []
    for zone, ids in sorted(by_zone.items()):
        start, end = month_bounds(month, zone)
        terms.append(f"({alias}.dealer_id = ANY(%s) AND {alias}.{column} >= %s AND {alias}.{column} < %s)")
        params += [ids, start, end]
    return "(" + " OR ".join(terms) + ")", params


def plain_sql_figures(network: Network, month: date, dealers: list[Dealer]) -> int:
    """The month's raw KPI and POE figures of every dealer in hand-written SQL, one GROUP BY per table: the floor
    the ORM's scorecards are measured against. Returns the number of rows read back."""
    complaint_policy = ComplaintPolicy.objects.for_network(network)
    ids = [dealer.pk for dealer in dealers]
    checks_month, checks_params = _zone_conditions("job_arrived_at", month, dealers, "c")
    delivered_month, delivered_params = _zone_conditions("delivered_at", month, dealers, "j")
    received, received_params = _zone_conditions("received_at", month, dealers, "k")
    closed, closed_params = _zone_conditions("closed_at", month, dealers, "k")
    closed, closed_params = f"({closed} AND k.state = ANY(%s))", [*closed_params, list(CLOSED_STATES)]
    statements = [
        (f"SELECT c.dealer_id, c.number, COUNT(*) FILTER (WHERE c.status = 'kept'), COUNT(*) "  # noqa: S608
         f"FROM servicejobs_promisecheck c WHERE c.dealer_id = ANY(%s) AND c.number BETWEEN 1 AND 8 "
         f"AND c.status IN ('kept', 'broken') AND {checks_month} GROUP BY 1, 2", [ids, *checks_params]),
        (f"SELECT j.dealer_id, COUNT(*), COUNT(*) FILTER (WHERE j.repeat_of_id IS NULL) "  # noqa: S608
         f"FROM servicejobs_servicejob j WHERE j.dealer_id = ANY(%s) AND j.status = 'delivered' "
         f"AND {delivered_month} GROUP BY 1", [ids, *delivered_params]),
        ("SELECT f.dealer_id, COUNT(*), COUNT(*) FILTER (WHERE f.status = 'reached' "
         "AND f.reached_on BETWEEN f.window_start AND f.window_end) FROM followups_followupcall f "
         "WHERE f.dealer_id = ANY(%s) AND f.kind = 'service' AND f.status <> 'not_contacted' "
         "AND f.window_end >= %s AND f.window_end < %s GROUP BY 1", [ids, month, next_month(month)]),
        (f"SELECT k.dealer_id, COUNT(*) FILTER (WHERE {received}), "  # noqa: S608
         f"COUNT(*) FILTER (WHERE {received} AND k.first_contact_at <= k.received_at + %s), "
         f"COUNT(*) FILTER (WHERE {closed}), "
         f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM k.closed_at - k.received_at "
         f"- k.time_on_hold) / 3600.0) FILTER (WHERE {closed}) "
         f"FROM complaints_complaint k WHERE k.dealer_id = ANY(%s) AND ({received} OR {closed}) GROUP BY 1",
         [*received_params, *received_params, timedelta(hours=complaint_policy.first_contact_hours),
          *closed_params, *closed_params, ids, *received_params, *closed_params]),
        ("SELECT s.dealer_id, i.section_id, SUM(s.points), SUM(i.max_points) FROM scoring_assessmentscore s "
         "JOIN scoring_assessment a ON a.id = s.assessment_id JOIN scoring_checklistitem i ON i.id = s.item_id "
         "JOIN scoring_checklisttemplate t ON t.id = a.template_id WHERE s.dealer_id = ANY(%s) AND a.month = %s "
         "AND NOT a.is_self_assessment AND a.status = 'submitted' AND t.kind = 'poe' AND NOT s.not_applicable "
         "GROUP BY 1, 2", [ids, month]),
    ]
    rows = 0
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            rows += len(cursor.fetchall())
    return rows


def _measure(network: Network, month: date, today: date, repeat: int) -> None:
    with tenant_scope(TenantScope.for_network(network.pk)):
        dealers = ranking_dealers(network)
        timings, cards, queries = _timed(repeat, lambda: scorecards_compute(network=network, month=month,
                                                                            dealers=dealers))
        statuses: dict[str, int] = defaultdict(int)
        for card in cards.values():
            statuses[card.status] += 1
        compute = _report("scorecards_compute (all dealers)", timings, queries,
                          f"{len(cards)} scorecards: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))

        def unpublish():
            Ranking.objects.filter(network=network, month=month).delete()

        timings, (ranking, _published), queries = _timed(
            repeat, lambda: ranking_publish(network=network, month=month, today=today), before=unpublish)
        entries = RankingEntry.objects.filter(ranking=ranking).count()
        publish = _report("ranking_publish (compute + snapshot)", timings, queries,
                          f"version {ranking.version} of {month:%Y-%m}, {entries} lines")

        # The ORM's scorecards beside the same figures in hand-written SQL, run alternately so both see the same
        # cache and the same neighbours on the machine.
        orm_timings, sql_timings, sql_rows, sql_queries, orm_queries = [], [], 0, 0, 0
        for _run in range(repeat):
            timings, _cards, orm_queries = _timed(
                1, lambda: scorecards_compute(network=network, month=month, dealers=dealers))
            orm_timings += timings
            timings, sql_rows, sql_queries = _timed(1, lambda: plain_sql_figures(network, month, dealers))
            sql_timings += timings
        orm = _report("scorecards_compute (alternating)", orm_timings, orm_queries, "")
        plain = _report("plain SQL GROUP BY per table", sql_timings, sql_queries, f"{sql_rows} grouped rows")

        zones = {dealer.time_zone for dealer in dealers}

        def scan() -> int:
            count = 0
            for _job in ServiceJob.objects.filter(local_month_q("arrived_at", month, zones)).iterator(chunk_size=5000):
                count += 1
            return count

        timings, scanned, queries = _timed(repeat, scan)
        full_scan = _report("full scan of the month's jobs", timings, queries,
                            f"{scanned} ServiceJob rows, every field, through the ORM")
    print(f"ratio: scorecards_compute / scan = {compute / full_scan:.2f}; ranking_publish / scan = "
          f"{publish / full_scan:.2f}; scorecards_compute / plain SQL = {orm / plain:.2f} (target ≤ 1.5)")


def main() -> int:
    arguments = _arguments()
    refusal = _database_ready()
    name = str(connection.settings_dict["NAME"])
    if refusal is None and "bench" not in name and not arguments.yes:
        refusal = (f"Refusing to write benchmark data into database {name!r}: point DATABASE_URL at a scratch "
                   "database whose name contains 'bench' (or pass --yes).")
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    settings.DEBUG = False  # measure as production runs: no query log kept by the debug cursor
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"database: PostgreSQL {version}, {name}")
    call_command("migrate", interactive=False, verbosity=0)
    if arguments.delete:
        _delete_bench_data()
        return 0
    today = date.today()
    month, history_today = _month_of_records(today)
    network = _bench_network() if arguments.keep else None
    if network is None:
        _delete_bench_data()
        print(f"building {arguments.dealers} dealers × about {arguments.jobs} jobs in {month:%Y-%m}:", flush=True)
        started = time.perf_counter()
        _build(dealers=arguments.dealers, jobs=arguments.jobs, seed=arguments.seed, month=month,
               history_today=history_today, workers=arguments.workers)
        print(f"build took {time.perf_counter() - started:.1f} s")
        network = _bench_network()
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have after a while
            cursor.execute("VACUUM ANALYZE")
    else:
        print(f"reusing the benchmark network {BENCH_NETWORK_SLUG} (--keep)")
    try:
        counts = _counts(network, month)
        print("rows: " + ", ".join(f"{count} {what}" for what, count in counts.items()))
        _measure(network, month, today, arguments.repeat)
    finally:
        if not arguments.keep:
            _delete_bench_data()
    return 0


if __name__ == "__main__":
    sys.exit(main())
