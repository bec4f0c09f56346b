"""Lead list benchmark: server time of the lead list at 1,000 leads and at N leads.

Seeds two PostgreSQL databases on the server of ``DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/``): ``leadcrm_bench_small`` with 1,000 leads and
``leadcrm_bench`` with N (default 100,000), both created and migrated by this script, with bulk
``INSERT ... SELECT generate_series`` and a realistic spread over 50 sales reps (plus a few queues),
statuses, sources, industries, companies and three years of creation dates; about 8% of the leads
are converted. Then it times three requests of one sales rep (Private sharing) through Django's
test client, against the HTML list view and the REST API, alternating request by request between
the two databases so that both sizes see the same load on a shared machine:

- My Leads (``?view=my``),
- a status filter (``status=Working``),
- a company-prefix search (``q=`` / ``search=`` a company's first word).

It prints p50 and p95 of each (``--requests`` timed after ``--warmup`` untimed requests) and the
ratio p95(N) / p95(1,000). Targets: ratio at most 2 at 1,000,000 leads, p95 under 100 ms.

Then, as a system admin who sees every lead, it times All Leads sorted by every sortable column of
the list, ascending and descending, through the HTML list and the API (``--sort-requests`` each,
``--columns`` to pick some), and prints the p95 of each case and the worst p95 per column against
the target (under 100 ms at N leads).

    .venv/bin/python bench/lead_list.py                    # 100,000 leads
    .venv/bin/python bench/lead_list.py --leads 1000000    # 1,000,000 leads
    .venv/bin/python bench/lead_list.py --explain          # also EXPLAIN ANALYZE the list queries

A database already seeded with the same number of leads is reused; ``--reseed`` starts over.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from scratch import ensure_database  # the benchmarks' own database helpers (bench/)

ROOT = Path(__file__).resolve().parent.parent
SMALL = 1_000
OWNERS = 50
QUEUES = 3
BATCH = 100_000
SEARCH = "Northwind"
SMALL_DB = "leadcrm_bench_small"
LARGE_DB = "leadcrm_bench"
STATUS = "Working"


def words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = words(
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan Joseph "
    "Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra Mark Margaret "
    "Donald Ashley Steven Kimberly Andrew Emily Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa "
    "George Deborah Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy Jacob "
    "Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry Pamela Justin Nicole Scott "
    "Anna Brandon Samantha Benjamin Katherine Samuel Christine Gregory Debra Alexander Rachel Patrick Carolyn Frank "
    "Janet Raymond Maria Jack Olivia Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria "
    "Nathan Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia Ethan Judith "
    "Jeremy Evelyn Christian Hannah Walter Andrea Keith Megan Austin Cheryl Roger Jacqueline Terry Madison Sean "
    "Teresa Gerald Abigail Carl Sophia Dylan Martha Harold Sara Jordan Gloria Jesse Janice Bryan Kathryn Lawrence "
    "Ann Arthur Isabella Gabriel Judy Bruce Charlotte Logan Julia Billy Grace Joe Amber Alan Alice Juan Jean "
    "Elijah Denise Willie Frances Albert Danielle Wayne Marilyn Randy Natalie Mason Beverly Vincent Diana Liam "
    "Brittany Roy Theresa Bobby Kayla Caleb Alexis Bradley Doris Russell Lori Lucas Tiffany"
)
LAST_NAMES = words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez Wilson "
    "Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis "
    "Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera "
    "Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim "
    "Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo "
    "Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler "
    "Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds "
    "Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford "
    "Castro Marshall Owens Harrison Fernandez Mcdonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman "
    "Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon "
    "Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice "
    "Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer"
)
COMPANY_WORDS = words(
    "Acme Globex Initech Umbrella Hooli Stark Wayne Wonka Tyrell Cyberdyne Soylent Aperture Vandelay Massive "
    "Dynamic Gringotts Oceanic Virtucon Monarch Duff Gekko Sterling Prestige Nakatomi Weyland Blue Red Green "
    "Silver Golden Iron Summit Pinnacle Apex Vertex Zenith Horizon Frontier Pioneer Liberty Eagle Falcon Hawk "
    "Lion Tiger Bear Wolf Fox Orca Cedar Maple Oak Pine Birch Willow River Lake Ocean Harbor Bay Coast Delta "
    "Canyon Mesa Prairie Valley Ridge Peak Alpine Arctic Polar Solar Lunar Stellar Cosmic Quantum Atomic Fusion "
    "Vector Matrix Nexus Vortex Helix Prism Spectrum Radiant Bright Clear Swift Rapid Agile Nimble Smart Clever "
    "Wise Noble Royal Regal Crown Empire Kingdom Union United Allied Global International Continental National "
    "Metro Urban City Civic Northern Southern Eastern Western Central Midland Highland Lowland Coastal Atlantic "
    "Pacific Northwind Southwind Eastgate Westgate Riverside Lakeside Hillside Parkside Seaside Brookfield "
    "Greenfield Springfield Fairview Clearview Bellview Newport Bridgeport Stockport Ashford Bradford Stanford "
    "Oxford Cambridge Windsor Kingston Hamilton Lancaster Chester Dorset Essex Kent Sussex Surrey Devon Cornwall "
    "Avalon Camelot Olympus Atlas Titan Orion Apollo Artemis Athena Hermes Mercury Jupiter Saturn Neptune Pluto "
    "Galaxy Nova Comet Meteor Aurora Borealis Equinox Solstice Tempest Thunder Lightning Storm Blizzard Cyclone "
    "Granite Marble Quartz Cobalt Copper Bronze Platinum Titanium Carbon Graphite Crystal Diamond Emerald Ruby "
    "Sapphire Onyx Jade Amber Ivory Ebony Scarlet Crimson Azure Indigo Violet Magenta Teal Cyan Ochre Sienna"
)
COMPANY_NOUNS = words(
    "Systems Solutions Technologies Industries Holdings Partners Ventures Capital Logistics Networks Analytics "
    "Software Labs Dynamics Robotics Energy Foods Media Health Pharma Motors Aerospace Retail Consulting Financial "
    "Insurance Realty Construction Design Marketing Data Cloud Security Telecom Biotech Materials Chemicals Textiles "
    "Outfitters Brewing Farms Mining Shipping Airlines Hotels Studios Publishing Education Learning Services"
)
COMPANY_SUFFIXES = ["Inc", "LLC", "Ltd", "Group", "Corp", "GmbH", "Co"]
CITIES = [
    ("New York", "NY", "USA"),
    ("San Francisco", "CA", "USA"),
    ("Chicago", "IL", "USA"),
    ("Austin", "TX", "USA"),
    ("Boston", "MA", "USA"),
    ("Seattle", "WA", "USA"),
    ("London", "", "United Kingdom"),
    ("Manchester", "", "United Kingdom"),
    ("Berlin", "", "Germany"),
    ("Munich", "", "Germany"),
    ("Paris", "", "France"),
    ("Toronto", "ON", "Canada"),
    ("Sydney", "NSW", "Australia"),
    ("Singapore", "", "Singapore"),
    ("Dublin", "", "Ireland"),
    ("Amsterdam", "", "Netherlands"),
]
TITLES = ["CEO", "CTO", "CFO", "VP Sales", "VP Marketing", "Head of IT", "Director", "Manager", "Buyer", "Engineer", ""]
# (status, share): a typical funnel; most Qualified leads have been converted.
STATUSES = [("New", 0.30), ("Working", 0.25), ("Nurturing", 0.15), ("Unqualified", 0.20), ("Qualified", 0.10)]


# Orchestration (no Django here) --------------------------------------------------------------


def server_url() -> str:
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    if not url.scheme.startswith("postgres"):
        sys.exit("DATABASE_URL must point to a PostgreSQL server.")
    return urlunparse(url._replace(path="/"))


def database_url(server: str, name: str) -> str:
    return urlunparse(urlparse(server)._replace(path=f"/{name}"))


def run_child(server: str, mode: list[str], args, *, script: str = __file__, database: str = LARGE_DB) -> str:
    """Run one step in a fresh process (``script --child ...``): seeding a database, or measuring."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(server, database),
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "LEADCRM_VAR_DIR": tempfile.mkdtemp(prefix="leadcrm-bench-"),
        "LOG_LEVEL": "ERROR",
        # The timed requests come from one user as fast as they are answered: no API throttle.
        "API_THROTTLE_USER_RATE": "1000000/min",
        "API_THROTTLE_TOKEN_RATE": "1000000/min",
    }
    env.pop("REDIS_URL", None)
    env.pop("TEST_DB_NAME", None)
    cmd = [sys.executable, script, "--child", *mode, "--requests", str(args.requests), "--warmup", str(args.warmup)]
    cmd += ["--reseed"] if args.reseed else []
    cmd += ["--explain"] if args.explain else []
    # Scripts that reuse this one (bench/search.py) have no sort cases.
    if hasattr(args, "sort_requests"):
        cmd += ["--sort-requests", str(args.sort_requests), "--columns", args.columns]
        cmd += ["--no-sorts"] if args.no_sorts else []
    proc = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"Benchmark step {' '.join(mode)} failed (exit {proc.returncode}).")
    return proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=100_000, help="leads in the large database")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per case and size")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests before timing")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the data is there")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each list query")
    parser.add_argument("--sort-requests", type=int, default=20, help="timed requests per sort case and size")
    parser.add_argument("--columns", default="", help="comma-separated sort columns to time (default: all)")
    parser.add_argument("--no-sorts", action="store_true", help="skip the sort cases")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    if args.leads < SMALL:
        sys.exit(f"--leads must be at least {SMALL}.")
    server = server_url()
    run_child(server, ["--seed", SMALL_DB, "--leads", str(SMALL)], args)
    run_child(server, ["--seed", LARGE_DB, "--leads", str(args.leads)], args)
    results = json.loads(run_child(server, ["--measure"], args))
    report(results, args)


