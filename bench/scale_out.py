"""Benchmark: does a second web instance and a second Celery worker add throughput on this machine?

Runs the same load twice, each time on a fresh PostgreSQL database (created, migrated and seeded as
bench/webtolead.py seeds it: an assignment rule of 50 entries, an auto-response rule, one form) and a
Redis of its own:

1. one gunicorn instance (gunicorn.conf.py's workers, as production) and one Celery worker;
2. two gunicorn instances and two Celery workers, each its own process.

Client threads post Web-to-Lead submissions round-robin to the web instances; the workers turn them
into leads, route them and send their auto-responses meanwhile. For each run it prints the
submissions accepted per second (answered 303, over the posting time) and the leads produced per
second (from the first POST until every submission is a lead with its auto-response sent), checks
that nothing was lost or duplicated, and at the end prints the ratio of the two runs.

    .venv/bin/python bench/scale_out.py [--requests 1500] [--threads 16] [--rounds 1] [--configs 1x1,2x2]
"""

import argparse
import importlib.util
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
DB_NAME = "bench_scale_out"
# One worker process as production starts one (docker-compose: celery -A leadcrm worker), one task
# at a time so that "two workers" means two processes working.
CELERY_WORKER = [PYTHON, "-m", "celery", "-A", "leadcrm", "worker", "--concurrency=1", "--loglevel=WARNING"]
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def _webtolead_bench():
    """bench/webtolead.py's helpers (seeding, posting); loaded by path, as bench/ is no package."""
    spec = importlib.util.spec_from_file_location("w2l_bench", ROOT / "bench" / "webtolead.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


W2L = _webtolead_bench()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Run:
    """One configuration: its database, Redis, web instances and workers."""

    def __init__(self, webs: int, workers: int, workdir: Path) -> None:
        self.webs, self.workers = webs, workers
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []
        self.redis_port = free_port()
        self.ports: list[int] = []
        (workdir / "var").mkdir(parents=True, exist_ok=True)
        self.env = dict(os.environ)
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "leadcrm.settings",
                "PYTHONPATH": str(ROOT),
                "DATABASE_URL": f"{PG}/{DB_NAME}",
                "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
                "LEADCRM_VAR_DIR": str(workdir / "var"),
                "DJANGO_DEBUG": "false",
                "DJANGO_SECURE_SSL_REDIRECT": "false",
                "DJANGO_SECURE_COOKIES": "false",
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "LOG_LEVEL": "ERROR",
                "ACCESS_LOG": "false",
                "PROMETHEUS_MULTIPROC_DIR": str(workdir / "metrics"),
                "CELERY_TASK_ALWAYS_EAGER": "false",
            }
        )
        self.env.pop("EMAIL_URL", None)

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.workdir / f"{name}.log").open("w")
        proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(proc)
        return proc

    def start(self) -> str:
        """Database, Redis, seed; then the web instances and workers. Answers the form key."""
        W2L.psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        W2L.psql(f"CREATE DATABASE {DB_NAME}")
        self._spawn(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        )
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=self.env, check=True)
        seeded = subprocess.run(
            [PYTHON, str(ROOT / "bench" / "webtolead.py"), "--seed"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        key = seeded.stdout.strip().splitlines()[-1]
        for n in range(self.webs):
            port = free_port()
            self.ports.append(port)
            self._spawn(f"web{n}", [str(BIN / "gunicorn"), "leadcrm.wsgi:application", "--bind", f"127.0.0.1:{port}"])
        for n in range(self.workers):
            self._spawn(
                f"worker{n}",
                [*CELERY_WORKER, f"--hostname=bench{n}@%h"],
            )
        for port in self.ports:
            self._wait_http(port)
        self._wait_workers()
        return key

    def _wait_http(self, port: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn on {port} did not start")

    def _wait_workers(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ping = subprocess.run(
                [PYTHON, "manage.py", "check_worker", "--timeout", "2"],
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                text=True,
            )
            if ping.stdout.count(": ok") >= self.workers:
                return
            time.sleep(0.5)
        raise SystemExit("the Celery workers did not start")

    def pids(self, prefix: str) -> list[list[int]]:
        """The process ids of each web instance ("web") or worker ("worker"), children included."""
        groups = []
        for proc in self.processes:
            if (Path(str(proc.args[0])).name in ("gunicorn",) and prefix == "web") or (
                prefix == "worker" and "worker" in proc.args and "celery" in proc.args
            ):
                groups.append([proc.pid, *W2L._pids("-P", str(proc.pid))])
        return groups

    def cpu(self) -> dict:
        """CPU seconds so far: per worker, per web instance, and this client. (PostgreSQL's backends
        come and go with connections, so their CPU time is not summed here.)"""
        return {
            "workers": [W2L._cpu_seconds(group) for group in self.pids("worker")],
            "webs": [W2L._cpu_seconds(group) for group in self.pids("web")],
            "client": sum(os.times()[:2]),
        }

    def stop(self) -> None:
        for proc in reversed(self.processes):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        W2L.psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def counts() -> dict:
    import psycopg2

    conn = psycopg2.connect(f"{PG}/{DB_NAME}")
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT (SELECT count(*) FROM webtolead_intake), "
                "(SELECT count(*) FROM webtolead_intake WHERE outcome = 'created'), "
                "(SELECT count(*) FROM leads_lead), "
                "(SELECT count(DISTINCT email) FROM leads_lead), "
                "(SELECT count(*) FROM emails_outboundemail WHERE kind = 'auto_response' AND status = 'sent')"
            )
            intakes, created, leads, distinct, sent = cur.fetchone()
    finally:
        conn.close()
    return {"intakes": intakes, "created": created, "leads": leads, "distinct": distinct, "sent": sent}


def wait_done(expected: int, timeout: float = 900) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        now = counts()
        if (now["created"] >= expected and now["sent"] >= expected) or time.monotonic() > deadline:
            return now
        time.sleep(0.05)


def measure(webs: int, workers: int, requests: int, threads: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"scale-out-{webs}x{workers}-"))
    run = Run(webs, workers, workdir)
    try:
        key = run.start()
        made = W2L.Submissions(key)
        urls = [f"http://127.0.0.1:{port}/web-to-lead/" for port in run.ports]
        # Warm up every gunicorn worker and Celery worker, then let the backlog drain.
        warm = made.take(40 * webs)
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(lambda nb: W2L.post(urls[nb[0] % webs], nb[1]), enumerate(warm)))
        wait_done(made.made)

        bodies = made.take(requests)
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def send(numbered: tuple[int, bytes]) -> None:
            status, _ = W2L.post(urls[numbered[0] % webs], numbered[1])
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

        cpu_before = run.cpu()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(send, enumerate(bodies)))
        posted = time.perf_counter() - started
        done = wait_done(made.made)
        processed = time.perf_counter() - started
        cpu_after = run.cpu()
        return {
            "cpu": {
                "workers": [b - a for a, b in zip(cpu_before["workers"], cpu_after["workers"], strict=True)],
                "webs": [b - a for a, b in zip(cpu_before["webs"], cpu_after["webs"], strict=True)],
                "client": cpu_after["client"] - cpu_before["client"],
            },
            "webs": webs,
            "workers": workers,
            "accepted_per_s": statuses.get(303, 0) / posted,
            "leads_per_s": requests / processed,
            "posted_s": posted,
            "processed_s": processed,
            "statuses": statuses,
            "expected": made.made,
            **done,
        }
    finally:
        run.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def report(result: dict) -> str:
    lost = result["expected"] - result["created"]
    duplicated = result["leads"] - result["distinct"]
    return (
        f"{result['webs']} web + {result['workers']} worker: {result['accepted_per_s']:7.1f} submissions/s accepted "
        f"({result['posted_s']:.1f} s), {result['leads_per_s']:6.1f} leads/s produced ({result['processed_s']:.1f} s); "
        f"answers {result['statuses']}; {result['leads']} leads, {result['sent']} auto-responses sent, "
        f"{lost} lost, {duplicated} duplicated"
    )


