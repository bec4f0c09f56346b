"""Global search benchmark: server time of ``GET /api/search/?q=`` at N leads.

Seeds one PostgreSQL database, ``leadcrm_bench_search``, on the server of ``DATABASE_URL``
(default ``postgres://postgres@127.0.0.1:5432/``) with N leads (default 100,000) spread over 50
sales reps, through the seeding of ``bench/lead_list.py`` (same names, companies, statuses), plus
a few thousand accounts, contacts and opportunities. Then it times the search API through Django's
test client for a mix of queries, as a system admin (sees every lead) and as a sales rep (Private
sharing: their own leads and their queue's), and prints p50 and p95 per query and overall, with
the p95 of the time spent in the database (on a busy shared machine the rest is mostly waiting
for a CPU).

    .venv/bin/python bench/search.py                     # 100,000 leads
    .venv/bin/python bench/search.py --leads 1000000     # 1,000,000 leads (the target size)
    .venv/bin/python bench/search.py --explain           # also EXPLAIN ANALYZE the lead query

Target: p95 < 150 ms at 1,000,000 leads. A database already seeded with the same number of leads
is reused; ``--reseed`` starts over.
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

DB = "leadcrm_bench_search"
ACCOUNTS = 5_000
TARGET_MS = 150
# (label, query): prefixes of companies, names and emails, a word inside company names, a full name, a phone number, an
# accented spelling of an unaccented name, a short and very common prefix, and no match at all.
QUERIES = [
    ("company word", "Northwind"),
    ("word inside a company", "Robotics"),
    ("last name", "Garcia"),
    ("full name", "Maria Lopez"),
    ("email prefix", "james.smith"),
    ("phone digits", "555 0042"),
    ("accented query", "Gónzalez"),
    ("common 2-letter prefix", "ma"),
    ("no match", "zzyzx"),
]


def run_child(mode: list[str], args) -> str:
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if not url.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point to a PostgreSQL server.")
    env = {
        **os.environ,
        "DATABASE_URL": urlunparse(url._replace(path=f"/{DB}")),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "LEADCRM_VAR_DIR": tempfile.mkdtemp(prefix="leadcrm-bench-"),
        "LOG_LEVEL": "ERROR",
        "API_THROTTLE_USER_RATE": "1000000/min",
        "API_THROTTLE_TOKEN_RATE": "1000000/min",
    }
    env.pop("REDIS_URL", None)
    cmd = [sys.executable, __file__, "--child", *mode, "--requests", str(args.requests), "--warmup", str(args.warmup)]
    cmd += ["--reseed"] if args.reseed else []
    cmd += ["--explain"] if args.explain else []
    proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"Benchmark step {' '.join(mode)} failed (exit {proc.returncode}).")
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000, help="leads in the database")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per query and user")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before timing")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the data is there")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the lead queries")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    run_child(["--seed", "--leads", str(args.leads)], args)
    report(json.loads(run_child(["--measure"], args)), args)


def report(results: dict, args) -> None:
    n = results["leads"]
    print()
    print(f"Global search benchmark: GET /api/search/?q= through Django's test client at {n:,} leads,")
    print(f"{args.requests} timed requests per query and user after {args.warmup} warm-ups.")
    print(f"The rep (Private sharing) reads {results['rep_leads']:,} of the leads; the admin reads all.")
    print(f"Load average during the run: {results['load_before']:.1f} -> {results['load_after']:.1f}.")
    print()
    header = f"{'query':<34}{'admin p50':>11}{'admin p95':>11}{'db p95':>9}{'rep p50':>11}{'rep p95':>11}{'db p95':>9}"
    print(header)
    print("-" * len(header))
    for label, query in QUERIES:
        a, r = results["timings"]["admin"][label], results["timings"]["rep"][label]
        name = f"{label} ({query!r})"
        print(
            f"{name:<34}{a['p50']:>9.1f}ms{a['p95']:>9.1f}ms{a['db_p95']:>7.1f}ms"
            f"{r['p50']:>9.1f}ms{r['p95']:>9.1f}ms{r['db_p95']:>7.1f}ms"
        )
    print()
    for who in ("admin", "rep"):
        overall = results["overall"][who]
        verdict = "met" if overall["p95"] < TARGET_MS else "MISSED"
        print(
            f"All queries as {who}: p50 {overall['p50']:.1f} ms, p95 {overall['p95']:.1f} ms "
            f"(database time p95 {overall['db_p95']:.1f} ms) "
            f"(target p95 < {TARGET_MS} ms at 1,000,000 leads: {verdict} at {n:,})"
        )


# Child: Django loaded -----------------------------------------------------------------------------


def child(args) -> None:
    if args.seed:
        lead_list.ensure_database(DB)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")
    import django

    django.setup()
    if args.seed:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        lead_list.seed(args.leads, reseed=args.reseed)
        seed_sales()
        return
    print(json.dumps(measure(args)))


def seed_sales() -> None:
    """Accounts with a contact and an opportunity each, owned by the benchmark reps."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from sales.models import Account

    if Account.objects.filter(name__startswith="Bench ").count() >= ACCOUNTS:
        return
    reps = list(get_user_model().objects.filter(username__startswith="bench_rep_").values_list("pk", flat=True))
    with connection.cursor() as cur:
        for table in ("sales_opportunity", "sales_contact", "sales_account"):
            cur.execute(f"DELETE FROM {table}")
    from sales.models import Contact, Opportunity

    now = __import__("django.utils.timezone", fromlist=["now"]).now()
    firsts, lasts, words = lead_list.FIRST_NAMES, lead_list.LAST_NAMES, lead_list.COMPANY_WORDS
    accounts = Account.objects.bulk_create(
        Account(
            name=f"Bench {words[i % len(words)]} {lead_list.COMPANY_NOUNS[i % len(lead_list.COMPANY_NOUNS)]} {i}",
            phone=f"+1 555 {i % 10000:04d}",
            owner_id=reps[i % len(reps)],
            created_at=now,
            last_modified_at=now,
        )
        for i in range(ACCOUNTS)
    )
    Contact.objects.bulk_create(
        Contact(
            account=a,
            first_name=firsts[i % len(firsts)],
            last_name=lasts[(i * 7) % len(lasts)],
            email=f"{firsts[i % len(firsts)]}.{lasts[(i * 7) % len(lasts)]}{i}@example.com".lower(),
            owner_id=a.owner_id,
            created_at=now,
            last_modified_at=now,
        )
        for i, a in enumerate(accounts)
    )
    Opportunity.objects.bulk_create(
        Opportunity(
            account=a,
            name=f"{a.name} renewal",
            stage="Prospecting",
            probability=10,
            close_date=now.date(),
            owner_id=a.owner_id,
            created_at=now,
            last_modified_at=now,
        )
        for a in accounts
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE sales_account; ANALYZE sales_contact; ANALYZE sales_opportunity")


def measure(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from core.roles import SYSTEM_ADMIN
    from leads.selectors import leads_visible_to

    User = get_user_model()
    admin, created = User.objects.get_or_create(username="bench_search_admin")
    if created:
        admin.set_unusable_password()
        admin.save()
    admin.groups.add(Group.objects.get(name=SYSTEM_ADMIN))
    rep = User.objects.get(username="bench_rep_01")
    load_before = os.getloadavg()[0]
    timings: dict = {"admin": {}, "rep": {}}
    overall: dict = {"admin": [], "rep": []}
    db_overall: dict = {"admin": [], "rep": []}
    spent = [0.0]

    def timed(execute, sql, params, many, context):
        # Database time of the request: on a shared, busy machine it tells the queries' cost apart
        # from the Python work that waits for a CPU.
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started

    for who, user in (("admin", admin), ("rep", rep)):
        client = Client()
        client.force_login(user)
        for label, query in QUERIES:
            samples, db_samples = [], []
            for i in range(args.warmup + args.requests):
                spent[0] = 0.0
                started = time.perf_counter()
                with connection.execute_wrapper(timed):
                    response = client.get("/api/search/", {"q": query})
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    sys.exit(f"{label}: HTTP {response.status_code}")
                if i >= args.warmup:
                    samples.append(elapsed)
                    db_samples.append(spent[0] * 1000)
            timings[who][label] = {
                "p50": lead_list.percentile(samples, 50),
                "p95": lead_list.percentile(samples, 95),
                "db_p95": lead_list.percentile(db_samples, 95),
            }
            overall[who] += samples
            db_overall[who] += db_samples
            if args.explain:
                explain(user, query, who, label)
    from leads.models import Lead

    return {
        "leads": Lead.objects.count(),
        "rep_leads": leads_visible_to(rep).count(),
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        "timings": timings,
        "overall": {
            who: {
                "p50": lead_list.percentile(s, 50),
                "p95": lead_list.percentile(s, 95),
                "db_p95": lead_list.percentile(db_overall[who], 95),
            }
            for who, s in overall.items()
        },
        "vendor": connection.vendor,
    }


def explain(user, query: str, who: str, label: str) -> None:
    from django.db import connection

    from core.registry import searchable_objects
    from search.selectors import search_records

    spec = next(s for s in searchable_objects() if s.object_name == "lead")
    sql, params = search_records(spec, user=user, query=query)[:6].query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN ANALYZE {sql}", params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    print(f"--- {who} / {label}\n{plan}", file=sys.stderr)


if __name__ == "__main__":
    main()
