"""Scale-out on the engines the app already uses: two gunicorn instances and two Celery workers,
each its own process, on one PostgreSQL database and one Redis.

Visitors post Web-to-Lead submissions to both web instances while 16 sales reps call Accept Next
through the API of both, an import of a few hundred rows and a batch of emails run, and the worker
running the import is killed with SIGKILL halfway through. Asserted: every submission is one lead,
every lead is accepted once, every email is sent once, the import's rows are each one lead (the
other worker takes the import over once beat's sweep queues it again), and /metrics adds up the
processes of a web instance and the workers. About a minute: four processes start and 16 clients
share two cores with them.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from core.tokens import api_token_create
from emails.models import OutboundEmail
from emails.services import autoresponse_settings_update, email_enqueue, email_template_create
from leadcrm.celery import app as celery_app
from leads.imports.models import LeadImport
from leads.imports.services import STALL_AFTER, lead_import_start, lead_import_upload, lead_imports_requeue_stalled
from leads.models import Lead
from leads.routing.services import EntryInput, entry_save, queue_create, rule_activate, rule_create
from tests.factories import UserFactory
from tests.ops.test_faults import OwnRedis, _free_port, _tail
from tests.waiting import wait_until
from webtolead.models import Intake

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SUBMISSIONS = 200
IMPORT_ROWS = 300
EMAILS = 40
CLIENTS = 16
METRICS_TOKEN = "scale-out-metrics-token"


class Stack:
    """The processes of the test, started on the test database and the test's own Redis."""

    def __init__(self, env: dict, logs: Path):
        self.env = env
        self.logs = logs
        self.started: list[subprocess.Popen] = []
        self.web_ports: list[int] = []
        self.workers: dict[str, subprocess.Popen] = {}
        self.webs: list[tuple[int, Path]] = []

    def _start(self, name: str, command: list[str]) -> tuple[subprocess.Popen, Path]:
        log = self.logs / f"{name}.log"
        with log.open("w") as out:
            proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.started.append(proc)
        return proc, log

    def web(self, name: str) -> None:
        port = _free_port()
        _, log = self._start(name, [str(BIN / "gunicorn"), "leadcrm.wsgi:application", "--bind", f"127.0.0.1:{port}"])
        self.web_ports.append(port)
        self.webs.append((port, log))

    def worker(self, name: str) -> None:
        command = [sys.executable, "-m", "celery", "-A", "leadcrm", "worker", "--pool=solo", "--concurrency=1"]
        command += ["--without-mingle", "--without-gossip", "--loglevel=INFO", f"--hostname={name}@%h"]
        proc, _ = self._start(name, command)
        self.workers[name] = proc

    def wait_ready(self) -> None:
        import http.client

        def answers(port: int) -> bool:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                return conn.getresponse().status == 200
            except OSError:
                return False

        for port, log in self.webs:
            assert wait_until(lambda port=port: answers(port), timeout=60), "gunicorn did not start" + _tail(log)
        for name in self.workers:
            log = self.logs / f"{name}.log"
            assert wait_until(lambda log=log: "ready." in log.read_text(), timeout=60), "no worker" + _tail(log)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def all_logs(self) -> str:
        return "".join(_tail(path) for path in sorted(self.logs.glob("*.log")))

    def stop(self) -> None:
        for proc in self.started:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.started:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _use_broker(url: str) -> None:
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def stack(smtp_inbox, tmp_path, settings):
    from django.db import connection

    # Uploaded import files are read by the workers: this process writes them where they look, as
    # a volume shared by the web and worker containers does.
    settings.VAR_DIR = tmp_path

    own_redis = OwnRedis(tmp_path)
    own_redis.start()
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": own_redis.url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "LEADCRM_VAR_DIR": str(tmp_path),
            # Batches of one row, so that the worker killed mid-import has committed some, not all.
            "LEAD_IMPORT_BATCH_SIZE": "1",
            "WEB_CONCURRENCY": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
            "METRICS_TOKEN": METRICS_TOKEN,
            "API_THROTTLE_TOKEN_RATE": "100000/min",
        }
    )
    stack = Stack(env, tmp_path)
    original_broker = celery_app.conf.broker_url
    celery_app.conf.task_always_eager = False
    _use_broker(own_redis.url)
    yield stack
    stack.stop()
    _use_broker(original_broker)
    own_redis.process.kill()
    own_redis.process.wait()


@pytest.fixture
def routed_to_a_queue(marketing_admin, lead_metadata):
    """Every new lead waits in one queue whose 16 members accept leads through the API."""
    reps = [UserFactory(role="Sales rep", username=f"accepting-{n}") for n in range(CLIENTS)]
    queue = queue_create(name="Inbound", members=reps, acting_user=marketing_admin)
    rule = rule_create(name="Everything to Inbound", acting_user=marketing_admin)
    entry_save(
        rule=rule,
        data=EntryInput(
            criteria=[{"field": "last_name", "operator": "is_not_blank", "value": ""}],
            assign_to="queue",
            assign_queue=queue,
        ),
        acting_user=marketing_admin,
    )
    rule_activate(rule=rule, acting_user=marketing_admin)
    return queue, [api_token_create(user=rep)[1] for rep in reps]


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


def _request(port: int, method: str, path: str, body: str = "", headers: dict | None = None) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _import(marketing_admin) -> LeadImport:
    lines = ["First Name,Last Name,Email,Company"]
    lines += [f"Imported,Row{n},row{n}@import.example,Import Co" for n in range(IMPORT_ROWS)]
    lead_import = lead_import_upload(file_name="big.csv", data="\n".join(lines).encode(), acting_user=marketing_admin)
    return lead_import_start(
        lead_import=lead_import,
        mapping=["first_name", "last_name", "email", "company"],
        run_assignment=True,
        send_autoresponse=False,
        acting_user=marketing_admin,
    )