def report(results: dict, args) -> None:
    small, large = results["small"], results["large"]
    n = large["leads"]
    print()
    print(f"Lead list benchmark: server time through Django's test client, as a sales rep owning 1/{OWNERS}")
    print(f"of the leads (Private sharing); {args.requests} timed requests per case and size after")
    print(f"{args.warmup} warm-ups, the two sizes measured alternately so that both see the same machine load.")
    print(f"Rep's leads: {small['rep_leads']:,} of {small['leads']:,} / {large['rep_leads']:,} of {n:,}.")
    print(f"Load average during the run: {results['load_before']:.1f} -> {results['load_after']:.1f}.")
    print()
    header = (
        f"{'case':<34}{'p50 @1k':>10}{'p95 @1k':>10}{f'p50 @{n:,}':>16}{f'p95 @{n:,}':>16}{'ratio p95':>11}  target"
    )
    print(header)
    print("-" * len(header))
    worst_ratio = 0.0
    worst_p95 = 0.0
    for key, label in results["labels"].items():
        s, big = small["timings"][key], large["timings"][key]
        ratio = big["p95"] / s["p95"] if s["p95"] else float("inf")
        ok = ratio <= 2 and big["p95"] < 100
        worst_ratio = max(worst_ratio, ratio)
        worst_p95 = max(worst_p95, big["p95"])
        print(
            f"{label:<34}{s['p50']:>8.1f}ms{s['p95']:>8.1f}ms{big['p50']:>14.1f}ms{big['p95']:>14.1f}ms"
            f"{ratio:>11.2f}  {'met' if ok else 'MISSED'}"
        )
    print()
    print(f"Worst ratio p95({n:,}) / p95(1,000): {worst_ratio:.2f} (target <= 2)")
    print(f"Worst p95 at {n:,} leads: {worst_p95:.1f} ms (target < 100 ms)")
    if results.get("sort_labels"):
        report_sorts(results, args)


