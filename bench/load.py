"""Load the pages of one big dealer over HTTP with wrk, against gunicorn with production settings.

    createdb -h 127.0.0.1 -U postgres dealer_portal_bench_load         # once
    .venv/bin/python bench/load.py                                      # 100,000 jobs, 2,000 neighbours
    .venv/bin/python bench/load.py --jobs 20000 --neighbours 200 --rounds 3 --duration 5 --keep
    .venv/bin/python bench/load.py --compare-neighbours                 # the big dealer without, then with

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/dealer_portal_bench_load; PostgreSQL only.

Side effects: migrates the database and writes the benchmark network ``bench-load`` (one big dealer built by
the demo's builders, two small template dealers, and ``--neighbours`` dealers cloned from the templates with
INSERT ... SELECT); runs collectstatic into staticfiles/; starts gunicorn (and stops it); creates sessions and
an API token for the benchmark users. The network is deleted at the end unless ``--keep``; a later ``--keep``
run reuses it. Refuses a database whose name does not contain "bench" unless --yes. Needs wrk
(``apt-get install -y wrk``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/dealer_portal_bench_load"
os.environ.setdefault("DATABASE_URL", BENCH_DATABASE_URL)
os.environ["DJANGO_SETTINGS_MODULE"] = "dealer_portal.settings"
# The sessions this process writes are checked by gunicorn's workers: both must share the secret key.
os.environ["DJANGO_SECRET_KEY"] = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50)

import django  # noqa: E402 - the settings module, database and key must be chosen first

django.setup()

import board_and_dashboard  # noqa: E402 - bench/ is on the path
from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from dealer_portal.tenancy.calendar import previous_month  # noqa: E402
from dealer_portal.tenancy.models import Dealer, DealerOwnedModel, Department, Membership, Network, Region, Role  # noqa: E402
from dealer_portal.tenancy.scoping import tenant_models, unscoped  # noqa: E402
from demo.calls import demo_calls_build  # noqa: E402
from scoring.models import Ranking, RankingEntry, ScoringPolicy  # noqa: E402
from scoring.services import kpi_defaults_install, ranking_publish  # noqa: E402
from servicejobs.models import PromiseCheck, ServiceJob  # noqa: E402

BENCH_NETWORK_SLUG = "bench-load"
BENCH_EMAIL_DOMAIN = "bench-load.invalid"
BIG_DEALER = "BLD-001"
TEMPLATE_PREFIX = "BLT-"
NEIGHBOUR_PREFIX = "BLN-"
FLOOR = "floor: login page (anonymous)"
LUA_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'BENCH-JSON {"requests": %d, "duration_us": %d, "bytes": %d, "non2xx": %d, "errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, summary.errors.status, errors,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000, help="service jobs at the big dealer (default 100000)")
    parser.add_argument("--complaints", type=int, default=5_000, help="complaints at the big dealer (default 5000)")
    parser.add_argument("--months", type=int, default=24, help="months of the big dealer's history (default 24)")
    parser.add_argument("--neighbours", type=int, default=2000,
                        help="dealers of the neighbour network, cloned from the templates (default 2000; 0: none)")
    parser.add_argument("--templates", type=int, default=2, help="template dealers built for real (default 2)")
    parser.add_argument("--neighbour-jobs", type=int, default=600,
                        help="service jobs of each template, hence of each neighbour (default 600)")
    parser.add_argument("--neighbour-months", type=int, default=3, help="months they spread over (default 3)")
    parser.add_argument("--compare-neighbours", action="store_true",
                        help="measure without the neighbours, add them, measure again and print the ratio")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of (floor, every page) (default 5)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3, as compose runs)")
    parser.add_argument("--only", action="append", help="measure only the pages whose name contains this")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generated data")
    parser.add_argument("--keep", action="store_true",
                        help="leave the benchmark network in the database, and reuse one left by an earlier run")
    parser.add_argument("--delete", action="store_true", help="only delete a benchmark network left by --keep")
    parser.add_argument("--yes", action="store_true", help="run even if the database name does not contain 'bench'")
    return parser.parse_args()


# --- the data ------------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _replica_mode():
    """Triggers off for this connection (foreign-key checks and the audit history's triggers): bulk copies and
    deletes of benchmark rows. PostgreSQL superuser only; the rows copied are consistent by construction."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")


