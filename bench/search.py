"""Global search benchmark: server time of ``GET /api/search/?q=`` at N leads.

Seeds one PostgreSQL database, ``leadcrm_bench_search``, on the server of ``DATABASE_URL``
(default ``postgres://postgres@127.0.0.1:5432/``) with N leads (default 100,000) spread over 50
sales reps, through the helpers of ``bench/lead_list.py`` (same names, companies, statuses); when
the lead list benchmark's ``leadcrm_bench`` holds N leads and this database does not exist yet, it
starts from a copy of it. It adds a few thousand leads with accented names and a few thousand
accounts, contacts and opportunities. Then it times the search API through Django's test client
for a mix of queries (mid-name words and accented spellings among them), as a system admin (sees
every lead) and as a sales rep (Private sharing: their own leads and their queue's), and prints
p50 and p95 per query and overall, with the p95 of the time spent in the database (on a busy
shared machine the rest is mostly waiting for a CPU).

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
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import lead_list as base  # noqa: E402  (the lead seeding, child processes and timing helpers)

DB = "leadcrm_bench_search"
ACCOUNTS = 5_000
TARGET_MS = 150
# (label, query): prefixes of companies, names and emails, a word in the middle of company names
# (whole and begun), a full name, a phone number, accented spellings of unaccented names (and an
# unaccented one of the accented leads the benchmark adds), a short and very common prefix, and no
# match at all.
QUERIES = [
    ("company word", "Northwind"),
    ("mid-name word", "Robotics"),
    ("mid-name word begun", "robo"),
    ("last name", "Garcia"),
    ("full name", "Maria Lopez"),
    ("email prefix", "james.smith"),
    ("phone digits", "555 0042"),
    ("accented query", "Gónzalez"),
    ("accented full name", "José García"),
    ("unaccented, accented data", "Nuñez"),
    ("common 2-letter prefix", "ma"),
    ("no match", "zzyzx"),
]
# Leads whose names carry accents, so that an unaccented query has accented rows to find.
ACCENTED_LEADS = 2_000
ACCENTED_FIRST = ["José", "María", "Łukasz", "Zoë", "Renée", "Ångström"]
ACCENTED_LAST = ["Núñez", "García", "Muñoz", "Pérez", "Gómez", "Dvořák"]


def copy_lead_list_database(leads: int) -> None:
    """Start from the lead list benchmark's database (``leadcrm_bench``) when it holds the same
    number of leads and this benchmark's database does not exist yet: copying it takes a minute
    where seeding a million leads takes several. Never writes into the source."""
    import psycopg2

    url = urlparse(base.server_url())
    params = {"host": url.hostname, "port": url.port or 5432, "user": url.username, "password": url.password}
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT datname FROM pg_database WHERE datname IN (%s, %s)", [DB, base.LARGE_DB])
        present = {row[0] for row in cur.fetchall()}
    conn.close()
    if DB in present or base.LARGE_DB not in present:
        return
    source = psycopg2.connect(dbname=base.LARGE_DB, **params)
    with source.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_meta') IS NOT NULL")
        seeded = cur.fetchone()[0]
        if seeded:
            cur.execute("SELECT value FROM bench_meta WHERE key = 'leads'")
            row = cur.fetchone()
            seeded = bool(row) and int(row[0]) == leads
    source.close()
    if not seeded:
        return
    cmd = ["createdb", "-w", "-h", params["host"], "-p", str(params["port"]), "-U", params["user"] or "postgres"]
    cmd += ["-T", base.LARGE_DB, DB]
    env = {**os.environ, **({"PGPASSWORD": params["password"]} if params["password"] else {})}
    base.log(f"{DB}: copying {base.LARGE_DB} ({leads:,} leads)")
    if subprocess.run(cmd, env=env, check=False).returncode != 0:
        base.log(f"{DB}: could not copy {base.LARGE_DB} (in use?); seeding instead")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000, help="leads in the database")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per query and user")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before timing")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the data is there")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the lead queries")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        base.child(args, seed=seed, measure=measure)
        return
    # The timed requests come faster than the API's rate limits allow, and a log line each would
    # only slow them down.
    os.environ["API_THROTTLE_USER_RATE"] = os.environ["API_THROTTLE_TOKEN_RATE"] = "1000000/min"
    os.environ["ACCESS_LOG"] = "false"
    server = base.server_url()
    if not args.reseed:
        copy_lead_list_database(args.leads)
    steps = {"script": __file__, "database": DB}
    base.run_child(server, ["--seed", DB, "--leads", str(args.leads)], args, **steps)
    report(json.loads(base.run_child(server, ["--measure"], args, **steps)), args)


def report(results: dict, args) -> None:
    n = results["leads"]
    print()
    print(f"Global search benchmark: GET /api/search/?q= through Django's test client at {n:,} leads,")
    print(f"{args.requests} timed requests per query and user after {args.warmup} warm-ups.")
    print(f"The rep (Private sharing) reads {results['rep_leads']:,} of the leads; the admin reads all.")
    print(f"Load average during the run: {results['load_before']:.1f} -> {results['load_after']:.1f}.")
    print()
    header = f"{'query':<46}{'admin p50':>11}{'admin p95':>11}{'db p95':>9}{'rep p50':>11}{'rep p95':>11}{'db p95':>9}"
    print(header)
    print("-" * len(header))
    for label, query in QUERIES:
        a, r = results["timings"]["admin"][label], results["timings"]["rep"][label]
        name = f"{label} ({query!r})"
        print(
            f"{name:<46}{a['p50']:>9.1f}ms{a['p95']:>9.1f}ms{a['db_p95']:>7.1f}ms"
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


def seed(total: int, *, reseed: bool) -> dict:
    users = base.seed(total, reseed=reseed)
    seed_accented_leads()
    seed_sales()
    return users


def seed_accented_leads() -> None:
    """A few thousand leads with accented names, owned by the benchmark reps (the measured rep
    among them), kept apart from the seeded ones by their company."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from leads.models import Lead

    if Lead.objects.filter(company__startswith="Bench Accents ").count() >= ACCENTED_LEADS:
        return
    Lead.objects.filter(company__startswith="Bench Accents ").delete()
    reps = list(get_user_model().objects.filter(username__startswith="bench_rep_").order_by("username"))
    now = timezone.now()
    Lead.objects.bulk_create(
        Lead(
            first_name=ACCENTED_FIRST[i % len(ACCENTED_FIRST)],
            last_name=ACCENTED_LAST[(i // len(ACCENTED_FIRST)) % len(ACCENTED_LAST)],
            company=f"Bench Accents {i}",
            email=f"accents{i}@example.com",
            status="New",
            owner_user=reps[i % len(reps)],
            owner_assigned_at=now,
            created_at=now,
            last_modified_at=now,
        )
        for i in range(ACCENTED_LEADS)
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE leads_lead")


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
    firsts, lasts, words = base.FIRST_NAMES, base.LAST_NAMES, base.COMPANY_WORDS
    accounts = Account.objects.bulk_create(
        Account(
            name=f"Bench {words[i % len(words)]} {base.COMPANY_NOUNS[i % len(base.COMPANY_NOUNS)]} {i}",
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
                "p50": base.percentile(samples, 50),
                "p95": base.percentile(samples, 95),
                "db_p95": base.percentile(db_samples, 95),
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
                "p50": base.percentile(s, 50),
                "p95": base.percentile(s, 95),
                "db_p95": base.percentile(db_overall[who], 95),
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
