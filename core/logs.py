"""Log lines: readable text by default, one JSON object per line with ``LOG_FORMAT=json``.

Every record gets the context it was written in (``RequestContext``): the request id, the user id
and the path of the HTTP request, or the id and name of the Celery task, with the request id the
task was queued under. A log collector can then follow one submission from the web process to the
worker that sent its email.
"""

import json
import logging
from datetime import UTC, datetime

from .request_id import current_path, current_request_id, current_user_id

# Attributes every LogRecord has; anything else a caller passed in ``extra`` goes into the JSON.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
_CONTEXT = ("request_id", "user_id", "path", "task_id", "task_name")
# Extras that hold objects, not values: Django's request logger passes the request itself.
_SKIPPED = frozenset({"request", "server_time", "exc_info_text"})


def _current_task():
    try:
        from celery._state import get_current_task
    except ImportError:  # pragma: no cover - Celery is a requirement
        return None
    return get_current_task()


class RequestContext(logging.Filter):
    """Adds ``request_id``, ``user_id``, ``path``, ``task_id`` and ``task_name`` to a record
    (None where they do not apply); a value the caller passed explicitly is kept."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id()
        if getattr(record, "user_id", None) is None:
            record.user_id = current_user_id()
        if getattr(record, "path", None) is None:
            record.path = current_path()
        task = _current_task()
        if getattr(record, "task_id", None) is None:
            record.task_id = getattr(task.request, "id", None) if task is not None else None
        if getattr(record, "task_name", None) is None:
            record.task_name = getattr(task, "name", None) if task is not None else None
        return True


class TextFormatter(logging.Formatter):
    """``2026-12-04 14:05:01,123 INFO leadcrm.access [req=ab12…] message``: the context in brackets
    only when there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = []
        for name, label in (("request_id", "req"), ("user_id", "user"), ("task_name", "task")):
            value = getattr(record, name, None)
            if value is not None:
                parts.append(f"{label}={value}")
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the context, the
    fields passed in ``extra`` (status, duration_ms, ...), and the traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _CONTEXT:
            entry[name] = getattr(record, name, None)
        # Django's request logger names the answer's status "status_code".
        status = getattr(record, "status", None) or getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        for key, value in vars(record).items():
            if key in _STANDARD or key in _SKIPPED or key in entry or key in {"status_code", "context"}:
                continue
            entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc_info"] = record.exc_text
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(*, log_format: str, level: str, access_log: bool) -> dict:
    """The ``LOGGING`` setting: one console handler, text or JSON.

    Refused requests (401, 403, 404, 429) stay one line without a traceback
    (``core.log_filters``); the access log (``leadcrm.access``) is at INFO when enabled."""
    formatter = "json" if log_format.lower() == "json" else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "refusals_without_traceback": {"()": "core.log_filters.RefusalsWithoutTraceback"},
            "request_context": {"()": "core.logs.RequestContext"},
        },
        "formatters": {
            "text": {"()": "core.logs.TextFormatter"},
            "json": {"()": "core.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["refusals_without_traceback", "request_context"],
                "formatter": formatter,
            }
        },
        "loggers": {
            "django.request": {"filters": ["refusals_without_traceback"]},
            "leadcrm.access": {"level": "INFO" if access_log else "WARNING"},
        },
        "root": {"handlers": ["console"], "level": level},
    }
