"""Faults on real services: the public Web-to-Lead endpoint and the Celery worker, each its own
process as in production (gunicorn, ``celery worker``), through a Redis outage, a worker killed
with SIGKILL mid-batch and PostgreSQL connections terminated under load.

Each test asserts what a visitor and a customer see: no 5xx, every submission a lead, every
auto-response sent exactly once. Beat is not started: where work waits for beat's sweeps, the test
runs what the sweeps do in the next minutes. About 10 s per test: three processes start, and the
worker waits out a 3-second outage with its own backoff.
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import psycopg2
import pytest
from django.db import connection
from django.utils import timezone

from emails.models import OutboundEmail
from emails.services import autoresponse_settings_update, email_template_create, outbox_sweep
from emails.services.outbox import REPUBLISH_AFTER
from leadcrm.celery import app as celery_app
from leads.models import Lead
from tests.waiting import wait_until
from webtolead.models import Intake

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
WORKER = [sys.executable, "-m", "celery", "-A", "leadcrm", "worker", "--pool=solo", "--concurrency=1"]
WORKER += ["--without-mingle", "--without-gossip", "--loglevel=INFO", "--hostname=worker@%h"]
FAST_ANSWER = 0.2  # seconds: what a visitor's submission may take while Redis is down


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return f"\n--- {path.name} ---\n" + "\n".join(text.splitlines()[-lines:])


class OwnRedis:
    """A Redis of the test's own. Stopping it saves its data and restarting loads it, as a Redis
    with persistence (the production one) comes back after a restart."""

    def __init__(self, directory: Path):
        self.port = _free_port()
        self.directory = directory
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def _cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True, timeout=10, check=False
        )

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_until(lambda: self._cli("ping").stdout.strip() == "PONG", timeout=10), "redis did not start"

    def stop(self) -> None:
        self._cli("shutdown", "save")
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    redis = OwnRedis(tmp_path)
    redis.start()
    yield redis
    if redis.process.poll() is None:
        redis.process.kill()
        redis.process.wait()


@pytest.fixture
def services(own_redis, smtp_inbox, tmp_path):
    """Starts gunicorn and Celery workers on the test database and the test's own Redis; the
    worker sends to ``smtp_inbox``. Everything started is stopped at teardown."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": own_redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "LEADCRM_VAR_DIR": str(tmp_path),
            "WEB_CONCURRENCY": "2",
        }
    )
    started: list[subprocess.Popen] = []

    class Services:
        redis = own_redis
        web_port = _free_port()
        logs = tmp_path

        def worker(self) -> subprocess.Popen:
            """A Celery worker supervised as scripts/run supervises it: started again when it
            exits. Answers the supervisor; ``celery_pid()`` is the worker of the moment."""
            log = tmp_path / "worker.log"
            supervisor = subprocess.Popen(
                [str(ROOT / "scripts" / "supervise"), str(log), *WORKER],
                cwd=ROOT,
                env={**env, "SUPERVISE_PAUSE": "1"},
            )
            started.append(supervisor)
            self.wait_for_worker(supervisor)
            return supervisor

        def wait_for_worker(self, supervisor: subprocess.Popen, *, starts: int = 1) -> None:
            log = tmp_path / "worker.log"
            ready = wait_until(lambda: log.exists() and log.read_text().count(" ready.") >= starts, timeout=30)
            assert ready, "the worker did not start" + _tail(log)

        def celery_pid(self, supervisor: subprocess.Popen) -> int:
            children = Path(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children").read_text().split()
            [pid] = [int(child) for child in children if "celery" in Path(f"/proc/{child}/cmdline").read_text()]
            return pid

        def web(self) -> subprocess.Popen:
            log = tmp_path / "web.log"
            with log.open("w") as out:
                proc = subprocess.Popen(
                    [str(BIN / "gunicorn"), "leadcrm.wsgi:application", "--bind", f"127.0.0.1:{self.web_port}"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append(proc)

            def answers() -> bool:
                try:
                    return _request(self.web_port, "GET", "/login/")[0] == 200
                except OSError:
                    return False

            assert wait_until(answers, timeout=30), "gunicorn did not start" + _tail(log)
            return proc

        def post(self, form, make_fields, label: str) -> tuple[int, float]:
            fields = make_fields(form, last_name=label, email=f"{label}@example.net")
            return _request(self.web_port, "POST", "/web-to-lead/", urlencode(fields))

        def beat_ticks(self, labels: list[str], smtp_inbox) -> None:
            """What beat's sweeps do within the next minutes: submissions left received become
            leads; then outbox rows never handed to the broker are, and so are rows handed over
            REPUBLISH_AFTER ago whose message went down with the broker or a worker."""
            celery_app.send_task("webtolead.process_submissions")
            made = wait_until(lambda: Intake.objects.filter(outcome=Intake.Outcome.CREATED).count() >= len(labels))
            assert made, "submissions were not made into leads" + self.all_logs()
            outbox_sweep(now=timezone.now() + REPUBLISH_AFTER)
            sent = wait_until(lambda: _everything_done(labels, smtp_inbox))
            assert sent, "auto-responses were not sent" + self.all_logs()

        def all_logs(self) -> str:
            intakes = Counter(Intake.objects.values_list("outcome", flat=True))
            emails = Counter(
                (status, at is None) for status, at in OutboundEmail.objects.values_list("status", "published_at")
            )
            state = f"intake rows: {dict(intakes)}; outbox (status, unpublished): {dict(emails)}"
            return state + "".join(_tail(path) for path in sorted(tmp_path.glob("*.log")))

    original_broker = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    _use_broker(own_redis.url)
    yield Services()
    _use_broker(original_broker)
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
    for proc in started:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _request(port: int, method: str, path: str, body: str | None = None) -> tuple[int, float]:
    """One request on a new connection, as a visitor's browser sends it: (status, seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    return response.status, time.perf_counter() - started


@pytest.fixture
def auto_response(marketing_admin):
    template = email_template_create(
        data={"name": "Thanks", "subject": "Thanks, {{Lead.LastName}}", "body_text": "Hello {{Lead.LastName}}"},
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(
        default_template=template, default_from_address="sales@acme.example", acting_user=marketing_admin
    )
    return template


def _everything_done(labels: list[str], smtp_inbox) -> bool:
    return (
        Intake.objects.filter(outcome=Intake.Outcome.CREATED).count() >= len(labels)
        and not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists()
        and len(smtp_inbox.messages) >= len(labels)
    )


def _assert_each_once(labels: list[str], smtp_inbox) -> None:
    time.sleep(1)  # a duplicate email would arrive now
    expected = {f"{label}@example.net": 1 for label in labels}
    assert Counter(Intake.objects.values_list("payload__email", flat=True)) == expected, "a submission was lost"
    assert Counter(Lead.objects.values_list("email", flat=True)) == expected
    assert Intake.objects.exclude(outcome=Intake.Outcome.CREATED).count() == 0
    assert Counter(r for message in smtp_inbox.messages for r in message.rcpt_tos) == expected


def test_a_redis_outage_costs_no_submission_no_error_and_no_wait(
    services, web_form, fields_for, auto_response, smtp_inbox
):
    worker = services.worker()
    services.web()
    answers: dict[str, list[tuple[int, float]]] = {"before": [], "during": [], "after": []}

    def submit(phase: str, count: int, pause: float = 0.05) -> None:
        for n in range(count):
            answers[phase].append(services.post(web_form, fields_for, f"{phase}-{n}"))
            time.sleep(pause)

    submit("before", 5)
    services.redis.stop()
    submit("during", 15, pause=0.2)  # about 3 s: the worker loses the broker and tries again
    services.redis.start()
    submit("after", 5)
    labels = [f"{phase}-{n}" for phase, got in answers.items() for n in range(len(got))]
    services.beat_ticks(labels, smtp_inbox)

    statuses = Counter(status for got in answers.values() for status, _seconds in got)
    assert statuses == {303: len(labels)}, services.all_logs()
    during = [round(seconds, 3) for _status, seconds in answers["during"]]
    assert max(during) < FAST_ANSWER, f"submissions took {during} s while Redis was down"
    # The worker reconnects with backoff. (kombu can fail while restoring the unacknowledged
    # messages of the lost connection; the worker then exits and its supervisor starts it again.)
    assert "Connection to broker lost" in (services.logs / "worker.log").read_text()
    assert worker.poll() is None, "the worker's supervisor stopped" + services.all_logs()
    _assert_each_once(labels, smtp_inbox)


def test_a_worker_busy_with_a_batch_when_redis_goes_away_loses_nothing_and_sends_each_email_once(
    services, web_form, fields_for, auto_response, smtp_inbox
):
    services.web()
    labels = [f"busy-{n}" for n in range(40)]
    for label in labels:
        assert services.post(web_form, fields_for, label)[0] == 303
    # Redis goes away while the worker runs a task it has not acknowledged yet (acks_late): the
    # batch is held mid-transaction until Redis is gone, then finishes while it is away.
    with _outbox_writes_held():
        worker = services.worker()
        assert wait_until(lambda: _writing_transactions(waiting=True) > 0, timeout=30), services.all_logs()
        services.redis.stop()
    time.sleep(3)
    services.redis.start()
    labels.append("busy-after")
    assert services.post(web_form, fields_for, "busy-after")[0] == 303

    services.beat_ticks(labels, smtp_inbox)

    assert worker.poll() is None, "the worker's supervisor stopped" + services.all_logs()
    _assert_each_once(labels, smtp_inbox)


def _writing_transactions(*, waiting: bool = False) -> int:
    """Transactions of other sessions on the test database that have written and not committed
    (``waiting``: only those waiting for a lock)."""
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
    other.autocommit = True
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
                + (" AND wait_event_type = 'Lock'" if waiting else "")
            )
            return cursor.fetchone()[0]
    finally:
        other.close()


@contextmanager
def _outbox_writes_held():
    """Hold every insert into the outbox until the block ends: a batch that has written its leads
    then waits, mid-transaction, for its auto-responses (a batch is otherwise over in milliseconds)."""
    db = connection.settings_dict
    holder = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
    try:
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {OutboundEmail._meta.db_table} IN SHARE MODE")
        yield
    finally:
        holder.rollback()
        holder.close()


def test_a_worker_killed_mid_batch_loses_nothing_and_the_next_worker_sends_each_email_once(
    services, web_form, fields_for, auto_response, smtp_inbox
):
    services.web()
    labels = [f"killed-{n}" for n in range(40)]
    for label in labels:
        assert services.post(web_form, fields_for, label)[0] == 303
    outcomes = Counter(Intake.objects.values_list("outcome", "reason"))
    assert outcomes == {(Intake.Outcome.RECEIVED, ""): len(labels)}, f"{outcomes}{services.all_logs()}"

    with _outbox_writes_held():
        supervisor = services.worker()
        mid_batch = wait_until(lambda: _writing_transactions(waiting=True) > 0, timeout=30)
        os.kill(services.celery_pid(supervisor), signal.SIGKILL)
        assert mid_batch, "the worker never began a batch" + services.all_logs()
        assert Lead.objects.count() < len(labels), "the batch finished before the kill"

    services.wait_for_worker(supervisor, starts=2)  # a new worker, started by its supervisor
    services.beat_ticks(labels, smtp_inbox)

    _assert_each_once(labels, smtp_inbox)


def test_database_connections_terminated_under_load_cost_no_submission_and_no_error(
    services, web_form, fields_for, auto_response, smtp_inbox
):
    services.worker()
    services.web()
    connection.ensure_connection()
    mine = connection.connection.get_backend_pid()
    db = connection.settings_dict
    stop = threading.Event()
    terminated: list[int] = []

    def terminate_backends() -> None:
        # As a database failover or restart does, every few hundred milliseconds.
        other = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
        other.autocommit = True
        try:
            with other.cursor() as cursor:
                while not stop.wait(0.15):
                    cursor.execute(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)",
                        [mine],
                    )
                    terminated.append(cursor.fetchone()[0])
        finally:
            other.close()

    terminator = threading.Thread(target=terminate_backends)
    terminator.start()
    labels = [f"dropped-{n}" for n in range(40)]
    statuses: Counter = Counter()
    try:
        for label in labels:
            statuses[services.post(web_form, fields_for, label)[0]] += 1
            time.sleep(0.05)
    finally:
        stop.set()
        terminator.join()
    assert sum(terminated) >= 5, terminated
    assert statuses == {303: len(labels)}, services.all_logs()
    services.beat_ticks(labels, smtp_inbox)
    _assert_each_once(labels, smtp_inbox)
