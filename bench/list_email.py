"""Benchmark: a list email to 50,000 leads: the preview (who gets it, who is skipped and why), the
send's recipient rows, and the background batches writing the outbox rows, against a plain bulk
insert of as many outbox rows in the same run.

Uses the helpers of ``bench/nurture.py`` (database, leads, admin, the plain insert): creates (once) the database
``lead5bench_listemail`` on the server of ``DATABASE_URL`` (``--database`` names another), migrates
it and loads ``--leads`` leads (default 50,000) with ``INSERT ... SELECT generate_series``; then
marks one lead in 50 opted out, gives one in 100 the address of the lead before it (duplicates) and records a
consent withdrawal for one in 200 addresses. Each run then times, as a marketing admin:

1. ``list_email_preview`` of every lead: leads per second;
2. ``list_email_create`` (the preview again and one recipient row per lead): recipients per second;
3. ``list_email_process`` (SKIP LOCKED batches of ``--batch``: the template merged per lead, the
   outbox rows in one insert per batch, handed to the broker as one task per batch): outbox rows
   per second;
4. a plain ``bulk_create`` of as many outbox rows (fixed subject and bodies, no merge, nothing else):
   rows per second, and the ratio of step 3 to it.

The broker is Redis (``REDIS_URL``); the tasks are published but no worker sends
them (the queues are purged at the end).

    .venv/bin/python bench/list_email.py                 # 50,000 leads
    .venv/bin/python bench/list_email.py --leads 5000    # a quick run
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from nurture import admin_user, plain_insert, seed_leads, setup  # noqa: E402 - the sibling benchmark's helpers


def shape_audience(total: int) -> None:
    """Opt-outs, duplicate addresses and consent withdrawals, the same on every run."""
    from django.db import connection
    from django.utils import timezone

    from consent.models import ConsentRecord
    from consent.services import email_hash
    from leads.models import Lead

    with connection.cursor() as cur:
        cur.execute("UPDATE leads_lead SET email_opt_out = (id % 50 = 0)")
        cur.execute(
            "UPDATE leads_lead l SET email = p.email FROM leads_lead p WHERE p.id = l.id - 1 AND l.id % 100 = 2"
        )
    ConsentRecord.objects.all().delete()
    now = timezone.now()
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            email_hash=email_hash(email),
            purpose="marketing_email",
            action="withdrawn",
            source="api",
            occurred_at=now,
            recorded_at=now,
        )
        for lead_id, email in Lead.objects.filter(id__lte=total).values_list("id", "email").iterator()
        if lead_id % 200 == 7
    )


def clean() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("TRUNCATE listemail_listemailrecipient, listemail_listemailsend, emails_outboundemail CASCADE")


def purge_queues() -> None:
    from leadcrm.celery import app

    with app.connection_for_write() as conn:
        for queue in ("emails", "imports", "default"):
            conn.default_channel.queue_purge(queue)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=50_000)
    parser.add_argument("--database", default="lead5bench_listemail")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    setup(args)

    from django.db import transaction

    from emails.models import EmailTemplate, OutboundEmail
    from emails.services import email_template_create
    from leads.models import Lead
    from listemail.services import list_email_create, list_email_preview, list_email_process

    admin = admin_user()
    seed_leads(args.leads, admin.pk)
    shape_audience(args.leads)
    clean()
    template = EmailTemplate.objects.filter(name="Bench news").first() or email_template_create(
        data={
            "name": "Bench news",
            "subject": "Autumn news for {{Lead.FirstName|you}}",
            "body_text": "Hello {{Lead.FirstName}} at {{Lead.Company}}.",
            "body_html": "<p>Hello <b>{{Lead.FirstName}}</b> at {{Lead.Company}}.</p>",
            "is_marketing": True,
        },
        acting_user=admin,
    )
    leads = Lead.objects.filter(id__lte=args.leads)

    started = time.perf_counter()
    preview = list_email_preview(leads=leads)
    preview_seconds = time.perf_counter() - started

    started = time.perf_counter()
    with transaction.atomic():
        # On commit the send is handed to the broker (no worker here): its batches are timed below.
        send = list_email_create(user=admin, template=template, leads=leads)
    create_seconds = time.perf_counter() - started

    started = time.perf_counter()
    written = list_email_process(send_id=send.pk, batch_size=args.batch)
    process_seconds = time.perf_counter() - started
    rows = OutboundEmail.objects.count()
    assert rows == written == preview.count, (rows, written, preview.count)
    clean()

    plain_seconds = plain_insert(rows, template)
    clean()
    purge_queues()

    total = leads.count()
    process_rate, plain_rate = rows / process_seconds, rows / plain_seconds
    print(f"leads: {total:,}  recipients: {preview.count:,}  skipped: {dict(preview.skipped)}  batch: {args.batch}")
    print(f"preview:                      {total / preview_seconds:10,.0f} leads/s  ({preview_seconds:.1f} s)")
    print(f"create (recipient rows):      {preview.count / create_seconds:10,.0f} rows/s  ({create_seconds:.1f} s)")
    print(f"outbox rows (batched send):   {process_rate:10,.0f} rows/s  ({process_seconds:.1f} s)")
    print(f"plain outbox bulk insert:     {plain_rate:10,.0f} rows/s  ({plain_seconds:.1f} s)")
    print(f"ratio outbox rows / plain:    {process_rate / plain_rate:.2f}")


if __name__ == "__main__":
    main()