def _bench_network() -> Network | None:
    with unscoped():
        return Network.objects.filter(slug=BENCH_NETWORK_SLUG).first()


def _dealer_tables() -> list[type[models.Model]]:
    """Every concrete dealer-owned model (DealerOwnedModel's subclasses), the tables neighbours are cloned into."""
    return [model for model in apps.get_models()
            if issubclass(model, DealerOwnedModel) and not model._meta.proxy and model._meta.managed]


def _delete_rows_of(dealer_ids: list[int]) -> None:
    """Side effects: deletes every dealer-owned row of ``dealer_ids`` and those dealers (triggers off)."""
    if not dealer_ids:
        return
    with _replica_mode(), connection.cursor() as cursor:
        for model in _dealer_tables():
            cursor.execute(f'DELETE FROM "{model._meta.db_table}" WHERE dealer_id = ANY(%s)', [dealer_ids])  # noqa: S608 - names from the models
        cursor.execute(f'DELETE FROM "{Membership._meta.db_table}" WHERE dealer_id = ANY(%s)', [dealer_ids])  # noqa: S608 - names from the models
        cursor.execute(f'DELETE FROM "{Dealer._meta.db_table}" WHERE id = ANY(%s)', [dealer_ids])  # noqa: S608 - names from the models


def _delete_bench_data() -> None:
    """Side effects: deletes the benchmark network, everything in it and its users."""
    started = time.perf_counter()
    with unscoped(), transaction.atomic():
        network = Network.objects.filter(slug=BENCH_NETWORK_SLUG).first()
        if network is None:
            return
        _delete_rows_of(list(Dealer.objects.filter(network=network).values_list("pk", flat=True)))
        with _replica_mode():  # every other row of the network, found by its path to the network
            RankingEntry.objects.filter(ranking__network=network)._raw_delete(connection.alias)  # not tenant-scoped
            for model in tenant_models():
                manager = model._default_manager
                if model in (Dealer, Region, Network):
                    continue
                path = f"{manager.dealer_path}__network" if manager.dealer_path is not None else manager.network_path
                model.objects.filter(**{path: network})._raw_delete(connection.alias)
        Membership.objects.filter(network=network).delete()
        Region.objects.filter(network=network).delete()
        Network.objects.filter(pk=network.pk).delete()
        User.objects.filter(email__endswith=f"@{BENCH_EMAIL_DOMAIN}").delete()
    print(f"deleted the benchmark network in {time.perf_counter() - started:.1f} s", flush=True)


def _users_build(network: Network, dealer: Dealer) -> None:
    """Side effects: one user per measured role (password unusable: they get sessions, not logins)."""
    people = [
        ("advisor", Role.SERVICE_ADVISOR, dealer, ""),
        ("rep", Role.CUSTOMER_REPRESENTATIVE, dealer, ""),
        ("manager", Role.DEALER_MANAGER, dealer, Department.SERVICE),
        ("hq", Role.HQ_ANALYST, None, ""),
    ]
    for name, role, at, department in people:
        user = User.objects.create(email=f"{name}@{BENCH_EMAIL_DOMAIN}", full_name=f"Bench {name}", password="!",
                                   language="es")
        Membership.objects.create(user=user, network=network, dealer=at, role=role, department=department)


