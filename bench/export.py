"""Lead export benchmark: CSV export of every lead through the list export, rows per second and
memory.

Uses the 1,000,000 leads of ``bench/lead_list.py`` (``leadcrm_bench``; seeded by that script's
seeding if missing, ``--leads`` to choose the size, ``--database`` another database) and exports them as a system admin who sees every
lead, through Django's test client (``GET /api/leads/export.csv?view=all``: the standard list's
columns, newest first), reading the streamed answer chunk by chunk as a client would. It prints the
rows, bytes, seconds and rows per second (target: at least 50,000 rows/s), and the resident memory
of the process before, during (at every tenth of the rows) and after the export with its peak (target: flat,
i.e. the peak no more than a few tens of MB above the start whatever the row count).

    .venv/bin/python bench/export.py                      # 1,000,000 leads
    .venv/bin/python bench/export.py --ordering company   # sorted by another column
    .venv/bin/python bench/export.py --no-seed            # a database seeded before, read only
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lead_list

TARGET_ROWS_PER_SECOND = 50_000
FLAT_MB = 50


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def measure(args) -> dict:
    from django.test import Client

    from leads.models import Lead

    admin = lead_list.bench_admin()
    client = Client()
    client.force_login(admin)
    url = "/api/leads/export.csv?view=all" + (f"&ordering={args.ordering}" if args.ordering else "")
    visible = Lead.objects.filter(is_converted=False).count()

    # A small export first: imports, caches and connections are warm before the measured one.
    warm = client.get(url + "&status=Nurturing&created_from=2099-01-01")
    b"".join(warm.streaming_content)

    start_mb = rss_mb()
    samples = []
    rows = -1  # the header line
    size = 0
    step = max(visible // 10, 1000)
    next_sample = step
    load_before = os.getloadavg()[0]
    cpu_before = time.process_time()
    started = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += chunk.count(b"\n")
        if rows >= next_sample:
            samples.append((rows, rss_mb()))
            next_sample += step
    elapsed = time.perf_counter() - started
    response.close()
    return {
        "url": url,
        "visible": visible,
        "rows": rows,
        "bytes": size,
        "seconds": elapsed,
        "cpu_seconds": time.process_time() - cpu_before,
        "start_mb": start_mb,
        "end_mb": rss_mb(),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "samples": samples,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leads", type=int, default=1_000_000, help="leads in leadcrm_bench")
    parser.add_argument("--ordering", default="", help="sort column of the export (default: newest first)")
    parser.add_argument("--database", default=lead_list.LARGE_DB, help="database of the leads (seeded if missing)")
    parser.add_argument("--reseed", action="store_true", help="seed again even if the data is there")
    parser.add_argument(
        "--no-seed", action="store_true", help="measure the database as it is (neither migrated nor seeded)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed", metavar="DB", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    # Passed through by lead_list.run_child; unused here.
    for name in ("--requests", "--warmup", "--sort-requests"):
        parser.add_argument(name, type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--columns", default="", help=argparse.SUPPRESS)
    parser.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-sorts", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        lead_list.child(args, seed=lead_list.seed, measure=measure)
        return
    server = lead_list.server_url()
    if not args.no_seed:
        lead_list.run_child(server, ["--seed", args.database, "--leads", str(args.leads)], args, script=__file__)
    mode = ["--measure"] + (["--ordering", args.ordering] if args.ordering else [])
    result = json.loads(lead_list.run_child(server, mode, args, script=__file__, database=args.database))
    report(result)


def report(r: dict) -> None:
    rate = r["rows"] / r["seconds"] if r["seconds"] else 0.0
    growth = r["peak_mb"] - r["start_mb"]
    print()
    print("Lead export benchmark: GET " + r["url"] + " as a system admin, read chunk by chunk")
    print(f"Load average during the run: {r['load_before']:.1f} -> {r['load_after']:.1f}")
    print()
    print(f"rows exported       {r['rows']:>12,} (leads visible: {r['visible']:,})")
    print(f"bytes               {r['bytes']:>12,}")
    print(f"seconds             {r['seconds']:>12.1f} (CPU of this process: {r['cpu_seconds']:.1f} s)")
    print(
        f"rows per second     {rate:>12,.0f}  target >= {TARGET_ROWS_PER_SECOND:,}: "
        f"{'met' if rate >= TARGET_ROWS_PER_SECOND else 'MISSED'}"
    )
    print()
    print("resident memory of the process (MB):")
    print(f"  before the export {r['start_mb']:>8.1f}")
    for rows, mb in r["samples"]:
        print(f"  at {rows:>9,} rows {mb:>8.1f}")
    print(f"  after the export  {r['end_mb']:>8.1f}")
    print(
        f"  peak              {r['peak_mb']:>8.1f}  (+{growth:.1f} MB over the start; flat means under "
        f"+{FLAT_MB} MB at any size: {'met' if growth < FLAT_MB else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