def test_two_web_instances_and_two_workers_lose_and_duplicate_nothing(
    stack, web_form, fields_for, auto_response, routed_to_a_queue, marketing_admin, smtp_inbox
):
    queue, tokens = routed_to_a_queue
    stack.web("web-a")
    stack.web("web-b")
    stack.worker("one")
    stack.worker("two")
    stack.wait_ready()
    ports = stack.web_ports

    # An import and a batch of emails are queued first; submissions and Accept Next follow.
    lead_import = _import(marketing_admin)
    for n in range(EMAILS):
        email_enqueue(
            to=f"batch-{n}@example.net",
            subject=f"Batch {n}",
            body_text="Hello",
            kind=OutboundEmail.Kind.SYSTEM,
            idempotency_key=f"scale-out-batch-{n}",
        )

    def submit(n: int) -> int:
        fields = fields_for(web_form, last_name=f"Visitor{n}", email=f"visitor{n}@example.net")
        status, _ = _request(
            ports[n % 2],
            "POST",
            "/web-to-lead/",
            urlencode(fields),
            {"Content-Type": "application/x-www-form-urlencoded", "X-Request-ID": f"scale-out-{n}"},
        )
        return status

    expected_leads = SUBMISSIONS + IMPORT_ROWS
    accepted: list[int] = []
    accepted_lock = threading.Lock()
    stop = threading.Event()
    statuses: Counter = Counter()

    def accept_next(client: int) -> None:
        headers = {"Authorization": f"Token {tokens[client]}"}
        n = 0
        while not stop.is_set():
            status, body = _request(
                ports[(client + n) % 2], "POST", f"/api/queues/{queue.pk}/accept-next/", "", headers
            )
            n += 1
            with accepted_lock:
                statuses[status] += 1
                if status == 200:
                    import json

                    accepted.append(json.loads(body)["id"])
            if status != 200:
                time.sleep(0.5)

    clients = [threading.Thread(target=accept_next, args=(n,)) for n in range(CLIENTS)]
    for thread in clients:
        thread.start()
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            posted = Counter(pool.map(submit, range(SUBMISSIONS)))

        # The worker running the import is killed halfway through it.
        def import_runner() -> str | None:
            for name in stack.workers:
                if "process_lead_import" in stack.log(name):
                    return name
            return None

        assert wait_until(lambda: import_runner() is not None, timeout=60), stack.all_logs()
        assert wait_until(
            lambda: LeadImport.objects.get(pk=lead_import.pk).created_count >= IMPORT_ROWS // 4, timeout=60
        ), stack.all_logs()
        victim = stack.workers[import_runner()]
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        progress = LeadImport.objects.get(pk=lead_import.pk).created_count
        assert progress < IMPORT_ROWS, "the import finished before the kill"
        # The killed worker's task is not given to another worker before the broker's visibility
        # timeout (an hour); beat's sweep queues a stalled import again after STALL_AFTER. Run
        # that sweep now as beat would then; the other worker takes the import where it stopped.
        requeued = lead_imports_requeue_stalled(now=timezone.now() + STALL_AFTER + timedelta(seconds=1))
        assert requeued == [lead_import.pk]

        def everything_done() -> bool:
            return (
                Intake.objects.filter(outcome=Intake.Outcome.CREATED).count() >= SUBMISSIONS
                and LeadImport.objects.get(pk=lead_import.pk).status == LeadImport.Status.DONE
                and not OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).exists()
                and len(accepted) >= expected_leads
            )

        assert wait_until(everything_done, timeout=90), (
            f"accepted {len(accepted)}/{expected_leads}, {Counter(Intake.objects.values_list('outcome', flat=True))}, "
            f"{LeadImport.objects.values('status', 'created_count').get(pk=lead_import.pk)}" + stack.all_logs()
        )
    finally:
        stop.set()
        for thread in clients:
            thread.join()

    time.sleep(1)  # a duplicate email would arrive now
    assert posted == {303: SUBMISSIONS}, stack.all_logs()
    assert set(statuses) <= {200, 204}, statuses
    visitors = {f"visitor{n}@example.net": 1 for n in range(SUBMISSIONS)}
    imported = {f"row{n}@import.example": 1 for n in range(IMPORT_ROWS)}
    # Every submission one lead, every import row one lead.
    assert Counter(Lead.objects.values_list("email", flat=True)) == visitors | imported
    # Every lead accepted once, each by one of the reps.
    assert len(accepted) == len(set(accepted)) == expected_leads
    assert not Lead.objects.filter(owner_queue__isnull=False).exists()
    # Every email sent once: auto-responses to the visitors and the batch.
    batch = {f"batch-{n}@example.net": 1 for n in range(EMAILS)}
    assert Counter(r for message in smtp_inbox.messages for r in message.rcpt_tos) == visitors | batch
    # The request id of a submission reached the worker that made its lead and sent its email.
    worker_logs = "".join(stack.log(name) for name in stack.workers)
    assert "req=scale-out-" in worker_logs

    # /metrics adds up the processes: requests of both gunicorn workers, tasks of both Celery workers.
    status, body = _request(ports[0], "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    text = body.decode()
    assert status == 200
    assert 'leadcrm_celery_tasks_total{state="success",task="webtolead.process_submissions"}' in text
    assert 'leadcrm_celery_tasks_total{state="success",task="emails.tasks.deliver_outbound_email"}' in text
    assert "leadcrm_webtolead_backlog 0.0" in text
