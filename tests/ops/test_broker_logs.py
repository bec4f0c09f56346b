"""A task run logs no broker noise: kombu warns "No hostname was supplied" on every connection to a
broker URL without a host, which the embedded folder broker's URL used to be."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from emails.models import OutboundEmail
from emails.services import email_enqueue
from emails.tasks import sweep_outbox
from leadcrm.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]
NOISE = "No hostname was supplied"


def _embedded_broker(var_dir: Path) -> tuple[str, dict]:
    """The broker URL and options the settings choose with no REDIS_URL (the embedded default)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["LEADCRM_VAR_DIR"] = str(var_dir)
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE']='leadcrm.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(json.dumps([s.CELERY_BROKER_URL, s.CELERY_BROKER_TRANSPORT_OPTIONS]))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    url, options = json.loads(out.stdout.strip().splitlines()[-1])
    return url, options


@pytest.fixture
def use_broker():
    """Publish (not run inline) to another broker for the test."""
    conf = celery_app.conf
    original = (conf.broker_url, conf.broker_transport_options)

    def use(url: str, options: dict) -> None:
        conf.broker_url, conf.broker_transport_options = url, options
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    conf.task_always_eager = False
    yield use
    use(*original)


def _queued_email(key: str) -> OutboundEmail:
    celery_app.conf.task_always_eager = True  # not published here: the sweep below publishes it
    with transaction.atomic():
        email = email_enqueue(to="ann@example.com", subject="Hello", body_text="Hi", kind="system", idempotency_key=key)
    celery_app.conf.task_always_eager = False
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.QUEUED, published_at=None)
    return email


@pytest.mark.django_db
def test_a_task_that_publishes_on_the_embedded_broker_logs_no_missing_hostname(tmp_path, use_broker, caplog):
    url, options = _embedded_broker(tmp_path)
    use_broker(url, options)
    email = _queued_email("hostname-1")

    with caplog.at_level(logging.INFO):
        result = sweep_outbox.apply().get()

    assert result["published"] == 1
    assert OutboundEmail.objects.get(pk=email.pk).published_at is not None
    assert list(Path(options["data_folder_out"]).iterdir()), "nothing reached the folder broker"
    assert NOISE not in caplog.text


@pytest.mark.django_db
def test_a_broker_url_without_a_host_is_what_made_the_noise(tmp_path, use_broker, caplog):
    _url, options = _embedded_broker(tmp_path)
    use_broker("filesystem://", options)
    _queued_email("hostname-2")

    with caplog.at_level(logging.INFO):
        sweep_outbox.apply().get()

    assert NOISE in caplog.text
