"""The production smoke test: the image's build, then the stack compose starts, then a visit over HTTP.

With production settings (DJANGO_DEBUG=false, a generated secret key) on a fresh PostgreSQL database and
its own Redis database, in this order:

1. bin/build (the Dockerfile's build commands: pip install . into .venv-prod, collectstatic);
2. migrations and a small demo network, with compose's own commands;
3. gunicorn, a Celery worker and beat, started with the commands in docker-compose.yml (only the bind
   address and beat's schedule file change, so that this runs beside other work on one machine);
4. the login page and every static file the visited pages link answer 200, each role logs in and sees
   one of its pages, /healthz is healthy and reports the beat-scheduled heartbeat as run by the worker;
5. everything is stopped, also on failure, when the last lines of each server's log are printed.

Run it with the dev venv's Python (bin/smoke does); the servers run from .venv-prod, without the dev extra.
"""

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import psycopg
import pyotp
import redis
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from demo.second_factors import DEMO_TOTP_SECRETS  # noqa: E402  (no Django in it: the secrets only)

PRODUCTION_VENV = ROOT / ".venv-prod"
POSTGRES_SERVER = os.environ.get("SMOKE_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DATABASE_NAME = os.environ.get("SMOKE_DATABASE", "dealer_portal_smoke")
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/13")
DEMO_PASSWORD = "demo-pass-2026"
SERVER_START_SECONDS = 45
SCHEDULER_WAIT_SECONDS = 90
# One page per role, as the demo (README.md, "Demo accounts") builds them; the scorecard draws with Chart.js.
ROLE_PAGES = {
    "advisor@demo.test": ["/n/aurora-mx/d/NTE-001/jobs/"],
    "rep@demo.test": ["/n/aurora-mx/d/NTE-001/complaints/"],
    "hq@demo.test": ["/n/aurora-mx/ranking/", "/n/aurora-mx/d/NTE-001/scorecard/"],
    "admin@demo.test": ["/n/aurora-mx/invitations/"],
}
OPERATOR_EMAIL = "superuser@demo.test"  # staff: sees /healthz's details
HEARTBEAT_TASK = "dealer_portal.tenancy.tasks.scheduler_heartbeat"
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.\w+$")  # what the manifest storage serves: name.<hash>.ext


class SmokeFailure(Exception):
    pass


def step(title: str) -> None:
    print(f"\n== smoke: {title}", flush=True)


def run(command: list[str], env: dict) -> None:
    print("   $", " ".join(command), flush=True)
    # The commands are ours: docker-compose.yml's and bin/build.
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        output = _tail(result.stdout + result.stderr)
        raise SmokeFailure(f"{' '.join(command)} exited with {result.returncode}:\n{output}")


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


# --- what compose runs ---------------------------------------------------------------------------------------------

def compose_commands() -> dict[str, list[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {name: services[name]["command"] for name in ("migrate", "web", "worker", "beat")}


def _replace_option(command: list[str], option: str, value: str) -> list[str]:
    if option not in command:
        raise SmokeFailure(f"compose's command {command} has no {option}: update bin/smoke.py with it")
    index = command.index(option) + 1
    return [*command[:index], value, *command[index + 1:]]


def production_env(media_root: Path) -> dict:
    """Compose's app environment for this machine: the production venv first on PATH, like the image's Python."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "CELERY_", "DATABASE_", "REDIS_", "VIRTUAL_ENV"))}
    env.update({
        "PATH": f"{PRODUCTION_VENV / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "DATABASE_URL": f"{POSTGRES_SERVER}/{DATABASE_NAME}",
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",  # no mail server here
        "MEDIA_ROOT": str(media_root),
        "DEMO_PASSWORD": DEMO_PASSWORD,
    })
    return env


def fresh_database_and_redis() -> None:
    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE_NAME}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    redis.Redis.from_url(REDIS_URL).flushdb()  # this database number only


# --- the servers ---------------------------------------------------------------------------------------------------

class Server:
    """One compose service as a process group of its own, logging to a file."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        print(f"   $ {' '.join(command)}   (log: {self.log_path})", flush=True)
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,  # noqa: S603 - compose's
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def check_running(self) -> None:
        if self.process.poll() is not None:
            raise SmokeFailure(f"{self.name} exited with {self.process.returncode}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        with contextlib.suppress(ProcessLookupError):  # children leave with their parent; make sure of it
            os.killpg(self.process.pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- HTTP, as a browser behind the TLS-terminating proxy -----------------------------------------------------------

class StaticLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = attrs.get("href") if tag == "link" else attrs.get("src") if tag in ("script", "img") else None
        if url and url.startswith("/static/"):
            self.links.add(url)


class Browser:
    """Speaks to gunicorn as the proxy would (X-Forwarded-Proto: https) and keeps the secure cookies it is given."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, referer: str | None = None):
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                            "Referer": self.origin + (referer or path)})
        connection = HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response.headers, content

    def get(self, path: str, expect: int = 200) -> bytes:
        status, headers, content = self.request("GET", path)
        if status != expect:
            raise SmokeFailure(f"GET {path} answered {status} (expected {expect}, Location: {headers.get('Location')})")
        return content

    def get_following_redirects(self, path: str) -> tuple[str, bytes]:
        for _ in range(5):
            status, headers, content = self.request("GET", path)
            if status != 302:
                if status != 200:
                    raise SmokeFailure(f"GET {path} answered {status}")
                return path, content
            path = urlsplit(urljoin(self.origin + path, headers["Location"])).path
        raise SmokeFailure(f"too many redirects from {path}")

    def log_in(self, email: str) -> None:
        page = self.get("/accounts/login/").decode()
        if "csrftoken" not in self.cookies:
            raise SmokeFailure("the login page set no CSRF cookie")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        form = {"login": email, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token[1] if token else ""}
        status, headers, _ = self.request("POST", "/accounts/login/", form=form)
        if status == 302 and urlsplit(headers.get("Location", "")).path == "/accounts/2fa/authenticate/":
            # HQ, network admins and the superuser give their authenticator app's code next.
            page = self.get("/accounts/2fa/authenticate/").decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            code = pyotp.TOTP(DEMO_TOTP_SECRETS[email]).now()
            form = {"code": code, "csrfmiddlewaretoken": token[1] if token else ""}
            status, headers, _ = self.request("POST", "/accounts/2fa/authenticate/", form=form)
        if status != 302 or "sessionid" not in self.cookies:
            raise SmokeFailure(f"logging in as {email} answered {status} (Location: {headers.get('Location')}), "
                               f"cookies {sorted(self.cookies)}")


def static_links(content: bytes) -> set[str]:
    parser = StaticLinks()
    parser.feed(content.decode(errors="replace"))
    return parser.links


def check_static_files(browser: Browser, links: set[str]) -> None:
    """Every linked file answers 200 under its manifest name, and so does the source map it names."""
    for link in sorted(links):
        if not HASHED_NAME.search(link):
            raise SmokeFailure(f"{link} is not a manifest (hashed) name: is the manifest storage in use?")
        content = browser.get(link)
        if not content:
            raise SmokeFailure(f"{link} answered 200 with an empty body")
        source_map = re.search(rb"sourceMappingURL=([^\s*]+)", content[-300:])
        if source_map:
            browser.get(urljoin(link, source_map[1].decode()))
        print(f"   200 {link}" + (" (+ its source map)" if source_map else ""), flush=True)


def wait_for_health(browser: Browser, servers: list[Server]) -> dict:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        for server in servers:
            server.check_running()
        try:
            status, _, content = browser.request("GET", "/healthz")
        except OSError:
            status = None
        if status == 200:
            return yaml.safe_load(content)  # JSON is YAML
        if time.monotonic() > deadline:
            raise SmokeFailure(f"/healthz did not answer 200 within {SERVER_START_SECONDS} s (last: {status})")
        time.sleep(1)


def wait_for_the_heartbeat(browser: Browser, servers: list[Server], worker: Server, since: float) -> dict:
    """Beat sends the heartbeat every 30 s; the worker runs it; /healthz then says the scheduler is ok."""
    deadline = since + SCHEDULER_WAIT_SECONDS
    while True:
        for server in servers:
            server.check_running()
        health = yaml.safe_load(browser.get("/healthz"))
        ran_in_worker = re.search(rf"Task {re.escape(HEARTBEAT_TASK)}\[[^\]]+\] succeeded", worker.log())
        if health.get("scheduler") == "ok" and ran_in_worker:
            return health
        if time.monotonic() > deadline:
            raise SmokeFailure(f"no beat-scheduled heartbeat ran in the worker within {SCHEDULER_WAIT_SECONDS} s "
                               f"(/healthz: {health})")
        time.sleep(2)


# --- the run -------------------------------------------------------------------------------------------------------

def smoke(work_dir: Path, servers: list[Server]) -> None:
    started = time.monotonic()
    env = production_env(work_dir / "media")
    commands = compose_commands()

    step("build (bin/build: pip install . into .venv-prod, then collectstatic with production settings)")
    if not (PRODUCTION_VENV / "bin" / "python").exists():
        run([sys.executable, "-m", "venv", str(PRODUCTION_VENV)], env)
    run(["bash", "bin/build"], {**env, "PYTHON": str(PRODUCTION_VENV / "bin" / "python")})

    step(f"migrate a fresh database ({DATABASE_NAME}; Redis {REDIS_URL}) with compose's migrate command")
    fresh_database_and_redis()
    run(commands["migrate"], env)
    step("a small demo network")
    run(["python", "manage.py", "seed_demo", "--dealers", "4", "--months", "1"], env)

    step("gunicorn, a Celery worker and beat, as docker-compose.yml starts them")
    port = free_port()
    web = Server("web", _replace_option(commands["web"], "--bind", f"127.0.0.1:{port}"), env, work_dir)
    servers.append(web)
    worker = Server("worker", commands["worker"], env, work_dir)
    servers.append(worker)
    beat_started = time.monotonic()
    beat = Server("beat", _replace_option(commands["beat"], "--schedule", str(work_dir / "celerybeat-schedule")),
                  env, work_dir)
    servers.append(beat)
    browser = Browser(port)
    health = wait_for_health(browser, servers)
    if health != {"status": "ok"}:
        raise SmokeFailure(f"/healthz told an anonymous caller more than ok or failing: {health}")
    operator = Browser(port)  # the details (database, broker, scheduler) are for staff
    operator.log_in(OPERATOR_EMAIL)
    health = yaml.safe_load(operator.get("/healthz"))
    if (health["database"], health["broker"]) != ("ok", "ok"):
        raise SmokeFailure(f"/healthz is not healthy: {health}")
    print(f"   /healthz: {health}")

    step("the login page and its static files")
    links = static_links(browser.get("/accounts/login/"))
    if not links:
        raise SmokeFailure("the login page links no static file")
    check_static_files(browser, links)

    step("each role logs in and sees one of its pages")
    links_seen = set(links)
    for email, pages in ROLE_PAGES.items():
        person = Browser(port)
        person.log_in(email)
        landing, _ = person.get_following_redirects("/")
        for page in pages:
            links_seen |= static_links(person.get(page))
        print(f"   {email}: logged in, lands on {landing}; 200 from {', '.join(pages)}", flush=True)
    check_static_files(browser, links_seen - links)

    step(f"a beat-scheduled task runs in the worker (waiting up to {SCHEDULER_WAIT_SECONDS} s)")
    health = wait_for_the_heartbeat(operator, servers, worker, since=beat_started)
    print(f"   /healthz: {health}")

    step("stop")
    for server in reversed(servers):
        server.stop()
    servers.clear()
    print(f"\nSMOKE PASSED in {time.monotonic() - started:.0f} s", flush=True)


def main() -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the servers are stopped on the way out
    work_dir = Path(tempfile.mkdtemp(prefix="dealer-portal-smoke-"))
    servers: list[Server] = []
    try:
        smoke(work_dir, servers)
        return 0
    except SmokeFailure as failure:
        print(f"\nSMOKE FAILED: {failure}", file=sys.stderr, flush=True)
        for server in servers:
            print(f"\n--- last lines of {server.name}'s log ({server.log_path}) ---\n{_tail(server.log())}",
                  file=sys.stderr, flush=True)
        return 1
    finally:
        for server in reversed(servers):
            server.stop()
        if not servers:
            shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
