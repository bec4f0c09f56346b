"""Benchmark: tracking intake and event-to-score latency, on gunicorn as production runs it.

Uses the gunicorn harness of ``bench/webtolead.py`` (its own PostgreSQL database, created and
migrated here, Redis, the bare view served beside the app's URLs). Seeds 200 leads, each linked to a
first-party visitor id as a Web-to-Lead submission would, and an active scoring model whose
behaviour rule counts page views; the tracking rate limit is off for the run.

1. Alternating rounds of POSTs to the bare view and to ``/t/events/`` (a page-view body of the
   tracking script) with no worker running, so that both endpoints get the same machine: prints both
   rates (median of the rounds) and their ratio (target: at least 0.5), p50/p99 latency and the CPU
   time per request of each side.
2. Then starts the Celery workers as production runs them (one for intake, emails and the rest, one
   for imports and scoring) and posts page views of the seeded visitors at a steady ``--rate``
   (default 100 events/s) for ``--seconds`` (default 60), watching the stored scores: the latency of an event is the time from its POST to the first moment
   its lead's stored score counts it. Prints p50/p95/p99/max and whether p95 is under 2 s.
   Then where that time went, hop by hop, from the rows' own timestamps: the POST until the row is
   stored, the drain until its event is written, then until its lead's rescoring starts, then until
   the watcher sees the new score.

The database is ``bench_tracking`` (``BENCH_TRACKING_DB`` names another), the broker Redis db 3
(``BENCH_REDIS_URL``).

    .venv/bin/python bench/tracking.py [--requests 1000] [--rounds 3] [--threads 8] [--rate 100] [--seconds 60]
"""

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def _harness():
    """The gunicorn harness of the Web-to-Lead benchmark, loaded under its own name (the file is
    named like the webtolead app, which a plain import would shadow)."""
    spec = importlib.util.spec_from_file_location("webtolead_bench", Path(__file__).resolve().parent / "webtolead.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


harness = _harness()
ROOT = harness.ROOT
PYTHON = harness.PYTHON
DB_NAME = os.environ.get("BENCH_TRACKING_DB", "bench_tracking")
PG = harness.PG
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
LEADS = 200
TARGET_P95 = 2.0


def visitor(n: int) -> str:
    return f"benchvisitor{n:06d}"


def page_view(n: int, count: int) -> bytes:
    return json.dumps(
        {
            "type": "page_view",
            "vid": visitor(n % LEADS),
            "url": f"https://www.example.com/pricing?n={count}",
            "title": "Pricing",
            "referrer": "https://www.example.com/",
        }
    ).encode()


def seed() -> None:
    """Runs inside the bench environment: leads linked to visitor ids and a scoring model."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from core.roles import ensure_roles
    from engagement.services import engagement_settings_update, visitor_attach
    from scoring import services
    from tests.factories import LeadFactory

    ensure_roles()
    admin = get_user_model().objects.create_user("bench-admin", "admin@example.com", "bench-pass-123")
    admin.groups.add(Group.objects.get(name="Marketing admin"))
    engagement_settings_update(tracking_enabled=True, rate_limit_per_minute=0, acting_user=admin)
    model = services.scoring_model_create(
        data={"name": "Bench", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 30},
        acting_user=admin,
    )
    services.behaviour_rule_create(
        model=model, data={"event_type": "page_view", "url_pattern": "/pricing", "points": 1}, acting_user=admin
    )
    for n in range(LEADS):
        lead = LeadFactory(owner_user=admin)
        visitor_attach(visitor_id=visitor(n), lead=lead)


def watch_scores(stop: threading.Event, seen: dict) -> None:
    """Poll the stored scores; note when each lead's counted page views first reach each number."""
    try:
        _watch(stop, seen)
    except Exception as exc:  # a thread's error would otherwise pass unseen
        print(f"the score watcher stopped: {exc!r}", flush=True)


def _watch(stop: threading.Event, seen: dict) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/{DB_NAME}")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT v.visitor_id, l.id FROM engagement_trackedvisitor v JOIN leads_lead l ON l.id = v.lead_id")
        lead_of = dict(cur.fetchall())
    by_lead = {lead: vid for vid, lead in lead_of.items()}
    try:
        while not stop.is_set():
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT lead_id, COALESCE((explanation->'behaviour'->0->>'events')::int, 0) FROM scoring_leadscore"
                )
                rows = cur.fetchall()
            now = time.perf_counter()
            for lead_id, counted in rows:
                vid = by_lead.get(lead_id)
                marks = seen.setdefault(vid, {})
                for k in range(len(marks) + 1, counted + 1):
                    marks[k] = now
            time.sleep(0.02)
    finally:
        conn.close()


