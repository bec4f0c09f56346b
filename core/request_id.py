"""The request id: one id per HTTP request, carried into the tasks that request queues.

A request keeps the ``X-Request-ID`` its client (or the proxy in front) sent when it is short and
made of safe characters; otherwise it gets a new one. The id is answered in the ``X-Request-ID``
header, is on every log line written while the request runs (``core.logs``), and travels in the
headers of every Celery task published meanwhile (``leadcrm.celery``), so one Web-to-Lead
submission can be followed from its POST to the auto-response the worker sends.

The middleware also writes the access log (one line per request at INFO; the probes and the
metrics scrape at DEBUG only, so that a scrape every few seconds does not fill the log) and feeds
the request metrics (``core.metrics``).
"""

import contextlib
import contextvars
import logging
import re
import time
import uuid

from django.utils.functional import SimpleLazyObject, empty

HEADER = "X-Request-ID"
# Letters, digits and . _ - only, up to 64 characters: enough for a UUID or a proxy's own id, and
# nothing a log reader or a header could trip on.
VALID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Paths asked every few seconds by probes and scrapers: logged at DEBUG, never at INFO.
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

access_logger = logging.getLogger("leadcrm.access")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_request: contextvars.ContextVar = contextvars.ContextVar("request", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def valid_request_id(value: str | None) -> str | None:
    """The given id when it may be used as is, else None."""
    if value and VALID.fullmatch(value):
        return value
    return None


def current_request_id() -> str | None:
    """The id of the request (or of the task) this code runs for, if any."""
    found = _request_id.get()
    if found:
        return found
    # In a worker between task_prerun and task_postrun the context holds it; read the running
    # task's headers as well, for code that runs outside those signals.
    try:
        from celery._state import get_current_task

        task = get_current_task()
    except ImportError:  # pragma: no cover - Celery is a requirement
        return None
    if task is None or task.request is None:
        return None
    return valid_request_id(task.request.get("request_id"))


def bind_request_id(value: str | None) -> contextvars.Token:
    """Make ``value`` the current request id (a task's); answers the token to reset it with."""
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


@contextlib.contextmanager
def request_id_bound(value: str | None):
    """Run the block under ``value``, the request id a stored row was received with: a worker that
    drains the rows of many requests logs and queues each row's work under that row's own id. A
    row without one (stored before ids were kept) keeps the current id."""
    token = _request_id.set(valid_request_id(value) or current_request_id())
    try:
        yield
    finally:
        _request_id.reset(token)


def current_user_id() -> int | None:
    """The id of the signed-in user of the current request, when already known.

    The user is not looked up for the log's sake: a request that never asked who its user is
    (a public POST, a probe) logs no user id rather than costing a session and user query."""
    request = _request.get()
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject):
        if user._wrapped is empty:
            return None
        user = user._wrapped
    return getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None


def current_path() -> str | None:
    request = _request.get()
    return None if request is None else request.path


def _view_name(request) -> str:
    """A bounded label for metrics: the URL pattern's name (never the path, which has ids)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return getattr(request, "probe_name", "") or "unresolved"
    return match.view_name or match._func_path


class RequestIdMiddleware:
    """First in MIDDLEWARE: every other middleware and the view run with the id bound."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = valid_request_id(request.headers.get(HEADER)) or new_request_id()
        request.request_id = request_id
        id_token = _request_id.set(request_id)
        request_token = _request.set(request)
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[HEADER] = request_id
            return response
        finally:
            duration = time.perf_counter() - started
            self._record(request, status, duration)
            _request.reset(request_token)
            _request_id.reset(id_token)

    def _record(self, request, status: int, duration: float) -> None:
        from . import metrics

        view = _view_name(request)
        metrics.observe_request(view=view, method=request.method, status=status, seconds=duration)
        level = logging.DEBUG if request.path in QUIET_PATHS else logging.INFO
        if access_logger.isEnabledFor(level):
            access_logger.log(
                level,
                "%s %s %s %.1f ms",
                request.method,
                request.path,
                status,
                duration * 1000,
                extra={
                    "method": request.method,
                    "status": status,
                    "duration_ms": round(duration * 1000, 1),
                    "view": view,
                },
            )
