"""Time ``seed_demo``'s builder against the floor: an INSERT…SELECT of exactly the rows it just built.

    .venv/bin/python bench/bulk_build.py                         # 50 and 200 dealers, one month, 2 rounds
    .venv/bin/python bench/bulk_build.py --sizes 100 --rounds 3

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/dealer_portal_bench_bulk (PostgreSQL only: the
floor is measured with PostgreSQL's own INSERT…SELECT).

Each size runs in its own process (so its peak RSS is its own). A round: delete the demo networks (not
timed), build them with ``demo_network_build(dealers=N, months=1)`` (what ``seed_demo --dealers N --months 1``
runs; timed, with its commit), then the floor in one transaction: every row the build wrote (each table's
rows above the largest id it had before) is put aside in a temporary table and deleted (not timed), then
the same rows go back into the same tables with one ``INSERT INTO t SELECT * FROM aside`` per table and the
commit (timed). The audit (django-pghistory) triggers fire in both, the history tables are left to them.
Rounds alternate build and floor. Prints seconds, rows per table, the ratio (target ≤ 2×) and peak RSS.

Side effects: creates the database if missing and migrates it; leaves the demo networks of the last round.
Refuses a database whose name does not contain "bench".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "dealer_portal.settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dealer_portal_bench_bulk")

import django  # noqa: E402 - the settings module and database must be chosen first

django.setup()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection, connections, transaction  # noqa: E402

from dealer_portal.tenancy.scoping import unscoped  # noqa: E402
from demo.management.commands.seed_demo import Command as SeedDemo  # noqa: E402
from demo.network import demo_network_build  # noqa: E402


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200], help="dealers per run (default 50 200)")
    parser.add_argument("--rounds", type=int, default=2, help="build/floor rounds per size (default 2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process: one size
    return parser.parse_args()


def _database_ready() -> str | None:
    settings_dict = connection.settings_dict
    name = settings_dict["NAME"]
    if connection.vendor != "postgresql":
        return "The floor is PostgreSQL's INSERT…SELECT: set DATABASE_URL to a PostgreSQL database."
    if "bench" not in name:
        return f"Refusing database {name!r}: its name must contain 'bench'."
    try:
        connection.ensure_connection()
    except OperationalError:
        import psycopg

        admin = psycopg.connect(host=settings_dict["HOST"] or "127.0.0.1", port=settings_dict["PORT"] or 5432,
                                user=settings_dict["USER"], password=settings_dict["PASSWORD"] or None,
                                dbname="postgres", autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        admin.close()
    call_command("migrate", verbosity=0)
    return None


def _tables() -> list[tuple[str, str]]:
    """(table, primary-key column) of every model the build may write: integer keys, not the history
    tables (their triggers write those)."""
    import pghistory.models

    tables = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or issubclass(model, pghistory.models.Event | pghistory.models.Context):
            continue
        if meta.pk.get_internal_type() not in {"AutoField", "BigAutoField", "SmallAutoField"}:
            continue
        tables.append((meta.db_table, meta.pk.column))
    return sorted(set(tables))


def _high_water(tables) -> dict[str, int]:
    marks = {}
    with connection.cursor() as cursor:
        for table, pk in tables:
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table}"')  # noqa: S608 - model metadata
            marks[table] = cursor.fetchone()[0]
    return marks


def _build(dealers: int, seed: int) -> float:
    with unscoped():
        started = time.perf_counter()
        demo_network_build(seed=seed, dealers=dealers, months=1)
        return time.perf_counter() - started


def _floor(tables, before: dict[str, int]) -> tuple[float, dict[str, int]]:
    """The same rows into the same tables with INSERT…SELECT, triggers firing; returns seconds and rows."""
    rows: dict[str, int] = {}
    with connection.cursor() as cursor:
        with transaction.atomic():
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for table, pk in tables:
                cursor.execute(f'CREATE TEMP TABLE "aside_{table}" ON COMMIT DROP AS '  # noqa: S608
                               f'SELECT * FROM "{table}" WHERE "{pk}" > %s', [before[table]])
                cursor.execute(f'SELECT COUNT(*) FROM "aside_{table}"')  # noqa: S608
                if count := cursor.fetchone()[0]:
                    rows[table] = count
            for table, pk in reversed(tables):
                if table in rows:
                    cursor.execute(f'DELETE FROM "{table}" WHERE "{pk}" > %s', [before[table]])  # noqa: S608
            started = time.perf_counter()
            for table in rows:
                cursor.execute(f'INSERT INTO "{table}" SELECT * FROM "aside_{table}"')  # noqa: S608
        elapsed = time.perf_counter() - started  # the commit (deferred constraints checked) included
    return elapsed, rows


def _one(dealers: int, rounds: int, seed: int) -> dict:
    tables = _tables()
    builds, floors, rows = [], [], {}
    for _ in range(rounds):
        with unscoped():
            SeedDemo._delete_demo()  # noqa: SLF001 - seed_demo --reset's own deletion (not timed)
        before = _high_water(tables)
        builds.append(_build(dealers, seed))
        seconds, rows = _floor(tables, before)
        floors.append(seconds)
    return {"dealers": dealers, "builds": builds, "floors": floors, "rows": rows,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> int:
    arguments = _arguments()
    problem = _database_ready()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if arguments.one is not None:
        print(json.dumps(_one(arguments.one, arguments.rounds, arguments.seed)))
        return 0
    connections.close_all()
    results = []
    for size in arguments.sizes:
        command = [sys.executable, __file__, "--one", str(size), "--rounds", str(arguments.rounds),
                   "--seed", str(arguments.seed)]
        child = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - ourselves
        if child.returncode:
            print(child.stdout, child.stderr, file=sys.stderr)
            return child.returncode
        result = json.loads(child.stdout.strip().splitlines()[-1])
        results.append(result)
        build, floor = min(result["builds"]), min(result["floors"])
        print(f"\n{size} dealers, 1 month: {sum(result['rows'].values()):,} rows in {len(result['rows'])} tables")
        for table, count in sorted(result["rows"].items(), key=lambda item: -item[1]):
            print(f"  {table:<40} {count:>10,}")
        print(f"  build  {', '.join(f'{s:.1f}' for s in result['builds'])} s (best {build:.1f} s)")
        print(f"  floor  {', '.join(f'{s:.1f}' for s in result['floors'])} s (best {floor:.1f} s; INSERT…SELECT)")
        print(f"  ratio  {build / floor:.2f}× (target ≤ 2×)   peak RSS {result['peak_rss_mb']:.0f} MB")
    if len(results) > 1:
        print("\npeak RSS by size: " + ", ".join(f"{r['dealers']} dealers {r['peak_rss_mb']:.0f} MB" for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
