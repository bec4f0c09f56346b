"""Celery signal receivers of the project, connected by ``leadcrm.celery``.

- Publishing a task (``before_task_publish``) adds two headers: the current request id (of the
  HTTP request, or of the task that publishes) and the time of publishing.
- Running it (``task_prerun`` / ``task_postrun``) binds that request id for the log lines of the
  task (``core.logs``) and for the tasks it publishes in turn, and records the task metrics: queue
  wait, runtime, final state.
- The worker's heartbeat (``core.heartbeat``) is written when it is ready and on Celery's own
  heartbeat, and removed at a clean stop; the prefork children's metric files are marked dead.
"""

import contextlib
import os
import socket
import time

from celery import signals

from . import metrics
from .heartbeat import WORKER
from .request_id import bind_request_id, current_request_id, reset_request_id, valid_request_id

_running: dict[str, tuple[float, object]] = {}


@signals.before_task_publish.connect
def add_context_headers(sender=None, headers=None, **kwargs):
    if headers is None:
        return
    request_id = current_request_id()
    if request_id and not headers.get("request_id"):
        headers["request_id"] = request_id
    headers.setdefault("published_at", time.time())


@signals.task_prerun.connect
def task_started(task_id=None, task=None, **kwargs):
    request = task.request
    # A task run inline (eager) has no headers: it keeps the id of the request that runs it.
    token = bind_request_id(valid_request_id(request.get("request_id")) or current_request_id())
    _running[task_id] = (time.perf_counter(), token)
    published = request.get("published_at")
    if isinstance(published, int | float) and not request.get("is_eager"):
        metrics.observe_task_wait(task=task.name, seconds=time.time() - published)


@signals.task_postrun.connect
def task_finished(task_id=None, task=None, state=None, **kwargs):
    started, token = _running.pop(task_id, (None, None))
    if token is not None:
        # Set in another context (a thread pool): nothing to undo here.
        with contextlib.suppress(ValueError):
            reset_request_id(token)
    seconds = None if started is None else time.perf_counter() - started
    metrics.observe_task(task=task.name, state=(state or "unknown").lower(), seconds=seconds)


@signals.worker_ready.connect
def worker_ready(sender=None, **kwargs):
    queues = list(sender.app.amqp.queues.consume_from or {})
    WORKER.ready(sender.hostname, queues)


@signals.heartbeat_sent.connect
def worker_heartbeat(sender=None, **kwargs):
    with contextlib.suppress(Exception):  # a heartbeat is never worth a worker's life
        WORKER.beat()


@signals.worker_shutdown.connect
def worker_stopped(sender=None, **kwargs):
    with contextlib.suppress(Exception):
        WORKER.stopped()


@signals.worker_process_shutdown.connect
def child_stopped(pid=None, **kwargs):
    # A prefork child's live gauges go with it; its counters stay in the totals.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(f"{socket.gethostname()}-{pid or os.getpid()}")
