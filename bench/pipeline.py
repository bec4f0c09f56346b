"""Benchmark: the batched lead pipeline and the Web-to-Lead worker that uses it.

Against its own PostgreSQL database (created and migrated here), with the seed of
``bench/webtolead.py``: an active assignment rule of 50 entries and an active auto-response rule.

1. The endpoint: ``--submissions`` POSTs to ``/web-to-lead/`` through Django's test client (server
   side only, one thread, no worker running): accepted submissions per second.
2. The worker's work on the same rows: ``submissions_process`` (batches of 500) turning every
   received submission into a routed lead with its auto-response queued in the outbox:
   submissions per second (target >= 500), and its ratio to the endpoint's rate.
3. A direct call of the pipeline: ``intake_batch`` over ``--rows`` rows (batches of 1,000, each
   committed), with assignment and auto-responses: rows per second.

    .venv/bin/python bench/pipeline.py [--submissions 3000] [--rows 100000] [--profile worker.prof]
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "bench_pipeline")


def psql(sql: str) -> None:
    subprocess.run(["psql", "-w", "-q", f"{PG}/postgres", "-c", sql], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=3000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--profile", help="write the cProfile statistics of the worker's step to this file")
    args = parser.parse_args()
    os.environ.update(
        {
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "DJANGO_SETTINGS_MODULE": "leadcrm.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "ERROR",
        }
    )
    sys.path.insert(0, str(ROOT))
    print(f"Creating database {DB_NAME} and migrating ...", flush=True)
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
        run(args)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def run(args) -> None:
    from bench.webtolead import seed, submissions

    key = seed()  # sets Django up
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.test import Client

    from emails.models import OutboundEmail
    from leadcrm.celery import app as celery_app
    from leads.intake import BATCH_SIZE, IntakeOptions, IntakeRow, IntakeRules, intake_batch
    from leads.models import Lead
    from webtolead.models import Intake
    from webtolead.services import submissions_process

    # No worker runs: the endpoint's hand-over to one is left out of the measure of both sides.
    celery_app.conf.task_always_eager = False
    from webtolead.services import receiving

    receiving._process_soon = lambda intake_pk: None

    client = Client(REMOTE_ADDR="203.0.113.9")
    bodies = submissions(key, args.submissions)
    started = time.perf_counter()
    statuses: dict[int, int] = {}
    for body in bodies:
        response = client.post("/web-to-lead/", body, content_type="application/x-www-form-urlencoded")
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    endpoint_seconds = time.perf_counter() - started
    received = Intake.objects.filter(outcome=Intake.Outcome.RECEIVED).count()
    endpoint_rate = args.submissions / endpoint_seconds

    started, cpu = time.perf_counter(), time.process_time()
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        processed = profiler.runcall(submissions_process)
        profiler.dump_stats(args.profile)
    else:
        processed = submissions_process()
    worker_seconds = time.perf_counter() - started
    worker_cpu = time.process_time() - cpu
    created = Intake.objects.filter(outcome=Intake.Outcome.CREATED).count()
    queued = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.AUTO_RESPONSE).count()
    routed = Lead.objects.exclude(owner_user__username="bench-admin").count()
    worker_rate = processed / worker_seconds

    admin = get_user_model().objects.get(username="bench-admin")
    options = IntakeOptions(source="import", assign=True, auto_respond=True, note="Bench import")
    from bench.webtolead import COUNTRIES

    rows = [
        IntakeRow(
            data={
                "first_name": f"Row{n}",
                "last_name": f"Person{n}",
                "company": f"Company {n % 5000}",
                "email": f"row{n}@bench.example",
                "country": COUNTRIES[n % len(COUNTRIES)] if n % 5 else "Nowhere",
                "lead_source": "Website",
            }
        )
        for n in range(args.rows)
    ]
    started, cpu = time.perf_counter(), time.process_time()
    made = refused = 0
    for start in range(0, len(rows), BATCH_SIZE):
        with transaction.atomic():
            answers = intake_batch(
                rows=rows[start : start + BATCH_SIZE],
                options=options,
                acting_user=admin,
                rules=IntakeRules.load(options),
            )
        made += sum(1 for a in answers if not isinstance(a, Exception))
        refused += sum(1 for a in answers if isinstance(a, Exception))
    pipeline_seconds = time.perf_counter() - started
    pipeline_cpu = time.process_time() - cpu

    print()
    print(f"endpoint: {args.submissions} POSTs in {endpoint_seconds:.1f} s = {endpoint_rate:.0f} accepted/s {statuses}")
    print(
        f"worker:   {processed} submissions -> {created} leads ({routed} routed away from the creator), "
        f"{queued} auto-responses queued, in {worker_seconds:.1f} s = {worker_rate:.0f} submissions/s "
        f"(target >= 500: {'met' if worker_rate >= 500 else 'NOT met'}); {received} were received"
    )
    print(f"ratio worker / endpoint: {worker_rate / endpoint_rate:.2f}")
    # The machine may be shared: the Python side's own CPU time per row tells what one free core
    # would do (PostgreSQL's share comes on top, on the other core).
    print(f"worker CPU (this process): {worker_cpu * 1000 / max(processed, 1):.2f} ms per submission")
    print(
        f"pipeline: {made} leads ({refused} refused) with assignment and auto-responses in "
        f"{pipeline_seconds:.1f} s = {made / pipeline_seconds:.0f} rows/s (batches of {BATCH_SIZE}); "
        f"{pipeline_cpu * 1000 / max(made, 1):.2f} ms of this process's CPU per row"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