def cpu_report(result: dict) -> str:
    cpu = result["cpu"]
    total = sum(cpu["workers"]) + sum(cpu["webs"]) + cpu["client"]
    workers = " + ".join(f"{seconds:.1f}" for seconds in cpu["workers"])
    webs = " + ".join(f"{seconds:.1f}" for seconds in cpu["webs"])
    return (
        f"    CPU seconds over the {result['processed_s']:.1f} s: workers {workers}, web {webs}, "
        f"client {cpu['client']:.1f}; {total / result['processed_s']:.2f} of {os.cpu_count()} cores "
        "busy with the app's processes (PostgreSQL and Redis not counted)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1500, help="submissions per run (default 1500)")
    parser.add_argument("--threads", type=int, default=16, help="client threads (default 16)")
    parser.add_argument(
        "--configs",
        default="1x1,2x2",
        help="web instances x workers to compare, the first as the base (default 1x1,2x2)",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="runs of each shape, alternating; medians are compared (default 1)"
    )
    args = parser.parse_args()
    configs = [tuple(int(n) for n in config.split("x")) for config in args.configs.split(",")]
    print(f"{os.cpu_count()} cores; {args.requests} submissions per run from {args.threads} client threads", flush=True)
    runs: dict[tuple[int, int], list[dict]] = {config: [] for config in configs}
    for round_number in range(1, args.rounds + 1):
        for webs, workers in configs:
            print(f"round {round_number}: running {webs} web + {workers} worker ...", flush=True)
            result = measure(webs, workers, args.requests, args.threads)
            runs[(webs, workers)].append(result)
            print(report(result), flush=True)
            print(cpu_report(result), flush=True)
    print()
    medians = {}
    for (webs, workers), results in runs.items():
        accepted = statistics.median(r["accepted_per_s"] for r in results)
        leads = statistics.median(r["leads_per_s"] for r in results)
        medians[(webs, workers)] = (accepted, leads)
        lost = sum(r["expected"] - r["created"] for r in results)
        duplicated = sum(r["leads"] - r["distinct"] for r in results)
        print(
            f"{webs} web + {workers} worker, median of {len(results)}: {accepted:7.1f} submissions/s accepted, "
            f"{leads:6.1f} leads/s produced; {lost} lost, {duplicated} duplicated in all"
        )
    base = configs[0]
    for config in configs[1:]:
        print(
            f"ratio {config[0]}+{config[1]} / {base[0]}+{base[1]}: submissions accepted "
            f"{medians[config][0] / medians[base][0]:.2f}, leads produced {medians[config][1] / medians[base][1]:.2f}"
        )


if __name__ == "__main__":
    main()
