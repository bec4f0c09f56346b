"""Benchmark: web-to-lead POSTs per second against a bare Django view, on the same server.

Starts gunicorn (2 sync workers) on 127.0.0.1 and a free port, against its own PostgreSQL database
(created and migrated here), with an active assignment rule of 50 entries and an active
auto-response rule. The per-IP rate limit and the daily limit are off for the run. A thread pool
sends a bounded number of requests to each endpoint; the script prints both rates, their ratio
(target: at least 0.5) and the p99 latency of each. For scale it also measures a bench-only view
that only writes the intake row and publishes one task, the floor of any store-first design.

    .venv/bin/python bench/webtolead.py [--requests 300] [--threads 8]

The bare view is served from a bench-only URL module, selected with a bench settings module in the
server's environment; the application's own URLs are unchanged.
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
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
BENCH_URLS = """
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request):
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
def floor(request):
    # The least a design that stores every submission first and hands the rest to Celery must do:
    # one intake row, one task published. No spam check, validation, lead, rule or email.
    from webtolead.services import intake_record
    from webtolead.tasks import process_pending_submissions

    payload = {key: request.POST.get(key) for key in request.POST}
    intake_record(payload=payload, form_key=payload.get("oid", ""), content_type=request.content_type)
    process_pending_submissions.apply_async()
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), path("bench/floor/", floor), path("", include("leadcrm.urls"))]
"""


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

    from emails.services import (
        autoresponse_entry_create,
        autoresponse_rule_activate,
        autoresponse_rule_create,
        autoresponse_settings_update,
        email_template_create,
    )
    from leads.routing.services import EntryInput, entry_save, rule_activate, rule_create
    from leads.setup import ensure_roles
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


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited:\n" + proc.stdout.read())
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start in time")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def post(url: str, body: bytes) -> tuple[int, float]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, method="POST"
    )
    start = time.perf_counter()
    try:
        with OPENER.open(request, timeout=30) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.perf_counter() - start


def run(url: str, bodies: list[bytes], threads: int) -> dict:
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(lambda b: post(url, b), bodies[: threads * 2]))  # warm up both workers
        start = time.perf_counter()
        results = list(pool.map(lambda b: post(url, b), bodies))
        elapsed = time.perf_counter() - start
    latencies = sorted(r[1] for r in results)
    statuses = {}
    for status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        "rate": len(results) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "statuses": statuses,
        "count": len(results),
    }


def submissions(key: str, count: int) -> list[bytes]:
    bodies = []
    for n in range(count):
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
    parser.add_argument("--requests", type=int, default=300, help="requests per endpoint (default 300)")
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        print(seed())
        return

    workdir = Path(tempfile.mkdtemp(prefix="w2l-bench-"))
    (workdir / "w2l_bench_settings.py").write_text(textwrap.dedent(BENCH_SETTINGS))
    (workdir / "w2l_bench_urls.py").write_text(textwrap.dedent(BENCH_URLS))
    (workdir / "var").mkdir()
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
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
    print(f"Creating database {DB_NAME} and migrating ...", flush=True)
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    server = None
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        key = (
            subprocess.run([PYTHON, __file__, "--seed"], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "leadcrm.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/bench/bare/", server)
        count = args.requests
        print(f"gunicorn on {base}, 2 workers; {count} requests per endpoint from {args.threads} threads", flush=True)
        bare = run(f"{base}/bench/bare/", [b"x=1"] * count, args.threads)
        w2l = run(f"{base}/web-to-lead/", submissions(key, count + args.threads * 2), args.threads)
        floor = run(f"{base}/bench/floor/", submissions(key, count + args.threads * 2), args.threads)
        check = (
            subprocess.run(
                [
                    PYTHON,
                    "manage.py",
                    "shell",
                    "-c",
                    "from leads.models import Lead; from webtolead.models import Intake; "
                    "from emails.models import OutboundEmail; "
                    "print(Lead.objects.count(), Intake.objects.filter(outcome='created').count(), "
                    "OutboundEmail.objects.filter(kind='auto_response').count(), "
                    "Lead.objects.filter(owner_queue__isnull=False).count())",
                ],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
            .split()
        )
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        _drop_queued_tasks()
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(
        f"bare Django view : {bare['rate']:8.1f} req/s   p50 {bare['p50']:6.1f} ms   p99 {bare['p99']:6.1f} ms   {bare['statuses']}"
    )
    print(
        f"web-to-lead POST : {w2l['rate']:8.1f} req/s   p50 {w2l['p50']:6.1f} ms   p99 {w2l['p99']:6.1f} ms   {w2l['statuses']}"
    )
    ratio = w2l["rate"] / bare["rate"]
    print(f"ratio web-to-lead / bare: {ratio:.2f} (target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")
    print(
        f"for scale, store-and-publish only (one intake insert, one task published): {floor['rate']:.1f} req/s, "
        f"p99 {floor['p99']:.1f} ms, ratio to bare {floor['rate'] / bare['rate']:.2f}"
    )
    leads, created, emails, queued = check
    print(f"leads {leads}, intake rows created {created}, auto-responses {emails}, leads routed to the queue {queued}")


def _drop_queued_tasks() -> None:
    """The server published one email task per lead to the bench Redis db; nobody consumes them."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL).delete("celery")
    except Exception as exc:  # the figures are printed all the same
        print(f"(could not clear the bench broker queue: {exc})")


if __name__ == "__main__":
    main()
