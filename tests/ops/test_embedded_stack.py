"""The embedded default end to end: SQLite, the folder-based broker and a real worker process,
with no PostgreSQL or Redis in the environment."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "EMAIL_BACKEND"}}
    env.update(
        {
            "LEADCRM_VAR_DIR": str(var_dir),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DJANGO_SETTINGS_MODULE": "leadcrm.settings",
        }
    )
    return env


def _manage(env, *args, timeout=120):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


@pytest.mark.worker
def test_embedded_default_sends_queued_email_and_filters_custom_fields_without_services(tmp_path):
    env = _env(tmp_path)
    _manage(env, "migrate", "--no-input", "-v0")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "leadcrm",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _manage(
            env,
            "shell",
            "-c",
            "from django.db import transaction\n"
            "from emails.services import email_enqueue\n"
            "with transaction.atomic():\n"
            "    email_enqueue(to='visitor@example.com', subject='Embedded hello', body_text='Sent by the worker',"
            " kind='system', idempotency_key='embedded-stack-1')\n",
        )
        filtered = (
            _manage(
                env,
                "shell",
                "-c",
                "from django.contrib.auth.models import User\n"
                "from core.services import custom_field_create\n"
                "from leads.filters import LeadFilter\n"
                "from leads.models import Lead\n"
                "from leads.services import lead_create\n"
                "admin = User.objects.create_superuser('root', 'root@example.com', 'x')\n"
                "custom_field_create(object_name='lead', label='Tier', field_type='picklist', picklist_values=['Gold', 'Silver'], acting_user=admin)\n"
                "custom_field_create(object_name='lead', label='VIP', field_type='checkbox', acting_user=admin)\n"
                "lead_create(data={'last_name': 'A', 'company': 'A'}, custom_fields={'Tier__c': 'Gold', 'VIP__c': True}, acting_user=admin)\n"
                "lead_create(data={'last_name': 'B', 'company': 'B'}, custom_fields={'Tier__c': 'Silver'}, acting_user=admin)\n"
                "qs = Lead.objects.all()\n"
                "print([LeadFilter(q, queryset=qs).qs.count() for q in ({'Tier__c': 'Gold'}, {'VIP__c': 'yes'}, {'VIP__c': 'no'})])\n",
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        mail_dir = tmp_path / "mail"
        deadline = time.monotonic() + 60
        sent = []
        while time.monotonic() < deadline and not sent:
            sent = [p for p in mail_dir.glob("*") if "Embedded hello" in p.read_text(errors="replace")]
            time.sleep(0.3)
        status = (
            _manage(
                env,
                "shell",
                "-c",
                "from emails.models import OutboundEmail\nprint(OutboundEmail.objects.get(idempotency_key='embedded-stack-1').status)",
            )
            .stdout.strip()
            .splitlines()[-1]
        )
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()

    assert len(sent) == 1, "the worker did not deliver the email through the folder broker"
    assert "visitor@example.com" in sent[0].read_text()
    assert status == "sent"
    assert filtered == "[1, 1, 1]", "custom-field filters must work on SQLite too"
    assert (tmp_path / "db.sqlite3").exists()
