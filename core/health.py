"""Liveness and readiness probes for load balancers, orchestrators and docker-compose.

``GET /healthz``: the process answers; touches nothing else (no database, no cache), always fast.
``GET /readyz``: the process can serve: the database answers, every migration is applied, the
cache and the broker answer. 200 when all do, else 503 naming the failed check. Neither asks for a
login, and neither says more than ``ok`` / ``failed`` per check: the reason goes to the log.

Probes reach the app by an address and Host of their own (a container's, ``localhost``) and over
plain HTTP: ``ProbeMiddleware`` answers them before the host check and the HTTPS redirect.
"""

import logging
import threading

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# Timeouts of the readiness checks, seconds: a probe answers well within its own timeout.
CHECK_TIMEOUT = 2.0

_migrations_applied = False
_migrations_lock = threading.Lock()


def check_database() -> None:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_migrations() -> None:
    """Raises when a migration of the code is not applied to the database.

    Once all are applied, the answer is kept for the life of the process: migrations are not
    unapplied under a running app, and reading the migration files costs a tenth of a second."""
    global _migrations_applied
    if _migrations_applied:
        return
    with _migrations_lock:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise RuntimeError(f"{len(plan)} migration(s) not applied")
        _migrations_applied = True


def _redis_ping(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=CHECK_TIMEOUT, socket_timeout=CHECK_TIMEOUT)
    try:
        if not client.ping():
            raise RuntimeError("no PONG")
    finally:
        client.close()


def check_cache() -> None:
    """The cache answers. The Redis cache answers as an empty cache while Redis is down
    (``core.cache``), so Redis itself is asked; another cache backend must keep a value."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        location = settings.CACHES["default"]["LOCATION"]
        _redis_ping(location if isinstance(location, str) else location[0])
        return
    from django.core.cache import cache

    cache.set("health:probe", "1", 30)
    if cache.get("health:probe") != "1":
        raise RuntimeError("the cache kept no value")


def check_broker() -> None:
    """The Celery broker accepts a connection (one attempt, short timeouts)."""
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        _redis_ping(url)
        return
    from leadcrm.celery import app

    with app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT)


READINESS_CHECKS = {
    "database": check_database,
    "migrations": check_migrations,
    "cache": check_cache,
    "broker": check_broker,
}


def readiness() -> dict[str, str]:
    """``{check: "ok" | "failed"}``; migrations are not read when the database is down."""
    results: dict[str, str] = {}
    for name, check in READINESS_CHECKS.items():
        if name == "migrations" and results.get("database") == "failed":
            results[name] = "failed"
            continue
        try:
            check()
        except Exception as exc:
            logger.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = "failed"
        else:
            results[name] = "ok"
    return results


@require_safe
@never_cache
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
@never_cache
def readyz(request):
    checks = readiness()
    failed = [name for name, result in checks.items() if result != "ok"]
    return JsonResponse(
        {"status": "unavailable" if failed else "ok", "failed": failed, "checks": checks},
        status=503 if failed else 200,
    )


PROBES = {"/healthz": ("healthz", healthz), "/readyz": ("readyz", readyz)}


class ProbeMiddleware:
    """Answers ``/healthz`` and ``/readyz`` before the host check (``ALLOWED_HOSTS``) and the HTTPS
    redirect: a probe calls the container by its own address over plain HTTP. Only GET and HEAD;
    the answer holds no data of the app, so answering any Host is safe."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            request.probe_name = probe[0]
            return probe[1](request)
        return self.get_response(request)


# Heartbeats: the System health page and the metrics read them. -----------------------------------


def heartbeats() -> dict:
    """``{"workers": [...], "beats": [...]}`` from ``core.heartbeat``; empty when the cache is down."""
    from . import heartbeat

    return {"workers": heartbeat.entries("worker"), "beats": heartbeat.entries("beat")}
