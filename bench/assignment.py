"""Lead assignment benchmark: 10,000 leads through an active assignment rule of 200 entries.

Creates (drops first) and migrates its own PostgreSQL database, ``leadcrm_bench_assignment``, on
the server of ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/``). Seeds 20 sales
reps, 5 queues of 4 members, two custom lead fields (a Region picklist and a Seats number) and a
rule of 200 entries saved through the services (so every criterion is validated): entries mix
text, picklist, number and custom-field criteria, a fifth of them with filter logic such as
``(1 AND 2) OR 3``, assign to users, queues and round-robin among a queue's members; the last
entry catches every lead. Then 10,000 leads, spread so that they match entries all along the
rule (on average about half of the rule is evaluated per lead).

It prints:
- the evaluation time per lead: the compiled rule's first match over the 10,000 leads held in
  memory (criteria are parsed and compiled once per rule version, not per lead);
- the same for the explained evaluation the rule tester uses, for the first 1,000 leads;
- leads per second through ``lead_assign`` (one transaction per lead: row lock, evaluation,
  owner change, history row, round-robin cursor under lock), and queries per lead.
Target: evaluation under 1 ms per lead.

    .venv/bin/python bench/assignment.py [--leads 10000] [--entries 200] [--keep]
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from scratch import django_environment, drop_database, recreate_database, server_url  # noqa: E402

DB_NAME = "leadcrm_bench_assignment"
COUNTRIES = [f"Country {i:02d}" for i in range(60)]
REGIONS = ["EMEA", "APAC", "AMER", "LATAM"]
SOURCES = ["Website", "Webinar", "Trade Show", "Partner Referral", "Cold Call", "Advertisement"]
INDUSTRIES = ["Banking", "Technology", "Retail", "Healthcare", "Energy", "Media"]


def entry_values(i: int, *, reps, queues, rng: random.Random) -> dict:
    """The i-th entry (0-based): criteria of several kinds, a fifth with filter logic."""
    country = COUNTRIES[i % len(COUNTRIES)]
    kind = i % 5
    if kind == 0:
        criteria = [
            {"field": "country", "operator": "equals", "value": country},
            {"field": "Region__c", "operator": "includes", "value": [REGIONS[i % 4], REGIONS[(i + 1) % 4]]},
            {"field": "annual_revenue", "operator": "gte", "value": str(1000 * (i % 7))},
        ]
        logic = "(1 AND 2) OR (1 AND 3)"
    elif kind == 1:
        criteria = [
            {"field": "country", "operator": "equals", "value": country},
            {"field": "lead_source", "operator": "equals", "value": SOURCES[i % len(SOURCES)]},
        ]
        logic = ""
    elif kind == 2:
        criteria = [
            {"field": "country", "operator": "starts_with", "value": country},
            {"field": "Seats__c", "operator": "gt", "value": str(i % 40)},
            {"field": "company", "operator": "not_contain", "value": "Test"},
        ]
        logic = ""
    elif kind == 3:
        criteria = [
            {"field": "country", "operator": "equals", "value": country},
            {"field": "industry", "operator": "excludes", "value": [INDUSTRIES[i % len(INDUSTRIES)]]},
            {"field": "email", "operator": "is_not_blank", "value": None},
        ]
        logic = "1 AND (2 OR 3)"
    else:
        criteria = [
            {"field": "country", "operator": "equals", "value": country},
            {"field": "number_of_employees", "operator": "lt", "value": str(50 + i)},
        ]
        logic = ""
    target = rng.random()
    if target < 0.6:
        assign = {"assign_to": "user", "assign_user": reps[i % len(reps)]}
    elif target < 0.8:
        assign = {"assign_to": "queue", "assign_queue": queues[i % len(queues)]}
    else:
        assign = {"assign_to": "rr_queue", "assign_queue": queues[i % len(queues)], "weighted": i % 2 == 0}
    return {"criteria": criteria, "filter_logic": logic, **assign}


def seed(*, leads: int, entries: int):
    from decimal import Decimal

    from django.utils import timezone

    from core.services import custom_field_create
    from leads.models import Lead, Queue
    from leads.routing import services
    from tests.factories import UserFactory

    rng = random.Random(7)
    admin = UserFactory(username="bench-admin", role="Marketing admin")
    reps = [UserFactory(username=f"bench-rep{i}", role="Sales rep") for i in range(20)]
    queues = []
    for q in range(5):
        queue = Queue.objects.create(name=f"Bench Queue {q}", email=f"queue{q}@example.com")
        queue.members.set(reps[q * 4 : q * 4 + 4])
        queues.append(queue)
    custom_field_create(
        object_name="lead", label="Region", field_type="picklist", acting_user=admin, picklist_values=REGIONS
    )
    custom_field_create(object_name="lead", label="Seats", field_type="number", acting_user=admin)
    rule = services.rule_create(name="Bench rule", acting_user=admin)
    for i in range(entries - 1):
        services.entry_save(
            rule=rule,
            data=services.EntryInput(**entry_values(i, reps=reps, queues=queues, rng=rng)),
            acting_user=admin,
        )
    services.entry_save(
        rule=rule, data=services.EntryInput(criteria=[], assign_to="queue", assign_queue=queues[0]), acting_user=admin
    )
    rule = services.rule_activate(rule=rule, acting_user=admin)
    now = timezone.now()
    rows = []
    for i in range(leads):
        rows.append(
            Lead(
                first_name=f"First{i}",
                last_name=f"Last{i}",
                company=f"Company {i}",
                email=f"person{i}@example.com" if i % 3 else "",
                country=rng.choice(COUNTRIES) if i % 20 else "Nowhere",
                industry=rng.choice(INDUSTRIES),
                lead_source=rng.choice(SOURCES),
                annual_revenue=Decimal(rng.randrange(0, 10000)),
                number_of_employees=rng.randrange(1, 500),
                status="New",
                owner_user=admin,
                owner_assigned_at=now,
                created_at=now,
                last_modified_at=now,
                created_by=admin,
                last_modified_by=admin,
                custom_fields={"Region__c": rng.choice(REGIONS), "Seats__c": rng.randrange(0, 60)},
            )
        )
    Lead.objects.bulk_create(rows, batch_size=1000)
    return admin, rule


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=10000)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    args = parser.parse_args()

    server = server_url()
    django_environment(database_url=recreate_database(server, DB_NAME), eager=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leads.models import Lead
    from leads.routing import services
    from leads.routing.models import AssignmentRule

    try:
        print(f"Database {DB_NAME}: migrating…", flush=True)
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        admin, rule = seed(leads=args.leads, entries=args.entries)
        print(f"Seeded a rule of {args.entries} entries and {args.leads} leads in {time.perf_counter() - t0:.1f} s")

        # 1. Evaluation only: compile once, then first match for every lead held in memory.
        rule = AssignmentRule.objects.get(pk=rule.pk)
        t0 = time.perf_counter()
        compiled = services.compiled_rule(rule)
        compile_ms = (time.perf_counter() - t0) * 1000
        leads = list(Lead.objects.order_by("pk"))
        t0, c0 = time.perf_counter(), time.process_time()
        matches = [compiled.first_match(lead) for lead in leads]
        eval_s, eval_cpu = time.perf_counter() - t0, time.process_time() - c0
        depth = [m.number if m else args.entries + 1 for m in matches]
        per_lead = []
        for lead in leads[:2000]:
            s = time.perf_counter()
            compiled.first_match(lead)
            per_lead.append((time.perf_counter() - s) * 1000)
        t0 = time.perf_counter()
        for lead in leads[:1000]:
            services.rule_test(rule=rule, record=lead)
        explain_ms = (time.perf_counter() - t0) * 1000 / min(1000, len(leads))

        # 2. The whole assignment: one transaction per lead, as web-to-lead or the API runs it.
        queries = 0
        t0 = time.perf_counter()
        for index, lead in enumerate(leads):
            if index < 100:
                with CaptureQueriesContext(connection) as captured:
                    services.lead_assign(lead=lead, acting_user=admin, note_source="Benchmark")
                queries += len(captured.captured_queries)
            else:
                services.lead_assign(lead=lead, acting_user=admin, note_source="Benchmark")
        assign_s = time.perf_counter() - t0
        moved = Lead.objects.exclude(owner_user=admin).count()

        print()
        print(f"Compile the rule ({args.entries} entries): {compile_ms:.1f} ms (once per rule version)")
        print(
            f"Evaluation: {len(leads)} leads in {eval_s * 1000:.0f} ms = {eval_s * 1000 / len(leads):.3f} ms per lead   "
            f"(p50 {statistics.median(per_lead):.3f} ms, p95 {sorted(per_lead)[int(len(per_lead) * 0.95)]:.3f} ms, "
            f"max {max(per_lead):.3f} ms)"
        )
        print(
            f"Evaluation CPU time of this process: {eval_cpu * 1000 / len(leads):.3f} ms per lead   "
            f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: wall time includes waiting for a core)"
        )
        print(
            f"Entries evaluated per lead: mean {statistics.mean(depth):.0f}, max {max(depth)}   "
            f"(target: under 1 ms per lead → {'met' if eval_s * 1000 / len(leads) < 1 else 'NOT met'})"
        )
        print(f"Explained evaluation (rule tester): {explain_ms:.3f} ms per lead")
        print(
            f"Assignment through lead_assign: {len(leads)} leads in {assign_s:.1f} s = "
            f"{len(leads) / assign_s:.0f} leads/s   ({queries / 100:.1f} queries per lead; {moved} leads changed owner)"
        )
    finally:
        connection.close()
        if not args.keep:
            drop_database(server, DB_NAME)


if __name__ == "__main__":
    main()
