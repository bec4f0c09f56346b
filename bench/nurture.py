"""Benchmark: enrol 100,000 leads in a nurture sequence and send its first step through the outbox,
against a plain bulk insert of as many outbox rows; then the scheduler's lag behind the due time
with two scheduler processes running at once.

Creates (once) the database ``lead4bench_nurture`` on the server of ``DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/``; ``--database`` names another), migrates it and loads
``--leads`` leads (default 100,000) with ``INSERT ... SELECT generate_series``. Each run then:

1. saves a sequence through the services (email, wait 3 days, email) and times ``enrol_leads`` of
   every lead (as a marketing admin): enrolments per second;
2. times the scheduler sending step 1 to every enrolment (``nurture_tick``: SKIP LOCKED batches,
   templates merged per lead, outbox rows, send rows and lead history, enrolments moved on, the
   rows handed to the broker in chunks): outbox rows per second;
3. times a plain ``bulk_create`` of the same number of outbox rows (same subject and bodies, no
   merge, nothing else) in the same run: rows per second, and prints both ratios (target: each at
   least 0.3 of the plain insert);
4. makes ``--lag-enrolments`` enrolments (default 5,000) due spread over ``--lag-seconds`` (default
   30) from now, starts two scheduler processes that each run ``nurture_tick`` and poll every half
   second (two workers of the emails queue), and prints the p50/p95/max lag of each send behind its
   due time and how many batches each process ran. Beat publishes ``nurture.tick`` every 30 s in
   production, which adds up to that interval to the lag measured here.

The broker is Redis (``REDIS_URL``, default DB 4); the tasks handing rows over are published but
no worker sends them (the queue is purged at the end). The email throttle is off for the run.

    .venv/bin/python bench/nurture.py                 # 100,000 leads
    .venv/bin/python bench/nurture.py --leads 10000   # a quick run
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from scratch import ensure_database  # the benchmarks' own database helpers (bench/)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BATCH = 1000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def seed_leads(total: int, owner_id: int) -> None:
    from django.db import connection

    from leads.models import Lead

    have = Lead.objects.count()
    if have >= total:
        return
    log(f"seeding {total - have} leads")
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO leads_lead (salutation, first_name, last_name, title, company, email, phone, mobile, fax,
                website, street, city, state, postal_code, country, industry, rating, status, lead_source,
                description, email_opt_out, do_not_call, unqualified_reason, owner_user_id, owner_assigned_at,
                custom_fields, created_at, created_by_id, last_modified_at, last_modified_by_id, version, is_converted)
            SELECT '', 'First' || g, 'Last' || g, '', 'Company ' || (g %% 5000), 'lead' || g || '@example.com',
                '', '', '', '', '', 'City', '', '', '', 'Banking', '', 'Nurturing', 'Webinar', '', false, false, '',
                %s, now(), '{}'::jsonb, now(), %s, now(), %s, 1, false
            FROM generate_series(%s, %s) AS g
            """,
            [owner_id, owner_id, owner_id, have + 1, total],
        )


def setup(args):
    url = urlparse(os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    ensure_database(args.database, reseed=args.reseed)
    os.environ["DATABASE_URL"] = urlunparse(url._replace(path=f"/{args.database}"))
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/4")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" * 10)
    os.environ["NURTURE_EMAILS_PER_MINUTE"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def admin_user():
    from django.contrib.auth import get_user_model

    from core.roles import MARKETING_ADMIN, ensure_roles

    ensure_roles()
    user, created = get_user_model().objects.get_or_create(
        username="bench-marketing", defaults={"email": "m@example.com"}
    )
    if created:
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name=MARKETING_ADMIN))
    return user


def fresh_sequence(admin, name: str):
    from emails.models import EmailTemplate
    from emails.services import email_template_create
    from nurture import services

    template = EmailTemplate.objects.filter(name="Bench welcome").first() or email_template_create(
        data={
            "name": "Bench welcome",
            "subject": "Welcome, {{Lead.FirstName|there}}",
            "body_text": "Hello {{Lead.FirstName}} at {{Lead.Company}}.\nWe saved you a seat.",
            "body_html": "<p>Hello <b>{{Lead.FirstName}}</b> at {{Lead.Company}}.</p><p><a href='https://example.com/seat'>Your seat</a></p>",
        },
        acting_user=admin,
    )
    sequence = services.sequence_create(data={"name": name}, acting_user=admin)
    services.step_create(sequence=sequence, data={"kind": "email", "template": template.pk}, acting_user=admin)
    services.step_create(sequence=sequence, data={"kind": "wait", "wait_days": 3}, acting_user=admin)
    services.step_create(sequence=sequence, data={"kind": "email", "template": template.pk}, acting_user=admin)
    return services.sequence_set_status(sequence=sequence, status="active", acting_user=admin), template


def clean() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE nurture_nurturesend, nurture_nurtureenrolment, emails_outboundemail CASCADE")
        cur.execute("DELETE FROM core_fieldhistory WHERE object_name = 'lead' AND field_name = 'email'")
    from nurture.models import NurtureSequence

    NurtureSequence.objects.all().delete()


