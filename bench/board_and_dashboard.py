"""Time the advisor's board and the promise dashboard on one dealer with many jobs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dealer_portal_bench \\
        .venv/bin/python bench/board_and_dashboard.py --jobs 100000

Side effects: migrates the database DATABASE_URL names, writes one benchmark network (a dealer with
``--jobs`` service jobs and their promise checks, built by the demo's job builder) and deletes it again
at the end (``--keep`` leaves it). Refuses a database whose name does not contain "bench" unless --yes.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "dealer_portal.settings"

import django  # noqa: E402 - the settings module must be chosen first

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from complaints.models import (  # noqa: E402
    CLOSED_STATES,
    Complaint,
    ComplaintCategory,
    ComplaintPolicy,
    ComplaintState,
    StandardAnswer,
    TimelineEntry,
)
from complaints.selectors import complaint_dashboard, complaint_queue  # noqa: E402
from complaints.services import network_taxonomy_install  # noqa: E402
from customers.models import Customer, Vehicle  # noqa: E402
from dealer_portal.tenancy.models import Dealer, Network, Region  # noqa: E402
from dealer_portal.tenancy.scoping import TenantScope, tenant_scope, unscoped  # noqa: E402
from demo.jobs import demo_jobs_build  # noqa: E402
from servicejobs.dashboard import promise_dashboard  # noqa: E402
from servicejobs.models import PromiseCheck, PromisedTimeChange, SalesHandover, ServiceJob  # noqa: E402
from servicejobs.selectors import advisor_board  # noqa: E402

BENCH_NETWORK_SLUG = "bench-board-and-dashboard"
BENCH_EMAIL_DOMAIN = "bench.invalid"


@dataclass(frozen=True)
class BenchContext:
    """What a measured function may need; it runs inside the dealer's tenant scope and time zone."""

    dealer: Dealer
    today: date


# What is measured, by name. Each callable must do all its queries itself (evaluate querysets) and
# runs inside tenant_scope(TenantScope.for_dealer(dealer)) with timezone.override(dealer.zone).
def _queue_first_page(context: BenchContext):
    policy = ComplaintPolicy.objects.for_network(context.dealer.network)
    queue = complaint_queue(policy=policy, view="all")
    return {"count": queue.count(), "page": list(queue[:50])}


MEASUREMENTS: dict[str, Callable[[BenchContext], object]] = {
    "advisor_board": lambda ctx: advisor_board(),
    "promise_dashboard_4_weeks": lambda ctx: promise_dashboard(start=ctx.today - timedelta(days=27), end=ctx.today),
    "promise_dashboard_1_year": lambda ctx: promise_dashboard(start=ctx.today - timedelta(days=365), end=ctx.today),
    "complaint_queue_page": _queue_first_page,
    "complaint_figures_6_months":
        lambda ctx: complaint_dashboard(policy=ComplaintPolicy.objects.for_network(ctx.dealer.network)),
}


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000, help="service jobs at the one dealer (default 100000)")
    parser.add_argument("--complaints", type=int, default=5_000, help="complaints at the dealer (default 5000)")
    parser.add_argument("--months", type=int, default=24, help="months of history they spread over (default 24)")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per measurement; the median is reported")
    parser.add_argument("--only", action="append", choices=sorted(MEASUREMENTS), help="measure only this (repeatable)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generated data")
    parser.add_argument("--keep", action="store_true", help="leave the benchmark data in the database")
    parser.add_argument("--yes", action="store_true", help="run even if the database name does not contain 'bench'")
    return parser.parse_args()


def _database_label() -> tuple[str, str]:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        name = Path(name).name
    return connection.vendor, name


def _delete_bench_data() -> None:
    """Side effects: deletes the benchmark network and everything in it (leftovers of a run that crashed too)."""
    with unscoped(), transaction.atomic():
        dealers = Dealer.objects.filter(network__slug=BENCH_NETWORK_SLUG)
        for model in (TimelineEntry, Complaint, PromiseCheck, PromisedTimeChange, ServiceJob, SalesHandover, Vehicle,
                      Customer):
            model.objects.filter(dealer__in=dealers).delete()
        StandardAnswer.objects.filter(network__slug=BENCH_NETWORK_SLUG).delete()
        ComplaintCategory.objects.filter(network__slug=BENCH_NETWORK_SLUG, parent__isnull=False).delete()
        ComplaintCategory.objects.filter(network__slug=BENCH_NETWORK_SLUG).delete()
        dealers.delete()
        Region.objects.filter(network__slug=BENCH_NETWORK_SLUG).delete()
        Network.objects.filter(slug=BENCH_NETWORK_SLUG).delete()
        User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}").delete()


def _complaints_build(*, rng: random.Random, dealer: Dealer, customers: list, count: int, months: int) -> int:
    """Side effects: ``count`` complaints at ``dealer`` in every state, over ``months``, with their first entry."""
    network_taxonomy_install(network=dealer.network)
    leaves = list(ComplaintCategory.objects.filter(network=dealer.network, parent__isnull=False))
    now = timezone.now()
    states = ComplaintState.values
    complaints = []
    for sequence in range(1, count + 1):
        received = now - timedelta(minutes=rng.randint(0, months * 30 * 24 * 60))
        state = rng.choice(states)
        complaints.append(Complaint(
            dealer=dealer, sequence=sequence, reference=f"{dealer.code}-{received.year}-{sequence:05d}",
            customer=rng.choice(customers), department=rng.choice(["service", "sales", "parts", "other"]),
            category=rng.choice(leaves), channel="phone", words="Queja de prueba", received_at=received,
            state=state, closed_at=received + timedelta(hours=rng.randint(2, 200)) if state in CLOSED_STATES else None))
    created = Complaint.objects.bulk_create(complaints, batch_size=2000)
    TimelineEntry.objects.bulk_create([
        TimelineEntry(dealer=dealer, complaint=complaint, kind="state", at=complaint.received_at, body=complaint.words,
                      to_state="new") for complaint in created], batch_size=2000)
    return len(created)


