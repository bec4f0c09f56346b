"""Reports benchmark: server time of each standard report at N leads, against the bare SQL.

Seeds one PostgreSQL database, ``lead7bench`` by default (``--database``), on the server of
``DATABASE_URL`` with N leads (default 1,000,000) through the seeding of ``bench/lead_list.py``
(50 reps, a few queues, three years of creation dates, about 8% converted), plus a status
history for them: every lead not "New" went New -> Working a few hours to days after its
creation, and on to its current status some days later; one in ten "Working" leads was reopened
(Working -> Nurturing -> Working); and 300 Web-to-Lead submissions a day over the same three years
(five forms; accepted, pending, spam and rejected). The report rollups (facts, daily counts,
duration histograms, daily intake counts) are then filled by ``reports_backfill``.

Then, as a system admin (sees every lead), it times each standard report run through the same
selector the page and the API call (``reports.selectors.run_report``) over the last 365 days
by month, and, in the same run and alternately, the bare SQL ``GROUP BY`` over the same lead rows
(``leads_lead`` with its status history where the report needs it). It prints the p95 of both
and their ratio; then a builder report grouped by two fields (source x month over a year).

Targets: every standard report p95 < 500 ms at 1,000,000 leads and <= 1x the bare aggregate;
a builder report grouped by two fields p95 < 2 s.

    .venv/bin/python bench/reports.py                        # 1,000,000 leads
    .venv/bin/python bench/reports.py --leads 100000 --requests 20

A database already seeded with the same number of leads is reused; ``--reseed`` starts over.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import lead_list  # noqa: E402  (the seeding of the lead list benchmark)

DEFAULT_DB = "lead7bench"
REPORT_TARGET_MS = 500
BUILDER_TARGET_MS = 2000


def run_child(mode: list[str], args) -> str:
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if not url.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point to a PostgreSQL server.")
    env = {
        **os.environ,
        "DATABASE_URL": urlunparse(url._replace(path=f"/{args.database}")),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "LEADCRM_VAR_DIR": tempfile.mkdtemp(prefix="leadcrm-bench-"),
        "LOG_LEVEL": "ERROR",
    }
    env.pop("REDIS_URL", None)
    cmd = [sys.executable, __file__, "--child", *mode, "--leads", str(args.leads), "--database", args.database]
    cmd += ["--requests", str(args.requests), "--warmup", str(args.warmup), "--days", str(args.days)]
    cmd += ["--reseed"] if args.reseed else []
    proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"Benchmark step {' '.join(mode)} failed (exit {proc.returncode}).")
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000, help="leads in the database")
    parser.add_argument("--database", default=DEFAULT_DB, help="database name on the DATABASE_URL server")
    parser.add_argument("--requests", type=int, default=30, help="timed runs per report")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before timing")
    parser.add_argument("--days", type=int, default=365, help="the reports' date range, in days up to today")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the data is there")
    parser.add_argument("--seed-only", action="store_true", help="seed and stop")
    parser.add_argument(
        "--measure-only", action="store_true", help="measure a database seeded before (no migrate, no seeding)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if not args.measure_only:
        run_child(["--seed"], args)
    if args.seed_only:
        return
    report(json.loads(run_child(["--measure"], args)), args)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child(args) -> None:
    if args.seed:
        url = urlparse(os.environ["DATABASE_URL"])
        os.environ["DATABASE_URL"] = urlunparse(url._replace(path=f"/{args.database}"))
        lead_list.ensure_database(args.database)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")
    import django

    django.setup()
    if args.seed:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        lead_list.seed(args.leads, reseed=args.reseed)
        seed_history(reseed=args.reseed)
        seed_intake(reseed=args.reseed)
        backfill_rollups(reseed=args.reseed)
        return
    print(json.dumps(measure(args)))


def backfill_rollups(*, reseed: bool) -> None:
    """``manage.py reports_backfill`` once per seeded data set."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT value FROM bench_meta WHERE key IN ('leads', 'rollups') ORDER BY key")
        values = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT value FROM bench_meta WHERE key = 'recounted'")
        recounted = cur.fetchone()
    started = time.perf_counter()
    if len(values) == 2 and values[0] == values[1] and not reseed:
        if recounted and recounted[0] == values[0]:
            log("reusing the rollups")
            return
        # Facts built by an earlier version: recount the histograms and intake counts from them.
        call_command("reports_backfill", "--recount-only", verbosity=0)
    else:
        call_command("reports_backfill", verbosity=0)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM bench_meta WHERE key IN ('rollups', 'recounted')")
        cur.execute("INSERT INTO bench_meta (key, value) SELECT 'rollups', value FROM bench_meta WHERE key = 'leads'")
        cur.execute("INSERT INTO bench_meta (key, value) SELECT 'recounted', value FROM bench_meta WHERE key = 'leads'")
    lead_list.vacuum_analyze("reports_leadfact", "reports_statusstay", "reports_durationhistogram")
    log(f"rollups backfilled in {time.perf_counter() - started:.0f} s")