def _base_build(*, jobs: int, complaints: int, months: int, templates: int, neighbour_jobs: int,
                neighbour_months: int, seed: int) -> None:
    """Side effects: the network, the big dealer, the template dealers, follow-up calls, KPIs and the users."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data, not secrets
    with unscoped(), transaction.atomic():
        network = Network.objects.create(slug=BENCH_NETWORK_SLUG, name="Benchmark Load Motors",
                                         time_zone="America/Mexico_City")
        region = Region.objects.create(network=network, code="BLD", name="Benchmark")
        kpi_defaults_install(network=network)
        ScoringPolicy.objects.get_or_create(network=network)
        big, big_advisors, big_customers = board_and_dashboard.dealer_build(
            rng=rng, network=network, region=region, code=BIG_DEALER, name="Benchmark Carga Centro", jobs=jobs,
            months=months, complaints=complaints, email_domain=BENCH_EMAIL_DOMAIN)
        built = [(big, big_advisors, big_customers)]
        for n in range(1, templates + 1):
            built.append(board_and_dashboard.dealer_build(
                rng=rng, network=network, region=region, code=f"{TEMPLATE_PREFIX}{n:03d}", name=f"Plantilla {n}",
                jobs=neighbour_jobs, months=neighbour_months, complaints=max(5, neighbour_jobs // 20),
                email_domain=BENCH_EMAIL_DOMAIN, advisor_count=2))
        Dealer.objects.filter(network=network).update(created_at=timezone.now() - timedelta(days=31 * (months + 1)))
        _users_build(network, big)
        staff = {dealer.pk: {Role.SERVICE_ADVISOR: advisors,
                             Role.CUSTOMER_REPRESENTATIVE: [User.objects.get(email=f"rep@{BENCH_EMAIL_DOMAIN}")]}
                 for dealer, advisors, _customers in built}
        dealers = [dealer for dealer, _advisors, _customers in built]
        calls = demo_calls_build(rng=rng, dealers=dealers, customers_by_dealer={
            dealer.pk: customers for dealer, _advisors, customers in built}, staff_by_dealer=staff,
            complaints_for=set())
        print(f"built {calls} follow-up calls", flush=True)


def _neighbours(network: Network) -> list[int]:
    with unscoped():
        return list(Dealer.objects.filter(network=network, code__startswith=NEIGHBOUR_PREFIX).values_list("pk",
                                                                                                           flat=True))


def _clone_value(field: models.Field, column: str, mapping: dict[type, tuple[int, int, int]]) -> str:
    """The SQL expression giving ``field`` of the copy made for neighbour ``n.k`` (in ``n``: k, dealer_id)."""
    quoted = f'src."{column}"'
    if field.name == "dealer":
        return "n.dealer_id"
    target = field.related_model if field.is_relation and field.many_to_one or field.one_to_one else None
    if field.primary_key and not field.is_relation:
        target = field.model
    if target is not None and target in mapping:
        low, span, base = mapping[target]
        return f"({base} + (n.k - 1) * {span} + ({quoted} - {low}))"
    if field.unique and isinstance(field, models.CharField):
        return f"left({quoted}, {field.max_length - 8}) || '~' || n.k::text"
    if field.unique and isinstance(field, models.UUIDField):
        return "gen_random_uuid()"
    return quoted


def _neighbours_build(network: Network, count: int) -> None:
    """Side effects: ``count`` neighbour dealers, each a copy of one template dealer's rows (INSERT ... SELECT).

    Every dealer-owned table is copied once for all neighbours: neighbour k gets the rows of template
    (k mod templates) with its own dealer id and ids shifted into a block of its own (id - lowest + base +
    (k - 1) * span, the same shift for the foreign keys pointing into a copied table), globally unique text
    columns suffixed with ~k. Triggers are off meanwhile (no audit history of the copies, no per-row checks).
    """
    started = time.perf_counter()
    with unscoped(), transaction.atomic():
        templates = list(Dealer.objects.filter(network=network, code__startswith=TEMPLATE_PREFIX).order_by("code"))
        if not templates or count <= 0:
            return
        region = Region.objects.filter(network=network).first()
        created = Dealer.objects.bulk_create([
            Dealer(network=network, region=region, code=f"{NEIGHBOUR_PREFIX}{k:05d}", name=f"Vecino {k:05d}",
                   city="Ciudad", time_zone=templates[k % len(templates)].time_zone)
            for k in range(1, count + 1)], batch_size=5000)
        Dealer.objects.filter(pk__in=[dealer.pk for dealer in created]).update(
            created_at=templates[0].created_at)
        template_ids = [template.pk for template in templates]
        tables = _dealer_tables()
        mapping: dict[type, tuple[int, int, int]] = {}
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_neighbour (k integer, template_id bigint, dealer_id bigint) "
                           "ON COMMIT DROP")
            cursor.executemany("INSERT INTO bench_neighbour VALUES (%s, %s, %s)",
                               [(k, template_ids[k % len(template_ids)], dealer.pk)
                                for k, dealer in enumerate(created, start=1)])
            for model in tables:
                pk = model._meta.pk
                if pk.is_relation:
                    continue
                table = model._meta.db_table
                cursor.execute(f'SELECT min("{pk.column}"), max("{pk.column}") FROM "{table}" '  # noqa: S608 - names from the models
                               f'WHERE dealer_id = ANY(%s)', [template_ids])
                low, high = cursor.fetchone()
                cursor.execute(f'SELECT coalesce(max("{pk.column}"), 0) FROM "{table}"')  # noqa: S608 - names from the models
                top = cursor.fetchone()[0]
                if low is not None:
                    mapping[model] = (low, high - low + 1, top + 1)
        with _replica_mode(), connection.cursor() as cursor:
            for model in tables:
                if model not in mapping and not model._meta.pk.is_relation:
                    continue
                fields = list(model._meta.concrete_fields)
                columns = ", ".join(f'"{field.column}"' for field in fields)
                values = ", ".join(_clone_value(field, field.column, mapping) for field in fields)
                table = model._meta.db_table
                step = time.perf_counter()
                cursor.execute(f'INSERT INTO "{table}" ({columns}) SELECT {values} FROM "{table}" src '  # noqa: S608 - names from the models
                               f'JOIN bench_neighbour n ON src.dealer_id = n.template_id')
                rows = cursor.rowcount
                if not model._meta.pk.is_relation:
                    cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), "  # noqa: S608 - names from the models
                                   f'(SELECT max("{model._meta.pk.column}") FROM "{table}"))',
                                   [table, model._meta.pk.column])
                if rows:
                    print(f"    {rows:>10} rows into {table} in {time.perf_counter() - step:.1f} s", flush=True)
    print(f"built {count} neighbours by INSERT ... SELECT in {time.perf_counter() - started:.1f} s", flush=True)


def _ranking_republish(network: Network) -> None:
    """Side effects: publishes last month's ranking of the network afresh (it covers whichever dealers exist)."""
    started = time.perf_counter()
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(network.time_zone))
    month = previous_month(today)
    with unscoped():
        Ranking.objects.filter(network=network, month=month).delete()
        ranking, _published = ranking_publish(network=network, month=month, today=today)
    print(f"published the ranking of {month:%Y-%m} in {time.perf_counter() - started:.1f} s", flush=True)


