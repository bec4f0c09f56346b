"""Lead conversion benchmark: convert 1,000 leads through the bulk API, in batches of 100.

Creates (drops first) and migrates its own PostgreSQL database, ``leadcrm_bench_convert``, on the
server of ``DATABASE_URL`` (default ``postgres://postgres@127.0.0.1:5432/``), seeds a sales rep,
1,000 filled-in leads, a product, two custom lead fields mapped to account and contact fields, and
a required-by-default record type; then posts ``POST /api/leads/convert/`` ten times with 100 leads
each (token authentication, through Django's test client, so the whole request path runs: URL
routing, DRF parsing and validation, the service, serialisation). Each conversion creates an
account, a contact and an opportunity with one product; every tenth lead joins an existing account.

Prints conversions per second (1,000 / wall time of the ten requests), the p50 and p95 time of one
conversion (timed around each ``lead_convert`` call inside the requests), the CPU time this process
spent per conversion (a figure less sensitive to other load on the machine), the p95 of a request,
and the queries per conversion. Target: p95 per conversion under 50 ms.

    .venv/bin/python bench/convert.py [--leads 1000] [--batch 100] [--keep]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from scratch import django_environment, drop_database, recreate_database, server_url  # noqa: E402

DB_NAME = "leadcrm_bench_convert"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def seed(leads: int):
    from decimal import Decimal

    from django.utils import timezone

    from conversion.services import field_mapping_create
    from core.services import custom_field_create
    from core.tokens import api_token_create
    from leads.models import Lead
    from sales import services as sales_services
    from sales.models import Product, RecordType, RecordTypeDefault
    from tests.factories import UserFactory

    admin = UserFactory(username="bench-admin", role="System admin")
    rep = UserFactory(username="bench-rep", role="Sales rep")
    custom_field_create(object_name="lead", label="Region", field_type="text", acting_user=admin)
    custom_field_create(object_name="account", label="Region", field_type="text", acting_user=admin)
    custom_field_create(object_name="lead", label="Seats", field_type="number", acting_user=admin)
    custom_field_create(object_name="opportunity", label="Seats", field_type="number", acting_user=admin)
    field_mapping_create(lead_field="Region__c", target_object="account", target_field="Region__c", acting_user=admin)
    field_mapping_create(lead_field="Seats__c", target_object="opportunity", target_field="Seats__c", acting_user=admin)
    record_type = RecordType.objects.create(object_name="opportunity", name="New Business")
    RecordTypeDefault.objects.create(object_name="opportunity", record_type=record_type, user=rep)
    product = Product.objects.create(name="Widget", product_code="W-1", list_price=Decimal("100.00"))
    existing = sales_services.account_create(data={"name": "Existing Holdings"}, acting_user=rep, owner=rep)
    now = timezone.now()
    rows = [
        Lead(
            first_name=f"First{i}",
            last_name=f"Last{i}",
            title="Buyer",
            company=f"Company {i}",
            email=f"person{i}@company{i}.example",
            phone="+1 555 0100",
            website=f"www.company{i}.example",
            street=f"{i} Main St",
            city="Springfield",
            state="IL",
            postal_code="62701",
            country="USA",
            industry="Banking",
            annual_revenue=Decimal("1000000"),
            number_of_employees=100,
            rating="Warm",
            status="Working",
            lead_source="Website",
            description="Seeded by the conversion benchmark.",
            owner_user=rep,
            owner_assigned_at=now,
            created_at=now,
            last_modified_at=now,
            created_by=rep,
            last_modified_by=rep,
            custom_fields={"Region__c": "EMEA", "Seats__c": 10 + i % 50},
        )
        for i in range(leads)
    ]
    Lead.objects.bulk_create(rows, batch_size=500)
    _, key = api_token_create(user=rep)
    ids = list(Lead.objects.order_by("pk").values_list("pk", flat=True))
    return key, ids, product.pk, existing.pk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database afterwards")
    parser.add_argument("--profile", metavar="FILE", help="write cProfile statistics of the requests to FILE")
    args = parser.parse_args()

    server = server_url()
    django_environment(database_url=recreate_database(server, DB_NAME), eager=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.test import APIClient

    import conversion.services as conversion_services

    print(f"Database {DB_NAME}: migrating…", flush=True)
    call_command("migrate", verbosity=0)
    token, ids, product_id, existing_id = seed(args.leads)
    print(f"Seeded {len(ids)} leads; converting in batches of {args.batch} through POST /api/leads/convert/")

    timings: list[float] = []
    cpu: list[float] = []
    original = conversion_services.lead_convert

    def timed(**kwargs):
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            return original(**kwargs)
        finally:
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)

    conversion_services.lead_convert = timed
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    request_times, converted, failed = [], 0, 0
    queries = 0

    def count_queries(execute, sql, params, many, context):
        # A plain counter: Django's debug cursor would add its own cost to every timed conversion.
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    started = time.perf_counter()
    for offset in range(0, len(ids), args.batch):
        items = []
        for position, lead_id in enumerate(ids[offset : offset + args.batch], start=offset):
            item = {"id": lead_id, "products": [{"product": product_id, "quantity": "2"}], "close_date": "2030-12-31"}
            if position % 10 == 9:
                item["account"] = existing_id
            items.append(item)
        if profiler is not None:
            profiler.enable()
        t0 = time.perf_counter()
        with connection.execute_wrapper(count_queries):
            response = client.post("/api/leads/convert/", {"leads": items}, format="json")
        request_times.append(time.perf_counter() - t0)
        if profiler is not None:
            profiler.disable()
        if response.status_code != 200:
            raise SystemExit(f"Unexpected answer {response.status_code}: {response.content[:500]!r}")
        body = response.json()
        converted += body["converted"]
        failed += body["failed"]
        if body["failed"]:
            print("  failures:", [r["errors"] for r in body["results"] if not r["success"]][:3])
    wall = time.perf_counter() - started
    conversion_services.lead_convert = original
    if profiler is not None:
        profiler.dump_stats(args.profile)

    ms = [t * 1000 for t in timings]
    p95 = percentile(ms, 95)
    print()
    print(f"Converted: {converted}   failed: {failed}   requests: {len(request_times)}")
    print(f"Wall time: {wall:.2f} s   conversions per second: {converted / wall:.1f}")
    print(
        f"Per conversion: p50 {percentile(ms, 50):.1f} ms   p95 {p95:.1f} ms   max {max(ms):.1f} ms   "
        f"mean {statistics.mean(ms):.1f} ms"
    )
    cpu_ms = [t * 1000 for t in cpu]
    print(
        f"CPU time of this process per conversion (excludes PostgreSQL's own time): "
        f"p50 {percentile(cpu_ms, 50):.1f} ms   p95 {percentile(cpu_ms, 95):.1f} ms"
    )
    print(f"Per request of {args.batch}: p95 {percentile([t * 1000 for t in request_times], 95):.0f} ms")
    print(f"Queries per conversion: {queries / max(1, converted + failed):.1f}")
    print(f"Target p95 per conversion < 50 ms: {'met' if p95 < 50 else 'NOT met'}")
    connection.close()
    if not args.keep:
        drop_database(server, DB_NAME)


if __name__ == "__main__":
    main()
