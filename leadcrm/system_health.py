"""Setup -> System health, and the backlog gauges of /metrics: what waits for the task workers
(Web-to-Lead submissions, outbox emails, lead imports, and the backlogs apps register, such as the
scoring lag) and whether workers and beat are alive.

It reads the models of several apps, so it lives in the project package (``core`` names no higher
app); ``core.metrics`` adds ``BacklogCollector`` to every scrape (setting ``METRICS_COLLECTORS``).
Apps above these register further backlogs (``core.registry.register_backlog_gauge``) instead of
being imported here.
"""

import logging

from django.conf import settings
from django.db.models import Count, Min
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from prometheus_client.core import GaugeMetricFamily

from core.health import heartbeats, readiness
from core.registry import backlog_gauges
from core.roles import setup_admin_required
from emails.models import OutboundEmail
from leads.imports.models import LeadImport
from webtolead.models import Intake

logger = logging.getLogger(__name__)


def _age(since, now) -> float | None:
    return None if since is None else max((now - since).total_seconds(), 0.0)


def backlogs() -> dict:
    """What waits for the workers, read from the database: four small grouped queries on indexed
    columns, so that a scrape every few seconds costs little."""
    now = timezone.now()

    by_status = dict.fromkeys(OutboundEmail.Status.values, 0)
    for row in OutboundEmail.objects.order_by().values("status").annotate(count=Count("id")):
        by_status[row["status"]] = row["count"]
    oldest_email = (
        OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED)
        .order_by()
        .aggregate(at=Min("created_at"))["at"]
    )
    by_outcome = dict.fromkeys(Intake.Outcome.values, 0)
    for row in Intake.objects.order_by().values("outcome").annotate(count=Count("id")):
        by_outcome[row["outcome"]] = row["count"]
    oldest_intake = (
        Intake.objects.filter(outcome=Intake.Outcome.RECEIVED).order_by().aggregate(at=Min("received_at"))["at"]
    )
    imports = dict.fromkeys([LeadImport.Status.PENDING, LeadImport.Status.RUNNING], 0)
    for row in (
        LeadImport.objects.filter(status__in=list(imports)).order_by().values("status").annotate(count=Count("id"))
    ):
        imports[row["status"]] = row["count"]
    return {
        "outbox": {
            "by_status": by_status,
            "queued": by_status[OutboundEmail.Status.QUEUED],
            "oldest_queued_age": _age(oldest_email, now),
        },
        "webtolead": {
            "by_outcome": by_outcome,
            "backlog": by_outcome[Intake.Outcome.RECEIVED],
            "oldest_age": _age(oldest_intake, now),
        },
        "imports": {str(status): count for status, count in imports.items()},
    }


def registered_backlogs() -> list[dict]:
    """Each registered backlog as read now: key, label, description, url name, pending and the
    oldest item's age in seconds. A backlog whose reading fails is left out (and logged): one
    app's broken query never costs the whole scrape."""
    now = timezone.now()
    found = []
    for gauge in backlog_gauges():
        try:
            backlog = gauge.read()
        except Exception:
            logger.exception("Reading the %s backlog failed", gauge.key)
            continue
        found.append(
            {
                "key": gauge.key,
                "label": gauge.label,
                "description": gauge.description,
                "url": gauge.url,
                "pending": backlog.pending,
                "oldest_age": _age(backlog.oldest_at, now) if backlog.pending else None,
            }
        )
    return found