def _analyze() -> None:
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would have after a while
        cursor.execute("ANALYZE")


def _counts(network: Network) -> str:
    with unscoped():
        big = Dealer.objects.get(network=network, code=BIG_DEALER)
        return (f"big dealer: {ServiceJob.objects.filter(dealer=big).count()} jobs, "
                f"{PromiseCheck.objects.filter(dealer=big).count()} promise checks; network: "
                f"{Dealer.objects.filter(network=network).count()} dealers, "
                f"{ServiceJob.objects.filter(dealer__network=network).count()} jobs, "
                f"{PromiseCheck.objects.filter(dealer__network=network).count()} promise checks")


# --- the server and the sessions -----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _second_factor_ensure(user: User) -> None:
    """HQ signs in with a second factor once allauth.mfa is installed: give the user a TOTP authenticator (if it
    has none), so that its session is the one a completed second factor leaves (``_session_for``)."""
    if not apps.is_installed("allauth.mfa"):
        return
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())


def _session_for(user: User) -> str:
    """A signed-in session for ``user``, as a password login (and, with allauth.mfa and an authenticator,
    its second factor) would leave it; returns the session key."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    records = [{"method": "password", "at": time.time(), "email": user.email}]
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.models import Authenticator

        authenticator = Authenticator.objects.filter(user=user).exclude(type="recovery_codes").first()
        if authenticator is not None:  # what allauth.mfa's flows record after the second factor
            records.append({"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": authenticator.type})
    store["account_authentication_methods"] = records
    store["account_authentication_methods_user"] = str(user.pk)
    store.create()
    return store.session_key


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path


def _production_env() -> dict[str, str]:
    """Production settings as docker-compose.yml gives them (bin/smoke.py does the same), on plain HTTP."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": os.environ["DJANGO_SECRET_KEY"],
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_SECURE_SSL_REDIRECT": "false",
                "DATABASE_URL": os.environ["DATABASE_URL"]})
    return env