INTAKE_FORMS = 5
INTAKE_PER_DAY = 300


def seed_intake(*, reseed: bool) -> None:
    """Web-to-Lead submissions over the leads' three years: ``INTAKE_PER_DAY`` a day over
    ``INTAKE_FORMS`` forms (one in twenty without a form), 80% accepted, 5% pending, 10% spam,
    5% rejected."""
    from django.db import connection
    from django.utils import timezone

    from webtolead.models import WebToLeadForm

    with connection.cursor() as cur:
        cur.execute("SELECT value FROM bench_meta WHERE key = 'intake'")
        row = cur.fetchone()
    if row and row[0] == str(INTAKE_PER_DAY) and not reseed:
        log("reusing the Web-to-Lead submissions")
        return
    started = time.perf_counter()
    now = timezone.now()
    forms = [
        WebToLeadForm.objects.get_or_create(
            public_key=f"bench-form-{n}", defaults={"name": f"Bench form {n}", "created_at": now, "updated_at": now}
        )[0].pk
        for n in range(INTAKE_FORMS)
    ]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM bench_meta WHERE key = 'intake'")
        cur.execute("DELETE FROM webtolead_intake")
        cur.execute(
            """
            INSERT INTO webtolead_intake (
                form_id, form_key, payload, content_type, received_at, user_agent, outcome, reason, errors,
                public_ref, submission_key, campaign, sanitized, unused_values, request_id, processed_at
            )
            SELECT CASE WHEN r < 0.05 THEN NULL ELSE (%(forms)s)[1 + (n %% %(form_count)s)] END,
                   'bench', '{}'::jsonb, 'application/x-www-form-urlencoded', received, '',
                   CASE WHEN r < 0.80 THEN 'created' WHEN r < 0.85 THEN 'pending'
                        WHEN r < 0.95 THEN 'spam' ELSE 'rejected' END,
                   '', '{}'::jsonb, md5(n::text), '', '', false, '{}'::jsonb, '', received + interval '1 minute'
            FROM (
                SELECT n, random() AS r, now() - (n::float / %(per_day)s) * interval '1 day' AS received
                FROM generate_series(0, %(per_day)s * 1095 - 1) AS n
            ) AS s
            """,
            {"forms": forms, "form_count": INTAKE_FORMS, "per_day": INTAKE_PER_DAY},
        )
        cur.execute("INSERT INTO bench_meta (key, value) VALUES ('intake', %s)", [str(INTAKE_PER_DAY)])
    lead_list.vacuum_analyze("webtolead_intake")
    log(f"Web-to-Lead submissions seeded in {time.perf_counter() - started:.0f} s")


