"""Speed-to-lead SLA benchmark: what an active SLA rule costs each new lead, and how fast beat's
breach sweep works through clocks past due.

Creates (drops first) and migrates its own PostgreSQL database, ``leadcrm_bench_sla``, on the
server of ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/``). Seeds 10 sales reps,
a queue, round-the-clock business hours and an SLA rule of three policies (the queue, a lead
source, every other lead).

It prints:
- lead intake (``lead_intake``, one transaction per lead, owner = a rep) without an active SLA
  rule and with it, alternating rounds so that both see the same load: ms per lead (median of
  the rounds) and the ratio with / without (target: at most 1.3);
- the breach sweep over ``--late`` clocks past due (each notifies its owner through the outbox and
  writes the lead's history): clocks per second and queries per clock;
- a sweep with nothing past due among all those clocks (what beat costs every minute).

    .venv/bin/python bench/sla.py [--leads 400] [--rounds 5] [--late 2000] [--keep]
"""

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from scratch import django_environment, drop_database, recreate_database, server_url  # noqa: E402

DB_NAME = "leadcrm_bench_sla"


def seed():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.roles import MARKETING_ADMIN, SALES_REP, ensure_roles
    from leads.models import Queue
    from sla import services

    ensure_roles()
    users = get_user_model().objects
    admin = users.create_user("bench-admin", email="admin@example.com", password="x")
    admin.groups.add(Group.objects.get(name=MARKETING_ADMIN))
    reps = []
    for i in range(10):
        rep = users.create_user(f"bench-rep{i}", email=f"rep{i}@example.com", password="x")
        rep.groups.add(Group.objects.get(name=SALES_REP))
        reps.append(rep)
    queue = Queue.objects.create(name="Bench queue", email="queue@example.com")
    hours = services.business_hours_create(
        name="Round the clock", time_zone="Europe/Paris", weekly_hours=[["00:00", "23:59"]] * 7, acting_user=admin
    )
    rule = services.sla_rule_create(name="Bench SLA", acting_user=admin)
    for name, criteria, n in (
        ("Queue", [{"field": "owner", "operator": "equals", "value": f"queue:{queue.pk}"}], 1),
        ("Webinar", [{"field": "lead_source", "operator": "equals", "value": "Webinar"}], 2),
        ("Every lead", [], 4),
    ):
        services.sla_policy_create(
            rule=rule,
            data={
                "name": name,
                "criteria": criteria,
                "filter_logic": "",
                "business_hours": hours,
                "first_touch_hours": n,
                "notify_owner": True,
            },
            acting_user=admin,
        )
    return admin, reps, rule


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=400, help="leads per round and side")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--late", type=int, default=2000, help="clocks past due for the sweep")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--profile", action="store_true", help="print where the sweep spends its time")
    args = parser.parse_args()

    server = server_url()
    # As in production, follow-up tasks (other apps' rollups and scores, the emails) are published
    # to a queue nobody drains here, not run inline: the embedded folder queue of a scratch folder.
    django_environment(database_url=recreate_database(server, DB_NAME), eager=False)
    os.environ.pop("REDIS_URL", None)
    os.environ["LEADCRM_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-sla-")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from leads.intake import lead_intake
    from sla import services
    from sla.models import LeadSla

    try:
        print(f"Database {DB_NAME}: migrating…", flush=True)
        call_command("migrate", verbosity=0)
        admin, reps, rule = seed()

        def intake_round(label: str) -> float:
            t0 = time.perf_counter()
            for i in range(args.leads):
                rep = reps[i % len(reps)]
                lead_intake(
                    data={
                        "last_name": f"{label}{i}",
                        "company": "Acme",
                        "lead_source": "Webinar" if i % 3 else "Website",
                    },
                    acting_user=rep,
                    source="api",
                )
            return (time.perf_counter() - t0) * 1000 / args.leads

        without, with_rule = [], []
        intake_round("warm")
        for _round in range(args.rounds):
            services.sla_rule_deactivate(rule=rule, acting_user=admin)
            without.append(intake_round("off"))
            services.sla_rule_activate(rule=rule, acting_user=admin)
            with_rule.append(intake_round("on"))
        off_ms, on_ms = statistics.median(without), statistics.median(with_rule)

        # The sweep: make the newest clocks late.
        late_ids = list(
            LeadSla.objects.filter(status=LeadSla.Status.OPEN)
            .order_by("-lead_id")
            .values_list("lead_id", flat=True)[: args.late]
        )
        if len(late_ids) < args.late:
            for i in range(args.late - len(late_ids)):
                lead_intake(data={"last_name": f"late{i}", "company": "Acme"}, acting_user=reps[0], source="api")
            late_ids = list(
                LeadSla.objects.filter(status=LeadSla.Status.OPEN)
                .order_by("-lead_id")
                .values_list("lead_id", flat=True)[: args.late]
            )
        LeadSla.objects.filter(lead_id__in=late_ids).update(due_at=timezone.now() - dt.timedelta(minutes=1))
        clocks = LeadSla.objects.count()
        queries = [0]

        def count(execute, sql, params, many, context):
            queries[0] += 1
            return execute(sql, params, many, context)

        profile = cProfile.Profile() if args.profile else None
        with connection.execute_wrapper(count):
            t0 = time.perf_counter()
            if profile:
                profile.enable()
            breached = services.sla_breaches_sweep(max_batches=10**6)
            if profile:
                profile.disable()
            sweep_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        idle = services.sla_breaches_sweep()
        idle_ms = (time.perf_counter() - t0) * 1000

        print()
        print(f"Lead intake without an active SLA rule: {off_ms:.2f} ms per lead (median of {args.rounds} rounds)")
        print(f"Lead intake with the SLA rule active:   {on_ms:.2f} ms per lead")
        ratio = on_ms / off_ms
        print(f"Ratio with / without: {ratio:.2f} (target: at most 1.3) {'OK' if ratio <= 1.3 else 'MISSED'}")
        print(
            f"Breach sweep: {breached} clocks breached of {clocks} in {sweep_s:.2f} s = {breached / sweep_s:.0f} clocks/s, "
            f"{queries[0] / max(breached, 1):.1f} queries per clock"
        )
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        print(f"Sweep with nothing past due ({clocks} clocks): {idle_ms:.1f} ms, {idle} breached")
    finally:
        connection.close()
        if not args.keep:
            drop_database(server, DB_NAME)


if __name__ == "__main__":
    main()