def _build(*, jobs: int, months: int, seed: int, complaints: int = 5000) -> BenchContext:
    """Side effects: writes one network, region and dealer with advisors, customers, vehicles and ``jobs`` jobs."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
    with unscoped(), transaction.atomic():
        network = Network.objects.create(slug=BENCH_NETWORK_SLUG, name="Benchmark Motors",
                                         time_zone="America/Mexico_City")
        region = Region.objects.create(network=network, code="BEN", name="Benchmark")
        dealer, _advisors, _customers = dealer_build(
            rng=rng, network=network, region=region, code="BEN-001", name="Benchmark Centro", jobs=jobs,
            months=months, complaints=complaints, email_domain=BENCH_EMAIL_DOMAIN)
    return BenchContext(dealer=dealer, today=timezone.localdate(timezone=dealer.zone))


def dealer_build(*, rng: random.Random, network: Network, region: Region, code: str, name: str, jobs: int,
                 months: int, complaints: int, email_domain: str, advisor_count: int = 6):
    """Side effects: writes one dealer of ``network`` with advisors, customers, vehicles, ``jobs`` jobs (the demo's
    job builder) over ``months`` and ``complaints`` complaints; returns (dealer, advisors, customers). Must run
    inside ``unscoped()`` (bench/load.py builds its dealers with it too)."""
    dealer = Dealer.objects.create(network=network, region=region, code=code, name=name,
                                   city="Ciudad de México", time_zone="America/Mexico_City")
    today = timezone.localdate(timezone=dealer.zone)
    prefix = code.lower()
    advisors = User.objects.bulk_create([
        User(email=f"advisor{n}.{prefix}@{email_domain}", full_name=f"Asesor {n}", password="!", language="es")
        for n in range(1, advisor_count + 1)])
    # About ten visits per car over the period, as at a busy dealer.
    customers = Customer.objects.bulk_create([
        Customer(dealer=dealer, name=f"Cliente {n:06d}", phone=f"+5255{n:08d}", language="es")
        for n in range(max(50, jobs // 12))], batch_size=2000)
    vin_prefix = "".join(character for character in code.upper() if character.isalnum())[-6:]
    vehicles = Vehicle.objects.bulk_create([
        Vehicle(dealer=dealer, customer=customer, vin=f"3{vin_prefix}{n:0{16 - len(vin_prefix)}d}",
                plate=f"B{n:07d}", make="Aurora", model="Lince",
                handover_date=today - timedelta(days=rng.randint(30 * months, 30 * months + 1500)))
        for n, customer in enumerate(customers)], batch_size=2000)
    vehicles_by_customer = {vehicle.customer_id: [vehicle] for vehicle in vehicles}
    built = demo_jobs_build(rng=rng, dealers=[dealer], advisors_by_dealer={dealer.pk: advisors},
                            customers_by_dealer={dealer.pk: customers}, vehicles_by_customer=vehicles_by_customer,
                            months=months, today=today, jobs_per_dealer_per_month=math.ceil(jobs / months))
    built_complaints = _complaints_build(rng=rng, dealer=dealer, customers=customers, count=complaints,
                                         months=months)
    print(f"built {built} jobs and {built_complaints} complaints at {dealer.code} over {months} months "
          f"(today {today})", flush=True)
    return dealer, advisors, customers


def _measure(name: str, function: Callable[[BenchContext], object], context: BenchContext, repeat: int) -> None:
    dealer = context.dealer
    with tenant_scope(TenantScope.for_dealer(dealer)), timezone.override(dealer.zone):
        function(context)  # warm-up: connection, caches, the database's buffers
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            function(context)
            timings.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            result = function(context)
    print(f"{name:<24} median {statistics.median(timings) * 1000:9.1f} ms   min {min(timings) * 1000:9.1f} ms   "
          f"max {max(timings) * 1000:9.1f} ms   queries {len(queries.captured_queries):3d}   {_describe(result)}")


def _describe(result: object) -> str:
    sizes = {key: len(value) for key, value in vars(result).items() if isinstance(value, list)} \
        if hasattr(result, "__dict__") else {}
    return ", ".join(f"{key} {size}" for key, size in sizes.items())


def main() -> int:
    arguments = _arguments()
    vendor, name = _database_label()
    if "bench" not in name and not arguments.yes:
        print(f"Refusing to write benchmark data into {vendor} database {name!r}: point DATABASE_URL at a scratch "
              "database whose name contains 'bench' (or pass --yes).", file=sys.stderr)
        return 2
    # Measure as production runs: no query log kept by the debug cursor.
    settings.DEBUG = False
    print(f"database: {vendor} {name}")
    call_command("migrate", interactive=False, verbosity=0)
    _delete_bench_data()
    started = time.perf_counter()
    context = _build(jobs=arguments.jobs, months=arguments.months, seed=arguments.seed,
                     complaints=arguments.complaints)
    print(f"build took {time.perf_counter() - started:.1f} s")
    with unscoped():
        print(f"rows: {ServiceJob.objects.filter(dealer=context.dealer).count()} jobs, "
              f"{PromiseCheck.objects.filter(dealer=context.dealer).count()} promise checks")
    if vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have after a while
            cursor.execute("ANALYZE")
    try:
        for measured in arguments.only or list(MEASUREMENTS):
            _measure(measured, MEASUREMENTS[measured], context, arguments.repeat)
    finally:
        if not arguments.keep:
            _delete_bench_data()
    return 0


if __name__ == "__main__":
    sys.exit(main())