def seed_history(*, reseed: bool) -> None:
    """Status history rows for every lead not "New" (see the module docstring)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT value FROM bench_meta WHERE key = 'leads'")
        leads = cur.fetchone()[0]
        cur.execute("SELECT value FROM bench_meta WHERE key = 'history'")
        row = cur.fetchone()
    if row and row[0] == leads and not reseed:
        log("reusing the status history")
        return
    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM bench_meta WHERE key = 'history'")
        cur.execute("DELETE FROM core_fieldhistory WHERE object_name = 'lead' AND field_name = 'status'")
        columns = (
            "object_name, record_id, field_name, field_label, old_value, new_value, note, record_version, "
            "changed_by_id, changed_at"
        )
        # The first touch: New -> Working, 1 hour to 3 days after creation (never in the future).
        cur.execute(
            f"""
            INSERT INTO core_fieldhistory ({columns})
            SELECT 'lead', id, 'status', 'Lead Status', 'New', 'Working', '', 2, owner_user_id,
                   LEAST(created_at + interval '1 hour' + random() * interval '3 days', now())
            FROM leads_lead WHERE status <> 'New'
            """
        )
        log(f"history: first touches ({time.perf_counter() - started:.0f} s)")
        # Reopened: one in ten Working leads went to Nurturing and back.
        cur.execute(
            f"""
            INSERT INTO core_fieldhistory ({columns})
            SELECT 'lead', l.id, 'status', 'Lead Status', v.old, v.new, '', v.version, l.owner_user_id,
                   LEAST(l.created_at + v.after, now())
            FROM leads_lead l
            CROSS JOIN (VALUES ('Working', 'Nurturing', 3, interval '5 days'),
                               ('Nurturing', 'Working', 4, interval '12 days')) AS v(old, new, version, after)
            WHERE l.status = 'Working' AND l.id % 10 = 0
            """
        )
        # On to the current status some days later.
        cur.execute(
            f"""
            INSERT INTO core_fieldhistory ({columns})
            SELECT 'lead', id, 'status', 'Lead Status', 'Working', status, '', 3, owner_user_id,
                   LEAST(created_at + interval '4 days' + random() * interval '5 days', now())
            FROM leads_lead WHERE status NOT IN ('New', 'Working')
            """
        )
        cur.execute("INSERT INTO bench_meta (key, value) VALUES ('history', %s)", [leads])
    lead_list.vacuum_analyze("core_fieldhistory")
    log(f"history seeded in {time.perf_counter() - started:.0f} s")


BARE_SQL = {
    "leads-created": """
        SELECT date_trunc('month', created_at), lead_source, count(*) FROM leads_lead
        WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY 1, 2
    """,
    "funnel": """
        SELECT lead_source, count(*),
               count(*) FILTER (WHERE is_converted OR status <> 'New' OR EXISTS (
                   SELECT 1 FROM core_fieldhistory h WHERE h.object_name = 'lead' AND h.record_id = l.id
                   AND h.field_name = 'status')),
               count(*) FILTER (WHERE is_converted OR status = 'Qualified' OR EXISTS (
                   SELECT 1 FROM core_fieldhistory h WHERE h.object_name = 'lead' AND h.record_id = l.id
                   AND h.field_name = 'status' AND h.new_value = 'Qualified')),
               count(*) FILTER (WHERE is_converted)
        FROM leads_lead l WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY 1
    """,
    "conversion-by-source": """
        SELECT lead_source, count(*), count(*) FILTER (WHERE is_converted),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM converted_at - created_at)),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM converted_at - created_at))
        FROM leads_lead WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY 1
    """,
    "time-in-status": """
        SELECT status, count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds)
        FROM (
            SELECT h.old_value AS status, EXTRACT(EPOCH FROM h.changed_at - COALESCE(
                       lag(h.changed_at) OVER (PARTITION BY h.record_id ORDER BY h.changed_at, h.id), l.created_at
                   )) AS seconds
            FROM core_fieldhistory h JOIN leads_lead l ON l.id = h.record_id
            WHERE h.object_name = 'lead' AND h.field_name = 'status'
              AND l.created_at >= %(start)s AND l.created_at < %(end)s
        ) AS visits GROUP BY 1
    """,
    "speed-to-lead": """
        SELECT owner_user_id, owner_queue_id, count(*),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM touched - created_at)),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM touched - created_at))
        FROM (
            SELECT l.owner_user_id, l.owner_queue_id, l.created_at, (
                SELECT min(h.changed_at) FROM core_fieldhistory h WHERE h.object_name = 'lead'
                AND h.record_id = l.id AND h.field_name = 'status' AND h.changed_by_id IS NOT NULL
            ) AS touched
            FROM leads_lead l WHERE l.created_at >= %(start)s AND l.created_at < %(end)s
        ) AS touches GROUP BY 1, 2
    """,
    "queue-backlog": """
        SELECT owner_queue_id, count(*), min(owner_assigned_at),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM now() - owner_assigned_at))
        FROM leads_lead WHERE owner_queue_id IS NOT NULL AND NOT is_converted GROUP BY 1
    """,
    "web-to-lead-intake": """
        SELECT date_trunc('day', received_at), form_id, outcome, count(*) FROM webtolead_intake
        WHERE received_at >= %(start)s AND received_at < %(end)s GROUP BY 1, 2, 3
    """,
}
BUILDER_SQL = """
    SELECT lead_source, date_trunc('month', created_at), count(*), avg(annual_revenue) FROM leads_lead
    WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY 1, 2
