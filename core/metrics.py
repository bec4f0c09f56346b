"""Prometheus metrics: requests, Celery tasks, and the backlogs read from the database.

Counters and histograms are kept by ``prometheus-client``. Under gunicorn and Celery there are many
processes; with ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn.conf.py sets it, scripts/run and
docker-compose give it to the worker too) each process writes its values to files in that folder
and ``/metrics`` adds them up, whichever gunicorn worker answers the scrape. Without it (the
development server, tests) the values live in the process.

The backlogs (outbox, Web-to-Lead submissions, imports) and the worker heartbeats are not counted
as things happen: the collectors named in ``METRICS_COLLECTORS`` read them at scrape time
(``leadcrm.system_health.BacklogCollector``).
"""

import hmac
import os
import socket

from django.conf import settings
from django.http import HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, values


def process_identifier() -> str:
    """Names this process's metric files. The host name is part of it: containers sharing the
    folder (docker-compose's metrics volume) have process ids of their own that may be equal."""
    return f"{socket.gethostname()}-{os.getpid()}"


if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
    # Before any metric is made: every value of this module is then kept in a file of its own.
    values.ValueClass = values.MultiProcessValue(process_identifier=process_identifier)

# Request latencies, seconds: a Web-to-Lead POST answers in a few milliseconds, a list page in tens.
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 1800.0)

REQUESTS = Counter(
    "leadcrm_http_requests", "HTTP requests answered, by view, method and status.", ["view", "method", "status"]
)
REQUEST_SECONDS = Histogram(
    "leadcrm_http_request_duration_seconds",
    "Time to answer an HTTP request, by view.",
    ["view"],
    buckets=REQUEST_BUCKETS,
)
SERVER_ERRORS = Counter("leadcrm_http_server_errors", "HTTP answers with a 5xx status, by view.", ["view"])

TASKS = Counter("leadcrm_celery_tasks", "Celery tasks run, by task and final state.", ["task", "state"])
TASK_FAILURES = Counter("leadcrm_celery_task_failures", "Celery tasks that raised, by task.", ["task"])
TASK_SECONDS = Histogram(
    "leadcrm_celery_task_runtime_seconds", "Time a Celery task ran, by task.", ["task"], buckets=TASK_BUCKETS
)
TASK_WAIT_SECONDS = Histogram(
    "leadcrm_celery_task_queue_wait_seconds",
    "Time from publishing a Celery task to a worker starting it, by task.",
    ["task"],
    buckets=TASK_BUCKETS,
)


def observe_request(*, view: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(view, method, str(status)).inc()
    REQUEST_SECONDS.labels(view).observe(seconds)
    if status >= 500:
        SERVER_ERRORS.labels(view).inc()


def observe_task(*, task: str, state: str, seconds: float | None) -> None:
    TASKS.labels(task, state).inc()
    if state == "failure":
        TASK_FAILURES.labels(task).inc()
    if seconds is not None:
        TASK_SECONDS.labels(task).observe(seconds)


def observe_task_wait(*, task: str, seconds: float) -> None:
    TASK_WAIT_SECONDS.labels(task).observe(max(seconds, 0.0))


def registry() -> CollectorRegistry:
    """What ``/metrics`` answers: every process's values (multi-process mode) and the backlogs."""
    reg = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(reg)
    else:
        # This process's own values; the default registry's process and GC collectors are left out.
        for collector in (REQUESTS, REQUEST_SECONDS, SERVER_ERRORS, TASKS, TASK_FAILURES, TASK_SECONDS):
            reg.register(collector)
        reg.register(TASK_WAIT_SECONDS)
    # Gauges computed at scrape time (the backlogs in the database, the heartbeats).
    for path in getattr(settings, "METRICS_COLLECTORS", ()):
        reg.register(import_string(path)())
    return reg


def scrape_allowed(request) -> bool:
    """A scrape is allowed with ``Authorization: Bearer <METRICS_TOKEN>`` or from an address in
    ``METRICS_ALLOWED_IPS`` (read through the trusted proxies). With neither set, nobody is."""
    token = getattr(settings, "METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
            return True
    allowed = tuple(getattr(settings, "METRICS_ALLOWED_IPS", ()) or ())
    if allowed:
        from .auth import _ip, _networks, _trusted, client_address

        address = _ip(client_address(request))
        if address is not None and _trusted(address, _networks(allowed)):
            return True
    return False


@never_cache
def metrics_view(request):
    if not scrape_allowed(request):
        # The same answer whether a token is wrong or none is configured.
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
