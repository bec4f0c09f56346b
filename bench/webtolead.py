"""Benchmark: web-to-lead POSTs per second against a bare Django view, on the same server.

Starts gunicorn as production runs it (``gunicorn.conf.py``: 3 sync workers) on 127.0.0.1 and a free
port, against its own PostgreSQL database (created and migrated here) and Redis, with an active
assignment rule of 50 entries and an active auto-response rule. The per-IP rate limit and the daily
limit are off for the run.

1. Alternating rounds of POSTs to the bare view and to ``/web-to-lead/`` from a thread pool, with no
   Celery worker running, so that both endpoints get the same machine: prints both rates (median of
   the rounds), their ratio (target: at least 0.5), the ratio of each round, the p50 and p99
   latency of each, and the CPU time per request of each side (gunicorn, PostgreSQL, Redis, the
   load client) for each endpoint.
2. Then starts one Celery worker and waits until every submission is a lead, routed, with its
   auto-response sent: prints how long that took (the background side of the same work).
3. One more pair of rounds while the worker turns those submissions into leads on the same cores.

    .venv/bin/python bench/webtolead.py [--requests 1000] [--rounds 3] [--threads 8] [--workers N]

The bare view is served from a bench-only URL module, selected with a bench settings module in the
server's environment: the bare view's pattern, then the application's own patterns, unchanged.
"""

import argparse
import http.client
import os
import runpy
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB_NAME = "bench_webtolead"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
RULE_ENTRIES = 50
COUNTRIES = [f"Country {n}" for n in range(1, RULE_ENTRIES + 1)]

BENCH_SETTINGS = """
from leadcrm.settings import *  # noqa: F403

ROOT_URLCONF = "w2l_bench_urls"
"""
# The application's own URL patterns follow the bare view's at the root, so that the app's URLs
# resolve through the same levels as in production (an include of leadcrm.urls would add one).
BENCH_URLS = """
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from leadcrm.urls import urlpatterns as app_urlpatterns


@csrf_exempt
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *app_urlpatterns]
"""


def production_workers() -> int:
    """The number of workers ``gunicorn.conf.py`` gives gunicorn here."""
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(sql: str) -> None:
    subprocess.run(["psql", "-w", "-q", f"{PG}/postgres", "-c", sql], check=True, capture_output=True)


def seed() -> str:
    """Runs inside the bench environment (Django set up): answers the form key."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from core.roles import ensure_roles
    from emails.services import (
        autoresponse_entry_create,
        autoresponse_rule_activate,
        autoresponse_rule_create,
        autoresponse_settings_update,
        email_template_create,
    )
    from leads.routing.services import EntryInput, entry_save, rule_activate, rule_create
    from tests.factories import QueueFactory
    from webtolead.services import webtolead_form_create, webtolead_settings_update

    ensure_roles()
    from django.contrib.auth.models import Group

    user_model = get_user_model()
    admin = user_model.objects.create_user("bench-admin", "admin@example.com", "bench-pass-123")
    admin.groups.add(Group.objects.get(name="Marketing admin"))
    reps = []
    for n in range(5):
        rep = user_model.objects.create_user(f"bench-rep{n}", f"rep{n}@example.com", "bench-pass-123")
        rep.groups.add(Group.objects.get(name="Sales rep"))
        reps.append(rep)
    webtolead_settings_update(
        data={
            "enabled": True,
            "default_creator": admin,
            "daily_limit": 0,
            "rate_limit_per_minute": 0,
            "honeypot_enabled": True,
            "min_fill_seconds": 3,
        },
        acting_user=admin,
    )
    rule = rule_create(name="Bench routing", acting_user=admin)
    queue = QueueFactory(name="Bench queue")
    for n, country in enumerate(COUNTRIES):
        data = EntryInput(
            criteria=[{"field": "country", "operator": "equals", "value": country}],
            assign_to="user" if n % 2 else "queue",
            assign_user=reps[n % len(reps)] if n % 2 else None,
            assign_queue=None if n % 2 else queue,
        )
        entry_save(rule=rule, data=data, acting_user=admin)
    rule_activate(rule=rule, acting_user=admin)
    template = email_template_create(
        data={"name": "Bench thanks", "subject": "Thanks {{Lead.FirstName}}", "body_text": "Hello {{Lead.FirstName}}"},
        acting_user=admin,
    )
    ar_rule = autoresponse_rule_create(name="Bench auto-response", acting_user=admin)
    autoresponse_entry_create(
        rule=ar_rule,
        data={"criteria": [{"field": "lead_source", "operator": "equals", "value": "Website"}], "template": template},
        acting_user=admin,
    )
    autoresponse_rule_activate(rule=ar_rule, acting_user=admin)
    autoresponse_settings_update(default_template=template, acting_user=admin)
    form = webtolead_form_create(
        data={
            "name": "Bench form",
            "lead_source": "Website",
            "fields": [{"name": n} for n in ("first_name", "last_name", "email", "company", "country", "description")],
        },
        acting_user=admin,
    )
    return form.public_key


def bench_env(workdir: Path, db_name: str, redis_url: str) -> dict:
    """The environment of a bench server and worker: its own database and Redis, the bench URL
    module (the bare view beside the app's URLs), production-like settings."""
    (workdir / "w2l_bench_settings.py").write_text(textwrap.dedent(BENCH_SETTINGS))
    (workdir / "w2l_bench_urls.py").write_text(textwrap.dedent(BENCH_URLS))
    (workdir / "var").mkdir(exist_ok=True)
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"{PG}/{db_name}",
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "w2l_bench_settings",
            "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
            "LEADCRM_VAR_DIR": str(workdir / "var"),
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
        }
    )
    return env