class BacklogCollector:
    """Gauges read at scrape time: the outbox, Web-to-Lead submissions, imports, the registered
    backlogs, heartbeats."""

    def collect(self):
        yield from self._registered()
        data = backlogs()
        outbox = GaugeMetricFamily("leadcrm_outbox_emails", "Outbox emails, by status.", labels=["status"])
        for status, count in data["outbox"]["by_status"].items():
            outbox.add_metric([status], count)
        yield outbox
        queues = GaugeMetricFamily(
            "leadcrm_celery_queue_length", "Tasks waiting in each Celery queue for a worker.", labels=["queue"]
        )
        for queue, length in queue_lengths().items():
            queues.add_metric([queue], length)
        yield queues
        yield GaugeMetricFamily(
            "leadcrm_outbox_oldest_queued_age_seconds",
            "Age of the oldest queued outbox email that is due (0 when none).",
            value=data["outbox"]["oldest_queued_age"] or 0.0,
        )
        intakes = GaugeMetricFamily(
            "leadcrm_webtolead_intakes", "Web-to-Lead submissions stored, by outcome.", labels=["outcome"]
        )
        for outcome, count in data["webtolead"]["by_outcome"].items():
            intakes.add_metric([outcome], count)
        yield intakes
        yield GaugeMetricFamily(
            "leadcrm_webtolead_backlog",
            "Web-to-Lead submissions received and not yet processed.",
            value=data["webtolead"]["backlog"],
        )
        yield GaugeMetricFamily(
            "leadcrm_webtolead_backlog_oldest_age_seconds",
            "Age of the oldest received, unprocessed Web-to-Lead submission (0 when none).",
            value=data["webtolead"]["oldest_age"] or 0.0,
        )
        imports = GaugeMetricFamily("leadcrm_lead_imports", "Lead imports pending or running.", labels=["status"])
        for status, count in data["imports"].items():
            imports.add_metric([status], count)
        yield imports
        beats = heartbeats()
        workers = GaugeMetricFamily(
            "leadcrm_worker_heartbeat_age_seconds",
            "Seconds since each Celery worker's last heartbeat.",
            labels=["worker"],
        )
        for worker in beats["workers"]:
            workers.add_metric([worker["name"]], worker["age"])
        yield workers
        beat = GaugeMetricFamily(
            "leadcrm_beat_heartbeat_age_seconds", "Seconds since each beat's last tick.", labels=["beat", "leader"]
        )
        for entry in beats["beats"]:
            beat.add_metric([entry["name"], "true" if entry["leader"] else "false"], entry["age"])
        yield beat

    def _registered(self):
        pending = GaugeMetricFamily(
            "leadcrm_backlog_pending", "Items waiting for the workers, by registered backlog.", labels=["backlog"]
        )
        lag = GaugeMetricFamily(
            "leadcrm_backlog_lag_seconds",
            "Age of the oldest item waiting in each registered backlog, such as the scoring lag (0 when none).",
            labels=["backlog"],
        )
        for backlog in registered_backlogs():
            pending.add_metric([backlog["key"]], backlog["pending"])
            lag.add_metric([backlog["key"]], backlog["oldest_age"] or 0.0)
        yield pending
        yield lag


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = int(seconds)
    if seconds < 120:
        return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    if seconds < 7200:
        return ngettext("%(n)d minute", "%(n)d minutes", seconds // 60) % {"n": seconds // 60}
    if seconds < 172800:
        return ngettext("%(n)d hour", "%(n)d hours", seconds // 3600) % {"n": seconds // 3600}
    return ngettext("%(n)d day", "%(n)d days", seconds // 86400) % {"n": seconds // 86400}


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


# kombu's Redis transport keeps a queue's messages in a list named after it, and those of a raised
# priority in lists with a suffix.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def queue_lengths() -> dict[str, int]:
    """Tasks waiting in each Celery queue (not yet taken by a worker); empty unless the broker is
    Redis and answers."""
    import redis

    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return {}
    names = [queue.name for queue in settings.CELERY_TASK_QUEUES]
    client = redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=1.0)
    try:
        pipe = client.pipeline(transaction=False)
        for name in names:
            for suffix in _PRIORITY_SUFFIXES:
                pipe.llen(name + suffix)
        counts = pipe.execute()
    except redis.RedisError:
        return {}
    finally:
        client.close()
    step = len(_PRIORITY_SUFFIXES)
    return {name: sum(counts[i * step : (i + 1) * step]) for i, name in enumerate(names)}


def system_health_context() -> dict:
    checks = readiness()
    labels = {
        "database": _("Database"),
        "migrations": _("Migrations applied"),
        "cache": _("Cache"),
        "broker": _("Task broker"),
    }
    data = backlogs()
    beats = heartbeats()
    for entry in [*beats["workers"], *beats["beats"]]:
        entry["age_text"] = _duration(entry["age"])
    return {
        "checks": [{"name": name, "label": labels[name], "ok": result == "ok"} for name, result in checks.items()],
        "all_ok": all(result == "ok" for result in checks.values()),
        "outbox": {
            **data["outbox"],
            "oldest_text": _duration(data["outbox"]["oldest_queued_age"]),
            "url": _url("emails:outbox"),
        },
        "webtolead": {
            **data["webtolead"],
            "oldest_text": _duration(data["webtolead"]["oldest_age"]),
            "url": _url("webtolead:intake_list"),
        },
        "imports": data["imports"],
        "registered_backlogs": [
            {
                **backlog,
                "oldest_text": _duration(backlog["oldest_age"]),
                "url": _url(backlog["url"]) if backlog["url"] else "",
            }
            for backlog in registered_backlogs()
        ],
        "queues": queue_lengths(),
        "workers": beats["workers"],
        "beats": beats["beats"],
    }


@setup_admin_required
@never_cache
def system_health(request):
    """Setup -> System health: what /readyz and /metrics say, for a team without Prometheus."""
    return render(request, "core/system_health.html", system_health_context())