def _server_start(workers: int) -> Server:
    port = _free_port()
    log = Path(tempfile.mkstemp(prefix="bench-load-gunicorn-", suffix=".log")[1])
    env = _production_env()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [str(gunicorn), "dealer_portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--log-file", str(log)]
    print("$ " + " ".join(command), flush=True)
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603 - our command
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            status, _size = _get(port, "/accounts/login/", {})
            if status == 200:
                return Server(process=process, port=port, log=log)
        if process.poll() is not None:
            break
        time.sleep(0.5)
    _server_stop(Server(process=process, port=port, log=log))
    raise SystemExit(f"gunicorn did not answer within 60 s; its log:\n{log.read_text()[-3000:]}")


def _server_stop(server: Server) -> None:
    if server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, int]:
    client = HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        client.request("GET", path, headers=headers)
        response = client.getresponse()
        return response.status, len(response.read())
    finally:
        client.close()


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    headers: dict[str, str]


def _pages(network: Network, *, only: list[str] | None) -> list[Page]:
    """The measured pages, each with the session of the role that uses it."""
    today = timezone.localdate(timezone=Dealer.objects.get(network=network, code=BIG_DEALER).zone)
    sessions = {}
    with unscoped():
        for name in ("advisor", "rep", "manager", "hq"):
            user = User.objects.get(email=f"{name}@{BENCH_EMAIL_DOMAIN}")
            if name == "hq":
                _second_factor_ensure(user)
            sessions[name] = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={_session_for(user)}"}
    dealer = f"/n/{BENCH_NETWORK_SLUG}/d/{BIG_DEALER}"
    year_ago = (today - timedelta(days=364)).isoformat()
    pages = [
        Page(FLOOR, "/accounts/login/", {}),
        Page("advisor board", f"{dealer}/jobs/", sessions["advisor"]),
        Page("complaint queue", f"{dealer}/complaints/", sessions["rep"]),
        Page("call list", f"{dealer}/calls/", sessions["rep"]),
        Page("promise dashboard, 4 weeks", f"{dealer}/promises/", sessions["manager"]),
        Page("promise dashboard, 12 months", f"{dealer}/promises/?start={year_ago}&end={today.isoformat()}",
             sessions["manager"]),
        Page("dealer scorecard", f"{dealer}/scorecard/", sessions["manager"]),
        Page("HQ ranking", f"/n/{BENCH_NETWORK_SLUG}/ranking/", sessions["hq"]),
        Page("dealer's view of the ranking", f"{dealer}/ranking/", sessions["manager"]),
        Page("API jobs", "/api/v1/jobs/", sessions["manager"]),
        Page("API complaints", "/api/v1/complaints/", sessions["manager"]),
        Page("API follow-ups", "/api/v1/followups/", sessions["manager"]),
    ]
    if only:
        pages = [page for page in pages if page.name == FLOOR or any(part in page.name for part in only)]
    return pages


# --- wrk -----------------------------------------------------------------------------------------------------------