def report_sorts(results: dict, args) -> None:
    small, large = results["small"], results["large"]
    n = large["leads"]
    print()
    print(f"Sorting All Leads as a system admin (every lead visible): {args.sort_requests} timed requests per")
    print("case and size, first page of 25 (HTML) / 50 (API).")
    print()
    print("'lead SQL' is the time of the request's lead queries alone (sent to rows fetched).")
    print()
    header = f"{'case':<34}{'p95 @1k':>10}{f'p95 @{n:,}':>16}{'lead SQL p95':>14}  target"
    print(header)
    print("-" * len(header))
    per_column: dict[str, float] = {}
    per_column_db: dict[str, float] = {}
    for key, (label, column) in results["sort_labels"].items():
        s, big = small["timings"][key], large["timings"][key]
        per_column[column] = max(per_column.get(column, 0.0), big["p95"])
        per_column_db[column] = max(per_column_db.get(column, 0.0), big["db_p95"])
        print(
            f"{label:<34}{s['p95']:>8.1f}ms{big['p95']:>14.1f}ms{big['db_p95']:>12.1f}ms"
            f"  {'met' if big['p95'] < 100 else 'MISSED'}"
        )
    print()
    print(f"Worst p95 per sort column at {n:,} leads (HTML and API, both directions; target < 100 ms):")
    for column, p95 in per_column.items():
        print(
            f"  {column:<20}{p95:>8.1f} ms   lead SQL {per_column_db[column]:>7.1f} ms  {'met' if p95 < 100 else 'MISSED'}"
        )
    missed = [c for c, p95 in per_column.items() if p95 >= 100]
    print(
        f"Columns under target: {len(per_column) - len(missed)} of {len(per_column)}"
        + (f" (missed: {', '.join(missed)})" if missed else "")
    )