def steady_load(url: str, rate: float, seconds: float, threads: int) -> list[tuple[str, int, float]]:
    """POST page views at ``rate`` per second for ``seconds``; answers (visitor, its k-th view, sent at)."""
    total = int(rate * seconds)
    sent: list[tuple[str, int, float]] = []
    counts: dict[str, int] = {}
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def one(n: int, k: int, body: bytes) -> None:
        status, _ = harness.post(url, body)
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for n in range(total):
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            vid = visitor(n % LEADS)
            counts[vid] = counts.get(vid, 0) + 1
            sent.append((vid, counts[vid], time.perf_counter()))
            pool.submit(one, n, counts[vid], page_view(n, counts[vid]))
    print(f"  sent {total} page views in {time.perf_counter() - start:.1f} s; answers {statuses}", flush=True)
    return sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1000, help="requests per endpoint and round (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per endpoint (default 3)")
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--rate", type=float, default=100.0, help="events per second in part 2 (default 100)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of part 2 (default 60)")
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed()
        return

    workdir = Path(tempfile.mkdtemp(prefix="tracking-bench-"))
    env = harness.bench_env(workdir, DB_NAME, REDIS_URL)
    print(f"Creating database {DB_NAME} and migrating ...", flush=True)
    harness.psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    harness.psql(f"CREATE DATABASE {DB_NAME}")
    server = worker = scoring_worker = None
    stop = threading.Event()
    seen: dict = {}
    baseline: dict = {}
    hops = ""
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PYTHON, __file__, "--seed"], cwd=ROOT, env=env, check=True)
        server, base = harness.start_server(env, workdir)
        bare_url, track_url = f"{base}/bench/bare/", f"{base}/t/events/"
        count, threads = args.requests, args.threads
        print(
            f"gunicorn on {base}, {harness.production_workers()} sync workers; {args.rounds} alternating rounds of "
            f"{count} requests per endpoint from {threads} client threads",
            flush=True,
        )
        bodies = [page_view(n, n) for n in range(count)]
        harness.run(bare_url, [b"x=1"] * threads * 25, threads)
        harness.run(track_url, bodies[: threads * 25], threads)

        # 1. Both endpoints on an otherwise idle machine (the stored rows wait for the worker).
        idle: dict[str, list] = {"bare": [], "track": []}
        meter = harness.CpuMeter(server)
        for _ in range(args.rounds):
            idle["bare"].append(meter.run("bare view", bare_url, [b"x=1"] * count, threads))
            idle["track"].append(meter.run("tracking", track_url, bodies, threads))
        bare, track = harness.summary(idle["bare"]), harness.summary(idle["track"])
        ratio = track["rate"] / bare["rate"]
        print()
        print(harness.line("bare Django view ", bare))
        print(harness.line("POST /t/events/  ", track))
        print(f"ratio tracking / bare: {ratio:.2f} (target >= 0.5: {'met' if ratio >= 0.5 else 'NOT met'})")
        print(meter.line("bare view"))
        print(meter.line("tracking"))

        # 2. The worker drains the rows of part 1, then a steady stream of page views.
        # As production runs them (docker-compose.yml): intake and the rest, and a worker of its own
        # for scoring, so that a long drain of tracking rows never holds the rescoring back.
        worker = harness.start_worker(env, "intake,emails,default")
        scoring_worker = harness.start_worker(env, "imports,scoring")
        watcher = threading.Thread(target=watch_scores, args=(stop, seen), daemon=True)
        started = time.perf_counter()
        baseline = settle()
        print(
            f"\nthe worker stored and scored part 1's page views in {time.perf_counter() - started:.1f} s", flush=True
        )
        watcher.start()
        print(f"steady load: {args.rate:.0f} page views/s for {args.seconds:.0f} s with the worker running", flush=True)
        sent = steady_load(track_url, args.rate, args.seconds, threads)
        deadline = time.perf_counter() + 60
        while time.perf_counter() < deadline:
            if all(seen.get(vid, {}).get(baseline.get(vid, 0) + k) for vid, k, _at in sent):
                break
            time.sleep(0.2)
        hops = hop_times(sent, seen, baseline)
    finally:
        stop.set()
        for proc in (server, worker, scoring_worker):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        harness.psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        try:
            import redis

            redis.Redis.from_url(REDIS_URL).delete("celery", "scoring", "intake", "emails", "imports", "default")
        except Exception as exc:  # the figures are printed all the same
            print(f"(could not clear the bench broker queues: {exc})")
        shutil.rmtree(workdir, ignore_errors=True)

    # The k-th view of part 2 is counted once the lead's stored score counts baseline + k views.
    latencies, missing = [], 0
    for vid, k, at in sent:
        scored_at = seen.get(vid, {}).get(baseline.get(vid, 0) + k)
        if scored_at is None:
            missing += 1
        else:
            latencies.append(max(0.0, scored_at - at))
    latencies.sort()
    if not latencies:
        print("no event reached a stored score")
        return
    p = lambda q: latencies[min(len(latencies) - 1, int(len(latencies) * q))]  # noqa: E731
    print(
        f"event to updated score: p50 {p(0.5) * 1000:.0f} ms, p95 {p(0.95) * 1000:.0f} ms, p99 {p(0.99) * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms over {len(latencies)} events ({missing} never counted); "
        f"target p95 < {TARGET_P95:.0f} s: {'met' if p(0.95) < TARGET_P95 else 'NOT met'}"
    )
    print(f"mean {statistics.mean(latencies) * 1000:.0f} ms")
    print(hops)