def _wrk(port: int, page: Page, arguments: argparse.Namespace, script: Path) -> dict:
    command = ["wrk", "--latency", "-t", str(arguments.threads), "-c", str(arguments.connections),
               "-d", f"{arguments.duration}s", "--timeout", "60s", "-s", str(script)]
    for header, value in page.headers.items():
        command += ["-H", f"{header}: {value}"]
    command.append(f"http://127.0.0.1:{port}{page.path}")
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our command
    # wrk closes its connections at the end, but gunicorn's workers still answer the requests they had
    # accepted: wait for them (a few serial floor requests) so that the next run starts on an idle server.
    for _ in range(2 * arguments.workers):
        _get(port, "/accounts/login/", {})
    for line in result.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            figures = json.loads(line.removeprefix("BENCH-JSON "))
            figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
            if not figures["requests"]:
                print(f"  ! {page.name}: no answer within the run's {arguments.duration} s: give a longer --duration",
                      flush=True)
            return figures
    raise SystemExit(f"wrk gave no figures for {page.path}:\n{result.stdout}\n{result.stderr}")


def _check_pages(port: int, pages: list[Page]) -> None:
    """Each page answers 200 once before it is loaded: a 302 to the login or a 403 would measure nothing."""
    for page in pages:
        started = time.perf_counter()
        status, size = _get(port, page.path, page.headers)
        print(f"  {status} {size:>8} bytes {time.perf_counter() - started:6.2f} s  {page.name}: {page.path}",
              flush=True)
        if status != 200:
            raise SystemExit(f"{page.name} ({page.path}) answered {status}, not 200")


def _measure(port: int, pages: list[Page], arguments: argparse.Namespace, label: str) -> dict[str, dict]:
    """Round by round: the floor, then every page; returns per page the medians over the rounds."""
    script = Path(tempfile.mkstemp(prefix="bench-load-", suffix=".lua")[1])
    script.write_text(LUA_REPORT)
    rounds: dict[str, list[dict]] = {page.name: [] for page in pages}
    try:
        for number in range(1, arguments.rounds + 1):
            floor = None
            for page in pages:
                figures = _wrk(port, page, arguments, script)
                if page.name == FLOOR:
                    floor = figures
                figures["p50_ratio"] = figures["p50_us"] / max(1, floor["p50_us"])
                figures["p99_ratio"] = figures["p99_us"] / max(1, floor["p99_us"])
                rounds[page.name].append(figures)
                if figures["non2xx"] or figures["errors"]:
                    print(f"  ! {page.name}: {figures['non2xx']} non-2xx answers, {figures['errors']} socket errors",
                          flush=True)
            print(f"  {label}: round {number}/{arguments.rounds} done", flush=True)
    finally:
        script.unlink()
    summary = {}
    for name, runs in rounds.items():
        summary[name] = {key: statistics.median(run[key] for run in runs)
                         for key in ("rps", "p50_us", "p99_us", "p50_ratio", "p99_ratio")}
        summary[name]["bytes"] = statistics.median(run["bytes"] / max(1, run["requests"]) for run in runs)
    return summary


