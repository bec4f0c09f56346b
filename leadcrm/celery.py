"""Celery application, configured from Django settings (``CELERY_*``).

Every task publishes through the broker's circuit breaker (``core.breaker.BrokerGuardedTask``):
while the broker is down, publishing fails at once instead of costing each request a timeout.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")

app = Celery("leadcrm", task_cls="core.breaker:BrokerGuardedTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Request id headers on published tasks, task metrics and worker heartbeats (core/celery_signals.py).
import core.celery_signals  # noqa: E402, F401