def hop_times(sent: list, seen: dict, baseline: dict) -> str:
    """Where part 2's time went, per page view, from the rows' own timestamps: its POST stored it
    (``received_at``), the drain wrote its event (``processed_at``, set just before its batch
    commits), the rescoring of its lead started (the lead's next score history row), and the
    watcher saw the score count it. Medians and 95th percentiles of each hop, in ms."""
    # Wall-clock time of a perf_counter reading, to compare with the database's timestamps.
    offset = time.time() - time.perf_counter()
    rows = {
        (vid, url.rsplit("=", 1)[-1]): times
        for vid, url, *times in _fetchall(
            "SELECT i.body::jsonb->>'vid', i.body::jsonb->>'url', extract(epoch FROM i.received_at), "
            "extract(epoch FROM i.processed_at), extract(epoch FROM (SELECT min(h.changed_at) "
            "FROM scoring_leadscorehistory h WHERE h.lead_id = e.lead_id AND h.changed_at >= i.processed_at)) "
            "FROM engagement_trackingintake i JOIN engagement_engagementevent e ON e.id = i.event_id "
            "WHERE i.received_at > (SELECT max(received_at) FROM engagement_trackingintake) - interval '90 seconds'"
        )
    }
    hops: dict[str, list[float]] = {"post": [], "drain": [], "to rescore": [], "rescore to seen": []}
    for vid, k, at in sent:
        times = rows.get((vid, str(k)))
        seen_at = seen.get(vid, {}).get(baseline.get(vid, 0) + k)
        if not times or None in times or seen_at is None:
            continue
        received, processed, rescored = (float(t) for t in times)
        hops["post"].append(received - (at + offset))
        hops["drain"].append(processed - received)
        hops["to rescore"].append(rescored - processed)
        hops["rescore to seen"].append(seen_at + offset - rescored)
    parts = []
    for name, values in hops.items():
        values.sort()
        if values:
            parts.append(f"{name} {values[len(values) // 2] * 1000:.0f}/{values[int(len(values) * 0.95)] * 1000:.0f}")
    return f"hops, p50/p95 ms over {len(hops['post'])} events: " + ", ".join(parts)


def _fetchall(query: str) -> list[tuple]:
    import psycopg2

    with psycopg2.connect(f"{PG}/{DB_NAME}") as conn, conn.cursor() as cur:
        cur.execute(query)
        rows = cur.fetchall()
    conn.close()
    return rows


def settle(timeout: float = 180) -> dict[str, int]:
    """Wait until the worker has drained part 1's rows and every lead's stored score counts all of
    its page views; answers each visitor's count then."""
    import psycopg2

    conn = psycopg2.connect(f"{PG}/{DB_NAME}")
    conn.autocommit = True
    deadline = time.monotonic() + timeout
    try:
        while True:
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM engagement_trackingintake WHERE outcome = 'received'")
                waiting = cur.fetchone()[0]
                cur.execute(
                    "SELECT v.visitor_id, count(e.id), "
                    "COALESCE(max((s.explanation->'behaviour'->0->>'events')::int), 0) "
                    "FROM engagement_trackedvisitor v "
                    "LEFT JOIN engagement_engagementevent e ON e.lead_id = v.lead_id AND e.event_type = 'page_view' "
                    "LEFT JOIN scoring_leadscore s ON s.lead_id = v.lead_id GROUP BY v.visitor_id"
                )
                rows = cur.fetchall()
            if (
                not waiting and all(events == counted for _vid, events, counted in rows)
            ) or time.monotonic() > deadline:
                return {vid: events for vid, events, _counted in rows}
            time.sleep(0.5)
    finally:
        conn.close()


if __name__ == "__main__":
    main()