def _print_table(summary: dict[str, dict], title: str) -> None:
    print(f"\n{title}\n")
    print("| page | requests/s | p50 | p99 | bytes/response | p50 / floor | p99 / floor |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, row in summary.items():
        print(f"| {name} | {row['rps']:.1f} | {row['p50_us'] / 1000:.1f} ms | {row['p99_us'] / 1000:.1f} ms | "
              f"{row['bytes']:,.0f} | {row['p50_ratio']:.1f}× | {row['p99_ratio']:.1f}× |")


def _print_comparison(without: dict[str, dict], with_: dict[str, dict]) -> None:
    """The raw ratios, and the ratios of each page's multiple of its round's floor: the phases run one after
    the other, so a machine that got busier in between shows in the floor too, and the second pair removes it."""
    print("\nthe big dealer's pages with the neighbours / without (target ≤ 1.2×)\n")
    print("| page | p50 with / without | p99 with / without | requests/s with / without "
          "| p50 / floor, with / without | p99 / floor, with / without |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in without:
        before, after = without[name], with_[name]
        print(f"| {name} | {after['p50_us'] / max(1, before['p50_us']):.2f}× | "
              f"{after['p99_us'] / max(1, before['p99_us']):.2f}× | "
              f"{after['rps'] / max(1e-9, before['rps']):.2f}× | "
              f"{after['p50_ratio'] / max(1e-9, before['p50_ratio']):.2f}× | "
              f"{after['p99_ratio'] / max(1e-9, before['p99_ratio']):.2f}× |")


# --- main ----------------------------------------------------------------------------------------------------------

def _refusal(arguments: argparse.Namespace) -> str | None:
    if shutil.which("wrk") is None:
        return "wrk is not installed: apt-get install -y wrk (Debian/Ubuntu), or brew install wrk."
    if connection.vendor != "postgresql":
        return f"The load benchmark runs on PostgreSQL, not {connection.vendor} (DATABASE_URL={BENCH_DATABASE_URL})."
    name = str(connection.settings_dict["NAME"])
    if "bench" not in name and not arguments.yes:
        return (f"Refusing to write benchmark data into database {name!r}: point DATABASE_URL at a scratch "
                "database whose name contains 'bench' (or pass --yes).")
    return None


def _run_phase(network: Network, arguments: argparse.Namespace, label: str) -> dict[str, dict]:
    print(f"\n== {label}: {_counts(network)}", flush=True)
    server = _server_start(arguments.workers)
    try:
        pages = _pages(network, only=arguments.only)
        _check_pages(server.port, pages)
        return _measure(server.port, pages, arguments, label)
    finally:
        _server_stop(server)


def main() -> int:
    arguments = _arguments()
    refusal = _refusal(arguments)
    if refusal:
        print(refusal, file=sys.stderr)
        return 2
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; database: PostgreSQL {version}, "
          f"{connection.settings_dict['NAME']}; {os.cpu_count()} CPUs", flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    if arguments.delete:
        _delete_bench_data()
        return 0
    # What whitenoise serves without DEBUG: the hashed names and their manifest, collected as production does.
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT,  # noqa: S603
                   env=_production_env(), check=True)
    network = reused = _bench_network() if arguments.keep else None
    started = time.perf_counter()
    if network is None:
        _delete_bench_data()
        _base_build(jobs=arguments.jobs, complaints=arguments.complaints, months=arguments.months,
                    templates=arguments.templates, neighbour_jobs=arguments.neighbour_jobs,
                    neighbour_months=arguments.neighbour_months, seed=arguments.seed)
        network = _bench_network()
        print(f"base build took {time.perf_counter() - started:.1f} s", flush=True)
    else:
        print(f"reusing the benchmark network {BENCH_NETWORK_SLUG} (--keep)", flush=True)
    options = (f"{'--jobs ' + str(arguments.jobs) if reused is None else 'a reused --keep network'}, "
               f"--neighbours {arguments.neighbours} --rounds {arguments.rounds} "
               f"--duration {arguments.duration} --connections {arguments.connections} --threads "
               f"{arguments.threads} --workers {arguments.workers}")
    try:
        with unscoped():
            neighbours = _neighbours(network)
        if arguments.compare_neighbours:
            with unscoped(), transaction.atomic():
                _delete_rows_of(neighbours)
            _ranking_republish(network)
            _analyze()
            without = _run_phase(network, arguments, "without the neighbours")
            _neighbours_build(network, arguments.neighbours)
            _ranking_republish(network)
            _analyze()
            with_ = _run_phase(network, arguments, f"with {arguments.neighbours} neighbours")
            _print_table(without, f"without the neighbours ({options})")
            _print_table(with_, f"with {arguments.neighbours} neighbours ({options})")
            _print_comparison(without, with_)
        else:
            if len(neighbours) != arguments.neighbours:
                with unscoped(), transaction.atomic():
                    _delete_rows_of(neighbours)
                _neighbours_build(network, arguments.neighbours)
                _ranking_republish(network)
                _analyze()
            elif not Ranking.objects.filter(network=network).exists():
                _ranking_republish(network)
            summary = _run_phase(network, arguments, "measuring")
            _print_table(summary, f"{_counts(network)} ({options})")
    finally:
        if not arguments.keep:
            _delete_bench_data()
    return 0


if __name__ == "__main__":
    with unscoped():  # a benchmark over every tenant's rows: the builders and counts say so once, here
        sys.exit(main())
