"""Lead list by score benchmark: the lead list sorted and filtered by the default scoring model's
score and grade and by last activity, at 1,000 leads and at N leads (default 1,000,000).

Seeds two PostgreSQL databases on the server of ``DATABASE_URL`` (``leadcrm_bench_score_small``
and ``leadcrm_bench_score``) with the leads of ``bench/lead_list.py`` (same spread over 50 reps,
statuses, sources, three years), then a default scoring model, a score for 80% of the leads (0–100,
a grade A–D) and a last activity for 60% of them, with ``INSERT ... SELECT generate_series``. Then
it times, through Django's test client, requests that sort the whole list (a marketing admin sees
every lead: the worst case) and a sales rep's own leads:

- HTML All Leads by score, highest first (``?view=all&ordering=-score``),
- API All Leads by score, highest first,
- API grade A by score,
- API All Leads by last activity, newest first,
- HTML My Leads (a rep) by score.

It prints p50 and p95 of each and the ratio p95(N) / p95(1,000), and with ``--explain`` the plans.

    .venv/bin/python bench/lead_list_score.py                   # 1,000,000 leads
    .venv/bin/python bench/lead_list_score.py --leads 100000
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import lead_list as base  # noqa: E402  (the lead seeding and timing helpers)

SMALL_DB = "leadcrm_bench_score_small"
LARGE_DB = "leadcrm_bench_score"
ADMIN = "bench_marketing_admin"
# The scores as seeded since they live on the lead rows (older seeds are seeded again).
SCORES_KEY = "scores_on_lead"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000, help="leads in the large database")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per case and size")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests before timing")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the data is there")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of each list query")
    # Passed on by bench/lead_list.py's child steps; this script times no per-column sorts.
    parser.add_argument("--sort-requests", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--columns", default="", help=argparse.SUPPRESS)
    parser.add_argument("--no-sorts", action="store_true", default=True, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        base.child(args, seed=seed, measure=measure)
        return
    server = base.server_url()
    steps = {"script": __file__, "database": LARGE_DB}
    base.run_child(server, ["--seed", SMALL_DB, "--leads", str(base.SMALL)], args, **steps)
    base.run_child(server, ["--seed", LARGE_DB, "--leads", str(args.leads)], args, **steps)
    results = json.loads(base.run_child(server, ["--measure"], args, **steps))
    report(results, args)


def report(results: dict, args) -> None:
    small, large = results["small"], results["large"]
    n = large["leads"]
    print()
    print("Lead list by score and last activity: server time through Django's test client;")
    print(f"{args.requests} timed requests per case and size after {args.warmup} warm-ups, sizes alternated.")
    print(f"Scored leads: {small['scored']:,} of {small['leads']:,} / {large['scored']:,} of {n:,}.")
    print(f"Load average during the run: {results['load_before']:.1f} -> {results['load_after']:.1f}.")
    print()
    header = f"{'case':<36}{'p50 @1k':>10}{'p95 @1k':>10}{f'p50 @{n:,}':>16}{f'p95 @{n:,}':>16}{'ratio p95':>11}"
    print(header)
    print("-" * len(header))
    for key, label in results["labels"].items():
        s, big = small["timings"][key], large["timings"][key]
        ratio = big["p95"] / s["p95"] if s["p95"] else float("inf")
        print(
            f"{label:<36}{s['p50']:>8.1f}ms{s['p95']:>8.1f}ms{big['p50']:>14.1f}ms{big['p95']:>14.1f}ms{ratio:>11.2f}"
        )


# Child: one database, Django loaded -----------------------------------------------------------


def seed(total: int, *, reseed: bool) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from core.roles import MARKETING_ADMIN
    from scoring.models import ScoringModel
    from scoring.services import default_scores_sync

    base.seed(total, reseed=reseed)
    admin, created = get_user_model().objects.get_or_create(username=ADMIN, defaults={"email": "admin@example.com"})
    if created:
        admin.set_unusable_password()
        admin.save()
        admin.groups.add(Group.objects.get(name=MARKETING_ADMIN))
    with connection.cursor() as cur:
        cur.execute("SELECT value FROM bench_meta WHERE key = %s", [SCORES_KEY])
        row = cur.fetchone()
    if row and int(row[0]) == total and not reseed:
        base.log(f"{connection.settings_dict['NAME']}: reusing the scores")
        return
    started = time.perf_counter()
    model, _ = ScoringModel.objects.get_or_create(name="Bench model", defaults={"is_active": True, "is_default": True})
    with connection.cursor() as cur:
        cur.execute("DELETE FROM bench_meta WHERE key LIKE 'scores%%'")
        cur.execute("TRUNCATE scoring_leadscore")
        cur.execute(
            """
            INSERT INTO scoring_leadscore (lead_id, model_id, score, grade, explanation, model_version, computed_at,
                                           mql_armed, mql_crossings)
            SELECT id, %s, s, CASE WHEN s >= 75 THEN 'A' WHEN s >= 50 THEN 'B' WHEN s >= 25 THEN 'C' ELSE 'D' END,
                   '{}'::jsonb, %s, now() - random() * interval '30 days', true, 0
            FROM (SELECT id, floor(random() * 101)::int AS s FROM leads_lead WHERE random() < 0.8) AS scored
            """,
            [model.pk, model.version],
        )
    # The default model's scores onto the lead rows, as scoring keeps them (set-based).
    default_scores_sync()
    with connection.cursor() as cur:
        # A last activity for 60% of the leads (one statement; the engagement services move it
        # forward one lead or one batch at a time).
        cur.execute(
            "UPDATE leads_lead SET last_activity_at = CASE WHEN random() < 0.6 "
            "THEN now() - random() * interval '365 days' END"
        )
        cur.execute("INSERT INTO bench_meta (key, value) VALUES (%s, %s)", [SCORES_KEY, str(total)])
    base.vacuum_analyze("scoring_leadscore", "leads_lead")
    base.log(f"{connection.settings_dict['NAME']}: scores seeded in {time.perf_counter() - started:.0f} s")


def measure(args) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from leads.models import Lead
    from scoring.models import LeadScore

    sizes = {"small": SMALL_DB, "large": LARGE_DB}
    html, api = reverse("leads:list"), reverse("api-lead-list")
    cases = {
        "html_all": ("HTML  All Leads by score", "admin", f"{html}?view=all&ordering=-score"),
        "api_all": ("API   All Leads by score", "admin", f"{api}?view=all&ordering=-score"),
        "api_grade": ("API   grade A by score", "admin", f"{api}?view=all&grade=A&ordering=-score"),
        "api_activity": ("API   All Leads by last activity", "admin", f"{api}?view=all&ordering=-last_activity_at"),
        "html_my": ("HTML  My Leads by score (a rep)", "rep", f"{html}?view=my&ordering=-score"),
    }
    clients: dict = {}
    facts: dict = {}
    for size, name in sizes.items():
        base.use_database(name)
        users = {"admin": ADMIN, "rep": "bench_rep_01"}
        for who, username in users.items():
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            session = client.session
            session["leads.list.columns"] = ["name", "company", "status", "score", "grade", "last_activity_at"]
            session.save()
            clients[(size, who)] = client
        facts[size] = {"leads": Lead.objects.count(), "scored": LeadScore.objects.count()}
    samples: dict = {size: {} for size in sizes}
    load_before = os.getloadavg()[0]
    for key, (_label, who, url) in cases.items():
        for size, name in sizes.items():
            base.use_database(name)
            for _ in range(args.warmup):
                response = clients[(size, who)].get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code} on {name}")
        for _ in range(args.requests):
            for size, name in sizes.items():
                base.use_database(name)
                started = time.perf_counter()
                clients[(size, who)].get(url)
                samples[size].setdefault(key, []).append((time.perf_counter() - started) * 1000)
        if args.explain:
            base.use_database(LARGE_DB)
            with CaptureQueriesContext(connection) as captured:
                clients[("large", who)].get(url)
            with connection.cursor() as cur:
                for sql in [q["sql"] for q in captured.captured_queries if 'FROM "leads_lead"' in q["sql"]]:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    base.log(f"\n== {key}: {url}\n{sql}\n" + "\n".join(r[0] for r in cur.fetchall()))
    return {
        "labels": {key: label for key, (label, _who, _url) in cases.items()},
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
        **{
            size: {
                **facts[size],
                "timings": {
                    key: {"p50": statistics.median(v), "p95": base.percentile(v, 95)}
                    for key, v in samples[size].items()
                },
            }
            for size in sizes
        },
    }


if __name__ == "__main__":
    main()
