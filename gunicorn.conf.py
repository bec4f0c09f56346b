"""How gunicorn serves LeadCRM; gunicorn reads this file from the working directory, and options
given on its command line override it.

Sync workers, three by default (``WEB_CONCURRENCY`` sets another number). A sync worker that waits
on PostgreSQL, or on a slow client, leaves its core idle: with as many workers as cores, a 2-core
host serving database-bound requests kept about a quarter of its CPU unused. Run more workers than
cores (gunicorn's guide says two to four per core); each keeps its own database connection.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "3"))

# Metrics: every worker writes its counters to files in this folder and /metrics adds up all of
# them (prometheus-client's multi-process mode). The folder is shared with the Celery workers of
# the same host, so that their task metrics are added in too; a process that exits leaves its
# counters there and its live values are dropped (child_exit below).
metrics_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(os.environ.get("LEADCRM_VAR_DIR", "var"), "metrics")
)
os.makedirs(metrics_dir, exist_ok=True)


def child_exit(server, worker):
    import socket

    from prometheus_client import multiprocess

    # The files are named by host and process id (core.metrics.process_identifier).
    multiprocess.mark_process_dead(f"{socket.gethostname()}-{worker.pid}")
