"""Benchmark: the lead import wizard's worker over a generated CSV file, against PostgreSQL COPY.

Against its own PostgreSQL database (created and migrated here), with the seed of
``bench/webtolead.py`` (an active assignment rule of 50 entries). It writes a CSV of ``--rows``
leads (first name, last name, company, email, country, title, city), then in the same run:

1. ``COPY`` of the file into a bare table of text columns (no constraints, no indexes): rows/s;
2. the upload as the wizard takes it (streamed to disk, encoding and delimiter detected, rows
   counted): seconds;
3. one ``INSERT ... SELECT`` of the copied rows into the leads table with its indexes, rolled
   back: the fastest any import into that table can be, and its ratio to COPY;
4. the import itself, run by a separate worker process exactly as the Celery task runs it
   (``lead_import_process``: batches of 1,000 through ``intake_batch``, assignment on, each batch
   committed with its offset): rows/s, its ratio to COPY (target >= 0.25) and the worker's peak
   memory (target < 500 MB).

With ``--duplicate-rule`` an active duplicate rule matches every row by its normalized email
(action on imports: block) against the stored leads and contacts and the earlier rows of the file
(target ratio >= 0.15). ``--profile FILE`` writes the worker's cProfile statistics to FILE. Besides
wall-clock rows/s it prints the worker's CPU time per row and the load average, as the machine is
shared.

    .venv/bin/python bench/import.py [--rows 1000000] [--duplicate-rule] [--profile out.prof] [--keep]
"""

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "bench_import")
COLUMNS = ["First Name", "Last Name", "Company", "Email", "Country", "Title", "City"]


def psql(sql: str) -> None:
    subprocess.run(["psql", "-w", "-q", f"{PG}/postgres", "-c", sql], check=True, capture_output=True)


def write_csv(path: Path, rows: int) -> None:
    from bench.webtolead import COUNTRIES

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(rows):
            writer.writerow(
                [
                    f"First{i}",
                    f"Last{i}",
                    f"Company {i % 5000}",
                    f"lead{i}@example.com",
                    COUNTRIES[i % len(COUNTRIES)],
                    "Buyer",
                    "Springfield",
                ]
            )


def environment(workdir: Path) -> None:
    os.environ.update(
        {
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "DJANGO_SETTINGS_MODULE": "leadcrm.settings",
            "DJANGO_DEBUG": "false",
            "LOG_LEVEL": "ERROR",
            # No broker: the worker below is started by hand, and nothing else takes the task.
            "REDIS_URL": "",
            "LEADCRM_REQUIRE_SERVICES": "0",
            "LEADCRM_VAR_DIR": str(workdir / "var"),
        }
    )
    sys.path.insert(0, str(ROOT))


def worker(import_id: int, profile: str | None) -> None:
    """The worker's side: what ``process_lead_import`` runs, in a process of its own."""
    import django

    django.setup()
    from leads.imports.processing import lead_import_process

    if not profile:
        lead_import_process(lead_import_id=import_id)
        return
    import cProfile

    cProfile.runctx("lead_import_process(lead_import_id=import_id)", globals(), locals(), profile)


def duplicate_rule(admin) -> None:
    """An active duplicate rule: the same normalized email blocks an imported row."""
    from core import rules
    from dedupe import services

    matching = services.matching_rule_create(data={"name": "Same email", "email": "normalized"}, acting_user=admin)
    rule = rules.rule_create(kind=services.DUPLICATE, name="Bench duplicates", acting_user=admin)
    services.duplicate_entry_create(
        rule=rule, data={"matching_rule": matching, "action_import": "block"}, acting_user=admin
    )
    rules.rule_activate(kind=services.DUPLICATE, rule=rule, acting_user=admin)