# Child: one database, Django loaded -----------------------------------------------------------


def vacuum_analyze(*tables: str) -> None:
    """As after any bulk load: statistics, and the visibility map that index-only scans need
    (VACUUM runs outside a transaction, so on the connection in autocommit for the while)."""
    from django.db import connection

    connection.ensure_connection()
    autocommit = connection.connection.autocommit
    connection.connection.autocommit = True
    try:
        with connection.connection.cursor() as cur:
            for table in tables:
                cur.execute(f"VACUUM ANALYZE {table}")
    finally:
        connection.connection.autocommit = autocommit


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child(args, *, seed=None, measure=None) -> None:
    """One step with Django loaded: seed ``args.seed`` or measure (another script's functions may
    stand in for this one's)."""
    seed = seed or globals()["seed"]
    measure = measure or globals()["measure"]
    if args.seed:
        url = urlparse(os.environ["DATABASE_URL"])
        os.environ["DATABASE_URL"] = urlunparse(url._replace(path=f"/{args.seed}"))
        ensure_database(args.seed)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")
    import django

    django.setup()
    if args.seed:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        seed(args.leads, reseed=args.reseed)
        return
    print(json.dumps(measure(args)))


def seed(total: int, *, reseed: bool) -> dict:
    """Users, queues and ``total`` leads; answers the benchmark users. Reuses complete data."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction

    from core.models import OrgSettings
    from core.picklist_values import LEAD_SOURCES
    from core.roles import SALES_REP, ensure_roles
    from leads.models import Queue
    from leads.ownership import owner_sort_name

    ensure_roles()
    User = get_user_model()
    rep_group = Group.objects.get(name=SALES_REP)
    reps = []
    for i in range(1, OWNERS + 1):
        user, created = User.objects.get_or_create(
            username=f"bench_rep_{i:02d}",
            defaults={"first_name": FIRST_NAMES[i], "last_name": LAST_NAMES[i], "email": f"rep{i}@example.com"},
        )
        if created:
            user.set_unusable_password()
            user.save()
            user.groups.add(rep_group)
        reps.append(user)
    queues = [Queue.objects.get_or_create(name=f"Bench Queue {i}")[0] for i in range(1, QUEUES + 1)]
    # The measured rep also works one queue, as reps usually do.
    queues[0].members.add(reps[0])
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})

    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text NOT NULL)")
        cur.execute("SELECT value FROM bench_meta WHERE key = 'leads'")
        row = cur.fetchone()
    if row and int(row[0]) == total and not reseed:
        log(f"{connection.settings_dict['NAME']}: reusing {total:,} seeded leads")
        return {"rep": reps[0]}

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM bench_meta WHERE key = 'leads'")
        cur.execute("TRUNCATE leads_lead RESTART IDENTITY CASCADE")
        cur.execute("DELETE FROM core_fieldhistory WHERE object_name = 'lead'")
    params = {
        "firsts": FIRST_NAMES,
        "lasts": LAST_NAMES,
        "words": COMPANY_WORDS,
        "nouns": COMPANY_NOUNS,
        "suffixes": COMPANY_SUFFIXES,
        "cities": [c[0] for c in CITIES],
        "states": [c[1] for c in CITIES],
        "countries": [c[2] for c in CITIES],
        "titles": TITLES,
        "sources": LEAD_SOURCES,
        "industries": ["Banking", "Technology", "Retail", "Healthcare", "Manufacturing", "Consulting", "Energy", ""],
        "ratings": ["Hot", "Warm", "Cold", "", ""],
        "users": [u.pk for u in reps],
        "queues": [q.pk for q in queues],
        "user_names": [owner_sort_name(u) for u in reps],
        "queue_names": [owner_sort_name(q) for q in queues],
    }
    cuts = []
    acc = 0.0
    for status, share in STATUSES[:-1]:
        acc += share
        cuts.append((status, acc))
    status_case = (
        "CASE "
        + " ".join(f"WHEN r_status < {cut} THEN '{status}'" for status, cut in cuts)
        + f" ELSE '{STATUSES[-1][0]}' END"
    )
    pick = "(%({name})s::{kind}[])[1 + floor(random() * cardinality(%({name})s::{kind}[]))::int]"

    def p(name: str, kind: str = "text") -> str:
        return pick.format(name=name, kind=kind)

    insert = f"""
        INSERT INTO leads_lead (
            salutation, first_name, last_name, title, company, email, phone, mobile, fax, website, street,
            city, state, postal_code, country, industry, annual_revenue, number_of_employees, rating, status,
            lead_source, description, email_opt_out, do_not_call, owner_user_id, owner_queue_id,
            owner_sort_name, owner_assigned_at, custom_fields, created_at, created_by_id, last_modified_at, last_modified_by_id,
            version, is_converted, converted_at, unqualified_reason
        )
        SELECT
            '', first, last, title, company,
            lower(first || '.' || last || g || '@' || replace(company_word, ' ', '') || '.example.com'),
            '+1 555 ' || lpad((g %% 10000)::text, 4, '0'), '', '', 'www.' || lower(company_word) || '.example.com',
            (g %% 900 + 1) || ' Main Street', (%(cities)s::text[])[city_i], (%(states)s::text[])[city_i],
            lpad((g %% 99999)::text, 5, '0'), (%(countries)s::text[])[city_i], industry,
            CASE WHEN g %% 3 = 0 THEN round((random() * 50000000)::numeric, 2) END,
            CASE WHEN g %% 2 = 0 THEN (1 + floor(random() * 5000))::int END,
            rating, status, source, '', g %% 20 = 0, g %% 25 = 0,
            CASE WHEN in_queue THEN NULL ELSE owner END,
            CASE WHEN in_queue THEN queue END,
            CASE WHEN in_queue THEN (%(queue_names)s::text[])[queue_i] ELSE (%(user_names)s::text[])[owner_i] END,
            created + interval '1 hour', '{{}}'::jsonb, created, owner, created + interval '2 days', owner,
            1, converted, CASE WHEN converted THEN created + interval '10 days' END, ''
        FROM (
            SELECT
                g,
                {p("firsts")} AS first,
                {p("lasts")} AS last,
                {p("titles")} AS title,
                company_word,
                company_word || ' ' || {p("nouns")} || ' ' || {p("suffixes")} AS company,
                1 + floor(random() * cardinality(%(cities)s::text[]))::int AS city_i,
                {p("industries")} AS industry,
                {p("ratings")} AS rating,
                {p("sources")} AS source,
                (%(users)s::bigint[])[owner_i] AS owner,
                owner_i,
                (%(queues)s::bigint[])[queue_i] AS queue,
                queue_i,
                random() < 0.05 AS in_queue,
                status,
                status = 'Qualified' AND random() < 0.8 AS converted,
                now() - random() * interval '1095 days' AS created
            FROM (
                SELECT
                    g, {p("words")} AS company_word, {status_case} AS status,
                    1 + floor(random() * cardinality(%(users)s::bigint[]))::int AS owner_i,
                    1 + floor(random() * cardinality(%(queues)s::bigint[]))::int AS queue_i
                FROM (SELECT g, random() AS r_status FROM generate_series(%(start)s, %(stop)s) AS g) AS base
            ) AS draws
        ) AS lead_rows
    """
    done = 0
    while done < total:
        size = min(BATCH, total - done)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(insert, {**params, "start": done + 1, "stop": done + size})
        done += size
        log(f"{connection.settings_dict['NAME']}: {done:,} / {total:,} leads ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cur:
        cur.execute("INSERT INTO bench_meta (key, value) VALUES ('leads', %s)", [str(total)])
    vacuum_analyze("leads_lead")
    log(f"{connection.settings_dict['NAME']}: seeded in {time.perf_counter() - started:.0f} s")
    return {"rep": reps[0]}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def use_database(name: str) -> None:
    """Point the default connection at one of the two benchmark databases."""
    from django.db import connections

    connection = connections["default"]
    if connection.settings_dict["NAME"] != name:
        connection.close()
        connection.settings_dict["NAME"] = name
    connection.ensure_connection()


def bench_admin():
    """The benchmarks' system admin (sees every lead), created once per database."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.roles import SYSTEM_ADMIN

    admin, created = get_user_model().objects.get_or_create(
        username="bench_admin", defaults={"first_name": "Bench", "last_name": "Admin"}
    )
    if created:
        admin.set_unusable_password()
        admin.save()
    admin.groups.add(Group.objects.get(name=SYSTEM_ADMIN))
    return admin