"""


def bench_admin():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.roles import SYSTEM_ADMIN, ensure_roles

    ensure_roles()
    user, created = get_user_model().objects.get_or_create(username="bench_reports_admin")
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=SYSTEM_ADMIN))
    return get_user_model().objects.get(pk=user.pk)


def measure(args) -> dict:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from reports.selectors import REPORTS, run_report

    admin = bench_admin()
    today = timezone.localdate()
    date_from = today - dt.timedelta(days=args.days - 1)
    data = {"created_from": date_from.isoformat(), "created_to": today.isoformat(), "period": "month"}
    bounds = {
        "start": timezone.make_aware(dt.datetime.combine(date_from, dt.time.min)),
        "end": timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min)),
    }

    def run(key: str):
        return lambda: run_report(user=admin, key=key, data=data)

    def bare(sql: str):
        def go():
            with connection.cursor() as cur:
                cur.execute(sql, bounds)
                cur.fetchall()

        return go

    # The standard lead reports (other apps add reports of their own, not measured here).
    cases = {key: (run(key), bare(sql)) for key, sql in BARE_SQL.items() if key in REPORTS}
    builder = builder_case(admin, date_from, today)
    if builder is not None:
        cases["builder: source x month"] = (builder, bare(BUILDER_SQL))
    used_rollups = {key: source_of(run_report(user=admin, key=key, data=data)[1], key) for key in BARE_SQL}
    load_before = os.getloadavg()[0]
    timings = {}
    for key, (report_run, bare_run) in cases.items():
        samples: dict[str, list[float]] = {"report": [], "bare": []}
        for _ in range(args.warmup):
            report_run()
            bare_run()
        for _ in range(args.requests):
            for name, call in (("report", report_run), ("bare", bare_run)):
                started = time.perf_counter()
                call()
                samples[name].append((time.perf_counter() - started) * 1000)
        timings[key] = {name: lead_list.percentile(values, 95) for name, values in samples.items()}
        log(f"{key}: {timings[key]}")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM leads_lead")
        leads = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM reports_leaddailycount")
        daily = cur.fetchone()[0]
    return {
        "leads": leads,
        "daily_rows": daily,
        "days": args.days,
        "timings": timings,
        "rollups": used_rollups,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def source_of(params, key: str) -> str:
    """What the report read: the duration histograms, the rollups, the daily intake counts or the
    raw rows."""
    from reports.intake_rollup import intake_counts_ready

    if key == "web-to-lead-intake":
        return "daily" if intake_counts_ready() else "raw"
    return "histogram" if params.histograms else "rollups" if params.rollups else "raw"


def builder_case(admin, date_from, date_to):
    """A builder report on leads grouped by source and creation month, or None when the builder is
    not there."""
    try:
        from reports.builder import ReportDefinition, run_definition
    except ImportError:
        return None
    definition = ReportDefinition.from_data(
        {
            "object_name": "lead",
            "columns": ["company", "lead_source", "annual_revenue"],
            "criteria": [
                {"field": "created_at", "operator": "gte", "value": date_from.isoformat()},
                {"field": "created_at", "operator": "lte", "value": date_to.isoformat()},
            ],
            "groupings": [{"field": "lead_source"}, {"field": "created_at", "period": "month"}],
            "summaries": [{"function": "avg", "field": "annual_revenue"}],
        }
    )
    return lambda: run_definition(definition, user=admin)


def report(results: dict, args) -> None:
    print()
    print(f"Reports benchmark: {results['leads']:,} leads, {results['daily_rows']:,} daily rollup rows; a system")
    print(f"admin (reads every lead) runs each report over the last {results['days']} days by month,")
    print(f"{args.requests} timed runs after {args.warmup} warm-ups, alternating with the bare SQL GROUP BY")
    print("over the same lead rows in the same run.")
    print(f"Load average during the run: {results['load_before']:.1f} -> {results['load_after']:.1f}.")
    print()
    header = f"{'report':<28}{'source':>10}{'report p95':>13}{'bare p95':>11}{'ratio':>8}  target"
    print(header)
    print("-" * len(header))
    for key, t in results["timings"].items():
        ratio = t["report"] / t["bare"] if t["bare"] else float("inf")
        builder = key.startswith("builder")
        if builder:
            ok = t["report"] < BUILDER_TARGET_MS
            source = "raw"
        else:
            ok = t["report"] < REPORT_TARGET_MS and ratio <= 1
            source = results["rollups"].get(key) or "raw"
        target = f"< {BUILDER_TARGET_MS} ms" if builder else f"< {REPORT_TARGET_MS} ms and <= 1x"
        print(
            f"{key:<28}{source:>10}{t['report']:>11.1f}ms{t['bare']:>9.1f}ms{ratio:>8.2f}  "
            f"{target}: {'met' if ok else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