def lead_table_floor(admin, rows: int) -> float:
    """Rows/s of one ``INSERT ... SELECT`` of the copied rows into the leads table itself, with
    every index the list views, search and reports keep on it, and nothing else (no validation,
    history, assignment or match keys): no import into that table can go faster. Rolled back."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core.selectors import picklist_default
    from leads.models import Lead

    status = picklist_default(object_name="lead", field_name="status") or "Open - Not Contacted"
    blank = [
        f.column
        for f in Lead._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField", "EmailField", "URLField")
        and not f.null
        and f.column not in {"first_name", "last_name", "company", "email", "country", "title", "city", "status"}
    ]
    columns = [
        *blank,
        "first_name",
        "last_name",
        "company",
        "email",
        "country",
        "title",
        "city",
        "status",
        "email_opt_out",
        "do_not_call",
        "owner_assigned_at",
        "custom_fields",
        "created_at",
        "last_modified_at",
        "version",
        "is_converted",
        "owner_user_id",
        "created_by_id",
        "last_modified_by_id",
    ]
    selected = [*(["''"] * len(blank)), "c0", "c1", "c2", "c3", "c4", "c5", "c6", "%(status)s"]
    selected += ["false", "false", "%(now)s", "'{}'", "%(now)s", "%(now)s", "1", "false"] + ["%(owner)s"] * 3
    sql = f"INSERT INTO leads_lead ({', '.join(columns)}) SELECT {', '.join(selected)} FROM bench_copy"

    class _Rollback(Exception):
        pass

    started = time.perf_counter()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, {"status": status, "now": timezone.now(), "owner": admin.pk})
            seconds = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return rows / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--duplicate-rule", action="store_true", help="an active duplicate rule on email")
    parser.add_argument("--profile", help="write the worker's cProfile statistics to this file")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        worker(args.worker, args.profile)
        return
    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    environment(workdir)
    print(f"Creating database {DB_NAME} and migrating ...", flush=True)
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB_NAME}")
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
        run(args, workdir)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def run(args, workdir: Path) -> None:
    from bench.webtolead import seed

    seed()  # sets Django up: users, a 50-entry assignment rule
    from django.contrib.auth import get_user_model
    from django.db import connection

    from leads.imports.services import lead_import_start, lead_import_upload
    from leads.models import Lead

    path = workdir / "leads.csv"
    started = time.perf_counter()
    write_csv(path, args.rows)
    size_mb = path.stat().st_size / 1024 / 1024
    print(f"Wrote {args.rows:,} rows ({size_mb:.0f} MB) in {time.perf_counter() - started:.1f} s", flush=True)

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_copy (" + ", ".join(f"c{i} text" for i in range(len(COLUMNS))) + ")")
    started = time.perf_counter()
    with connection.cursor() as cursor, path.open(encoding="utf-8") as handle:
        cursor.cursor.copy_expert("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)", handle)
    copy_seconds = time.perf_counter() - started
    copy_rate = args.rows / copy_seconds
    print(f"COPY into a bare table: {copy_seconds:.2f} s, {copy_rate:,.0f} rows/s", flush=True)

    admin = get_user_model().objects.get(username="bench-admin")
    floor_rate = lead_table_floor(admin, args.rows)
    print(
        f"INSERT ... SELECT of those rows into the leads table (its indexes, no validation, rolled back): "
        f"{args.rows / floor_rate:.2f} s, {floor_rate:,.0f} rows/s, ratio to COPY {floor_rate / copy_rate:.4f}",
        flush=True,
    )
    if args.duplicate_rule:
        duplicate_rule(admin)

    def chunks():
        with path.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                yield chunk

    started = time.perf_counter()
    lead_import = lead_import_upload(file_name="leads.csv", chunks=chunks(), acting_user=admin)
    upload_seconds = time.perf_counter() - started
    print(f"Upload (streamed to disk, detected, {lead_import.total_rows:,} rows counted): {upload_seconds:.1f} s")
    lead_import_start(lead_import=lead_import, mapping=lead_import.mapping, acting_user=admin, run_assignment=True)
    connection.close()

    started = time.perf_counter()
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(lead_import.pk)]
    if args.profile:
        command += ["--profile", str(Path(args.profile).resolve())]
    proc = subprocess.Popen(command, cwd=ROOT)
    _pid, status, usage = os.wait4(proc.pid, 0)
    import_seconds = time.perf_counter() - started
    if status:
        raise SystemExit(f"The worker failed ({status}).")
    peak_mb = usage.ru_maxrss / 1024
    cpu_seconds = usage.ru_utime + usage.ru_stime
    lead_import.refresh_from_db()
    rate = lead_import.created_count / import_seconds
    routed = Lead.objects.filter(owner_queue__isnull=False).count()
    rule = "duplicate rule on email, " if args.duplicate_rule else ""
    print(
        f"Import (worker, batches of 1,000, assignment on, {rule}): {lead_import.status}, "
        f"{lead_import.created_count:,} leads created ({routed:,} routed to the queue), "
        f"{lead_import.error_count:,} refused, {import_seconds:.1f} s, {rate:,.0f} rows/s"
    )
    rows = max(lead_import.created_count + lead_import.error_count + lead_import.skipped_count, 1)
    print(
        f"Worker CPU: {cpu_seconds:.1f} s, {cpu_seconds / rows * 1e6:,.0f} us per row, {rows / cpu_seconds:,.0f} rows per CPU second"
    )
    target = 0.15 if args.duplicate_rule else 0.25
    print(f"Ratio to COPY: {rate / copy_rate:.5f} (target >= {target})")
    print(f"Ratio to the leads table's INSERT ... SELECT: {rate / floor_rate:.3f}")
    print(f"Peak worker memory: {peak_mb:.0f} MB (target < 500 MB)")
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