def measure(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from leads.filters import ORDERING_COLUMNS
    from leads.models import Lead

    sizes = {"small": SMALL_DB, "large": LARGE_DB}
    clients, admins, reps, facts = {}, {}, {}, {}
    for size, name in sizes.items():
        use_database(name)
        reps[size] = get_user_model().objects.get(username="bench_rep_01")
        clients[size] = Client()
        clients[size].force_login(reps[size])
        admin = bench_admin()
        admins[size] = Client()
        admins[size].force_login(admin)
        facts[size] = {
            "leads": Lead.objects.count(),
            "rep_leads": Lead.objects.filter(owner_user=reps[size]).count(),
        }

    def cases() -> dict[str, tuple[str, str]]:
        found = {}
        try:
            html = reverse("leads:list")
            found.update(
                {
                    "html_my": ("HTML  My Leads", f"{html}?view=my"),
                    "html_status": ("HTML  status = Working", f"{html}?view=all&status={STATUS}"),
                    "html_search": ("HTML  company prefix search", f"{html}?view=all&q={SEARCH}"),
                }
            )
        except NoReverseMatch:
            log("leads:list does not exist: measuring the API only")
        api = reverse("api-lead-list")
        found.update(
            {
                "api_my": ("API   My Leads", f"{api}?view=my"),
                "api_status": ("API   status = Working", f"{api}?status={STATUS}"),
                "api_search": ("API   company prefix search", f"{api}?search={SEARCH}"),
            }
        )
        return found

    def sort_cases() -> dict[str, tuple[str, str, str]]:
        """key -> (label, url, column): every sortable column, both directions, HTML and API."""
        if args.no_sorts:
            return {}
        wanted = [c.strip() for c in args.columns.split(",") if c.strip()] or list(ORDERING_COLUMNS)
        html, api = reverse("leads:list"), reverse("api-lead-list")
        found = {}
        for column in wanted:
            for sign, word in (("", "asc"), ("-", "desc")):
                found[f"sort_html_{column}_{word}"] = (
                    f"HTML  sort {sign}{column}",
                    f"{html}?view=all&ordering={sign}{column}",
                    column,
                )
                found[f"sort_api_{column}_{word}"] = (
                    f"API   sort {sign}{column}",
                    f"{api}?view=all&ordering={sign}{column}",
                    column,
                )
        return found

    urls = {size: cases() for size in sizes}
    sorts = sort_cases()
    samples: dict[str, dict[str, list[float]]] = {size: {} for size in sizes}
    db_samples: dict[str, dict[str, list[float]]] = {size: {} for size in sizes}
    load_before = os.getloadavg()[0]

    def run_case(key: str, url: str, who: dict, requests: int, warmup: int) -> None:
        for size, name in sizes.items():
            use_database(name)
            for _ in range(warmup):
                response = who[size].get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code} on {name}")
        # Alternate the sizes request by request: a burst of load on the shared machine then
        # slows both alike instead of skewing the ratio.
        for _ in range(requests):
            for size, name in sizes.items():
                use_database(name)
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    who[size].get(url)
                    elapsed = (time.perf_counter() - started) * 1000
                samples[size].setdefault(key, []).append(elapsed)
                # The lead queries' own time (client-side, query sent to rows fetched): what the
                # indexes decide, apart from the Python work that a loaded machine slows down.
                lead_ms = sum(float(q["time"]) * 1000 for q in captured.captured_queries if '"leads_lead"' in q["sql"])
                db_samples[size].setdefault(key, []).append(lead_ms)
        if args.explain:
            for size, name in sizes.items():
                use_database(name)
                with CaptureQueriesContext(connection) as captured:
                    who[size].get(url)
                lead_queries = [q["sql"] for q in captured.captured_queries if 'FROM "leads_lead"' in q["sql"]]
                with connection.cursor() as cur:
                    for sql in lead_queries:
                        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                        plan = "\n".join(r[0] for r in cur.fetchall())
                        log(f"\n== {name} {key}: {url}\n{sql}\n{plan}")

    for key in urls["small"]:
        run_case(key, urls["small"][key][1], clients, args.requests, args.warmup)
    for key, (_label, url, _column) in sorts.items():
        run_case(key, url, admins, args.sort_requests, 2)
    return {
        "labels": {key: label for key, (label, _url) in urls["large"].items()},
        "sort_labels": {key: (label, column) for key, (label, _url, column) in sorts.items()},
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        **{
            size: {
                **facts[size],
                "timings": {
                    key: {
                        "p50": statistics.median(values),
                        "p95": percentile(values, 95),
                        "db_p95": percentile(db_samples[size][key], 95),
                    }
                    for key, values in samples[size].items()
                },
            }
            for size in sizes
        },
    }


if __name__ == "__main__":
    main()