def start_server(env: dict, workdir: Path, workers: int | None = None) -> tuple[subprocess.Popen, str]:
    """gunicorn as production runs it (``gunicorn.conf.py``), on a free port; answers the process
    and its base URL once the bare view answers."""
    port = free_port()
    server_log = (workdir / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "leadcrm.wsgi:application",
            *(("--workers", str(workers)) if workers else ()),
            *("--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
        # A file, not a pipe: production logs a line per request, and a pipe nobody reads
        # fills and stops the workers.
        stdout=server_log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    wait_for(f"{base}/bench/bare/", server, workdir / "gunicorn.log")
    return server, base


def wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited:\n" + log.read_text())
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start in time")


def post(url: str, body: bytes) -> tuple[int, float]:
    """One POST on a new connection (a sync worker closes it); a redirect is an answer."""
    parts = urllib.parse.urlsplit(url)
    start = time.perf_counter()
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("POST", parts.path, body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        status = response.status
    finally:
        conn.close()
    return status, time.perf_counter() - start


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time of these processes so far (a process that is gone counts 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def _pids(*args: str) -> list[int]:
    found = subprocess.run(["pgrep", *args], capture_output=True, text=True).stdout.split()
    return [int(pid) for pid in found]


class CpuMeter:
    """CPU seconds spent by each side of the bench during the rounds it measures, per endpoint."""

    def __init__(self, server: subprocess.Popen) -> None:
        self.server = server
        self.spent: dict[str, dict[str, float]] = {}
        self.requests: dict[str, int] = {}

    def _now(self) -> dict[str, float]:
        return {
            "gunicorn": _cpu_seconds([self.server.pid, *_pids("-P", str(self.server.pid))]),
            "PostgreSQL": _cpu_seconds(_pids("-x", "postgres")),
            "Redis": _cpu_seconds(_pids("-x", "redis-server")),
            "client": sum(os.times()[:2]),
        }

    def run(self, name: str, url: str, bodies: list[bytes], threads: int) -> dict:
        before = self._now()
        result = run(url, bodies, threads)
        after = self._now()
        spent = self.spent.setdefault(name, {})
        for side, seconds in after.items():
            spent[side] = spent.get(side, 0.0) + seconds - before[side]
        self.requests[name] = self.requests.get(name, 0) + len(bodies)
        return result

    def line(self, name: str) -> str:
        per = {side: seconds / self.requests[name] * 1000 for side, seconds in self.spent[name].items()}
        sides = ", ".join(f"{side} {ms:.3f}" for side, ms in per.items())
        return f"CPU ms per request, {name}: {sides}; total {sum(per.values()):.3f}"


def run(url: str, bodies: list[bytes], threads: int) -> dict:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        start = time.perf_counter()
        results = list(pool.map(lambda b: post(url, b), bodies))
        elapsed = time.perf_counter() - start
    statuses: dict[int, int] = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {"rate": len(results) / elapsed, "latencies": [r[1] for r in results], "statuses": statuses}


def summary(rounds: list[dict]) -> dict:
    """The median rate of the rounds; latency percentiles over all their requests."""
    latencies = sorted(t for r in rounds for t in r["latencies"])
    statuses: dict[int, int] = {}
    for r in rounds:
        for status, n in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + n
    return {
        "rate": statistics.median(r["rate"] for r in rounds),
        "rates": [r["rate"] for r in rounds],
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "statuses": statuses,
    }


def line(name: str, result: dict) -> str:
    rounds = ", ".join(f"{r:.0f}" for r in result["rates"])
    return (
        f"{name}: {result['rate']:8.1f} req/s (rounds {rounds})   p50 {result['p50']:5.1f} ms   "
        f"p99 {result['p99']:5.1f} ms   {result['statuses']}"
    )


class Submissions:
    """Fresh visitor submissions, each with its own per-render key."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.made = 0

    def take(self, count: int) -> list[bytes]:
        bodies = submissions(self.key, count, start=self.made)
        self.made += count
        return bodies


def submissions(key: str, count: int, start: int = 0) -> list[bytes]:
    bodies = []
    for n in range(start, start + count):
        fields = {
            "oid": key,
            "first_name": f"Bench{n}",
            "last_name": f"Visitor{n}",
            "email": f"visitor{n}@bench.example",
            "company": f"Company {n}",
            "country": COUNTRIES[(n * 7) % len(COUNTRIES)] if n % 5 else "Nowhere",
            "description": "Benchmark submission",
            "w2l_key": f"bench-{n}-{time.time_ns()}",
        }
        bodies.append(urllib.parse.urlencode(fields).encode())
    return bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="requests per endpoint and round (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per endpoint (default 3)")
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py's, as production)"
    )
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        print(seed())
        return

    workdir = Path(tempfile.mkdtemp(prefix="w2l-bench-"))
    env = bench_env(workdir, DB_NAME, REDIS_URL)
    print(f"Creating database {DB_NAME} and migrating ...", flush=True)
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    server = worker = None
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        key = (
            subprocess.run([PYTHON, __file__, "--seed"], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        server, base = start_server(env, workdir, args.workers)
        bare_url, w2l_url = f"{base}/bench/bare/", f"{base}/web-to-lead/"
        made = Submissions(key)
        count, threads = args.requests, args.threads
        print(
            f"gunicorn on {base}, {args.workers or production_workers()} sync workers; {args.rounds} alternating "
            f"rounds of {count} requests per endpoint from {threads} client threads",
            flush=True,
        )
        # Warm every gunicorn worker on both endpoints (imports, URL resolver, connections).
        run(bare_url, [b"x=1"] * threads * 25, threads)
        run(w2l_url, made.take(threads * 25), threads)

        # 1. Both endpoints on an otherwise idle machine; the worker starts afterwards, so that
        #    both get the same two cores. Its processing rate is measured on its own.
        idle = {"bare": [], "w2l": []}
        meter = CpuMeter(server)
        for _ in range(args.rounds):
            idle["bare"].append(meter.run("bare view", bare_url, [b"x=1"] * count, threads))
            idle["w2l"].append(meter.run("web-to-lead", w2l_url, made.take(count), threads))
        started = time.perf_counter()
        worker = start_worker(env)
        backlog = wait_processed(made.made, started)

        # 2. The same with the worker busy on the same machine, turning these submissions into leads.
        busy = {"bare": [run(bare_url, [b"x=1"] * count, threads)]}
        started = time.perf_counter()
        busy["w2l"] = [run(w2l_url, made.take(count), threads)]
        live = wait_processed(made.made, started)
    finally:
        for proc in (server, worker):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        _drop_queued_tasks()
        shutil.rmtree(workdir, ignore_errors=True)

    bare, w2l = summary(idle["bare"]), summary(idle["w2l"])
    ratio = w2l["rate"] / bare["rate"]
    print()
    print(line("bare Django view ", bare))
    print(line("web-to-lead POST ", w2l))
    print(f"ratio web-to-lead / bare: {ratio:.2f} (target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")
    round_ratios = ", ".join(f"{w['rate'] / b['rate']:.2f}" for b, w in zip(idle["bare"], idle["w2l"], strict=True))
    print(f"ratio of each round: {round_ratios}")
    print(meter.line("bare view"))
    print(meter.line("web-to-lead"))
    print(
        f"then one Celery worker made the {backlog['created']} leads of those submissions, with their assignment "
        f"and {backlog['sent']} sent auto-responses, in {backlog['seconds']:.1f} s "
        f"({backlog['created'] / backlog['seconds']:.1f} leads/s)"
    )
    bare_busy, w2l_busy = summary(busy["bare"]), summary(busy["w2l"])
    print()
    print("with the worker making leads on the same two cores meanwhile (one round):")
    print(line("bare Django view ", bare_busy))
    print(line("web-to-lead POST ", w2l_busy))
    print(
        f"ratio web-to-lead / bare: {w2l_busy['rate'] / bare_busy['rate']:.2f}; every submission was a lead with "
        f"its auto-response sent {live['seconds']:.1f} s after the round began"
    )
    print(
        f"in all: {live['leads']} leads, {live['created']} submissions created a lead, {live['sent']} auto-responses "
        f"sent, {live['queued']} leads routed to the queue"
    )


def start_worker(env: dict, queues: str = "") -> subprocess.Popen:
    """One Celery worker process on the bench database and broker, as in production (every queue,
    or only ``queues``, comma-separated)."""
    worker = subprocess.Popen(
        [PYTHON, "-m", "celery", "-A", "leadcrm", "worker", "--concurrency=1", "--loglevel=INFO"]
        + (["-Q", queues] if queues else []),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = worker.stdout.readline()
        if "ready." in line:
            # Keep reading its output so the pipe never fills and blocks the worker.
            threading.Thread(target=lambda: [None for _ in worker.stdout], daemon=True).start()
            return worker
        if not line and worker.poll() is not None:
            raise SystemExit("the Celery worker exited")
    worker.kill()
    raise SystemExit("the Celery worker did not start in time")


def wait_processed(expected: int, started: float, timeout: float = 900) -> dict:
    """Wait until ``expected`` submissions are leads with their auto-responses sent; answers the
    counts and the seconds since ``started``."""
    import psycopg2

    conn = psycopg2.connect(f"{PG}/{DB_NAME}")
    conn.autocommit = True
    deadline = time.monotonic() + timeout
    try:
        while True:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT (SELECT count(*) FROM leads_lead), "
                    "(SELECT count(*) FROM webtolead_intake WHERE outcome = 'created'), "
                    "(SELECT count(*) FROM emails_outboundemail WHERE kind = 'auto_response' AND status = 'sent'), "
                    "(SELECT count(*) FROM leads_lead WHERE owner_queue_id IS NOT NULL)"
                )
                leads, created, sent, queued = cur.fetchone()
            if (created >= expected and sent >= expected) or time.monotonic() > deadline:
                seconds = time.perf_counter() - started
                return {"leads": leads, "created": created, "sent": sent, "queued": queued, "seconds": seconds}
            time.sleep(0.05)
    finally:
        conn.close()


def _drop_queued_tasks() -> None:
    """Tasks the worker had not taken when it stopped stay in the bench Redis db; drop them."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL).delete("celery")
    except Exception as exc:  # the figures are printed all the same
        print(f"(could not clear the bench broker queue: {exc})")


if __name__ == "__main__":
    main()