def plain_insert(total: int, template) -> float:
    from django.db import transaction
    from django.utils import timezone

    from emails.models import OutboundEmail

    now = timezone.now()
    started = time.perf_counter()
    for start in range(0, total, BATCH):
        with transaction.atomic():
            OutboundEmail.objects.bulk_create(
                [
                    OutboundEmail(
                        idempotency_key=f"plain-{i}",
                        kind="nurture",
                        to_address=f"lead{i}@example.com",
                        subject="Welcome, First",
                        body_text="Hello First at Company.\nWe saved you a seat.",
                        body_html="<p>Hello <b>First</b> at Company.</p>",
                        object_name="lead",
                        record_id=i,
                        template=template,
                        next_attempt_at=now,
                        created_at=now,
                    )
                    for i in range(start, min(start + BATCH, total))
                ]
            )
    return time.perf_counter() - started


LAG_WORKER = """
import os, sys, time
import django
django.setup()
from nurture.services import nurture_tick
deadline = time.monotonic() + float(sys.argv[1])
batches = 0
while time.monotonic() < deadline:
    result = nurture_tick(limit=int(sys.argv[2]))
    batches += (result.processed + int(sys.argv[2]) - 1) // int(sys.argv[2])
    time.sleep(0.5)
print(batches)
"""


def lag_run(admin, n: int, spread: float, batch: int) -> None:
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from leads.models import Lead
    from nurture.models import NurtureEnrolment, NurtureSend
    from nurture.services import enrol_leads

    sequence, _template = fresh_sequence(admin, "Bench lag")
    ids = list(Lead.objects.order_by("id").values_list("pk", flat=True)[:n])
    enrol_leads(sequence=sequence, lead_ids=ids, acting_user=admin)
    start = timezone.now() + dt.timedelta(seconds=3)
    due = {lead_id: start + dt.timedelta(seconds=spread * i / n) for i, lead_id in enumerate(ids)}
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE nurture_nurtureenrolment e SET next_run_at = %s + (v.i * %s) * interval '1 second' "
            "FROM unnest(%s::bigint[]) WITH ORDINALITY AS v(lead_id, i) WHERE e.lead_id = v.lead_id AND e.sequence_id = %s",
            [start, spread / n, ids, sequence.pk],
        )
    # the ordinality counts from 1: recompute the due times the database holds
    due = dict(NurtureEnrolment.objects.filter(sequence=sequence).values_list("lead_id", "next_run_at"))
    env = dict(os.environ)
    run_for = spread + 15
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LAG_WORKER, str(run_for), str(batch)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate()[0].strip() for p in procs]
    lags = sorted(
        (sent_at - due[lead_id]).total_seconds()
        for lead_id, sent_at in NurtureSend.objects.filter(step__sequence=sequence).values_list("lead_id", "sent_at")
    )
    sent = len(lags)
    print(
        f"scheduler lag, 2 processes: {sent}/{n} sent; lag behind due time p50 {statistics.median(lags):.2f} s, "
        f"p95 {lags[int(0.95 * (sent - 1))]:.2f} s, max {lags[-1]:.2f} s; batches per process {outputs}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--database", default="lead4bench_nurture")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument("--lag-enrolments", type=int, default=5000)
    parser.add_argument("--lag-seconds", type=float, default=30.0)
    args = parser.parse_args()
    setup(args)

    from leads.models import Lead
    from nurture.models import NurtureSend
    from nurture.services import enrol_leads, nurture_tick

    admin = admin_user()
    seed_leads(args.leads, admin.pk)
    clean()
    sequence, template = fresh_sequence(admin, "Bench welcome series")
    ids = list(Lead.objects.order_by("id").values_list("pk", flat=True)[: args.leads])
    total = len(ids)

    started = time.perf_counter()
    result = enrol_leads(sequence=sequence, lead_ids=ids, acting_user=admin)
    enrol_seconds = time.perf_counter() - started
    assert len(result.enrolled) == total, (len(result.enrolled), len(result.refused))

    started = time.perf_counter()
    ticked = nurture_tick(limit=args.batch, max_batches=10**6)
    send_seconds = time.perf_counter() - started
    sends = NurtureSend.objects.count()
    assert sends == total == ticked.sent, (sends, total, ticked)

    plain_seconds = plain_insert(total, template)

    enrol_rate, send_rate, plain_rate = total / enrol_seconds, total / send_seconds, total / plain_seconds
    print(f"leads: {total:,}  batch: {args.batch}")
    print(f"enrolments:                 {enrol_rate:10,.0f}/s  ({enrol_seconds:.1f} s)")
    print(f"step 1 through the outbox:  {send_rate:10,.0f} rows/s  ({send_seconds:.1f} s)")
    print(f"plain outbox bulk insert:   {plain_rate:10,.0f} rows/s  ({plain_seconds:.1f} s)")
    print(f"ratio enrolments / plain:   {enrol_rate / plain_rate:.2f}  (target >= 0.3)")
    print(f"ratio outbox rows / plain:  {send_rate / plain_rate:.2f}  (target >= 0.3)")

    clean()
    lag_run(admin, args.lag_enrolments, args.lag_seconds, 200)
    clean()
    from leadcrm.celery import app

    app.control.purge()


if __name__ == "__main__":
    main()
