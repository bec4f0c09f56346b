"""End to end: a real Celery worker on Redis runs the scheduler (with the clock moved forward) and
sends a three-step sequence over SMTP to a real server on loopback; a scheduler process killed in
the middle of a batch loses nothing and, once the work is run again, each step is sent once."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from emails.models import OutboundEmail
from nurture import services
from nurture.models import NurtureEnrolment, NurtureSend
from nurture.tasks import tick
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.timedelta(days=1)


def _subjects(inbox) -> list[str]:
    found = []
    for envelope in inbox.messages:
        for line in envelope.content.decode().splitlines():
            if line.startswith("Subject: "):
                found.append(line.removeprefix("Subject: "))
    return found


def _tick_as_of(when: dt.datetime) -> None:
    """Ask the worker to run the scheduler as of ``when`` (the clock moved forward)."""
    tick.apply_async(kwargs={"now": when.isoformat()})


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_sends_a_three_step_sequence_over_smtp_as_time_passes(
    lead_fields, smtp_inbox, celery_worker_process, three_step_sequence, nurture_leads, rep
):
    ann, bob = nurture_leads(2)
    ann.first_name, bob.first_name = "Ann", "Bob"
    ann.save()
    bob.save()
    services.enrol_leads(sequence=three_step_sequence, lead_ids=[ann.pk, bob.pk], acting_user=rep)
    start = timezone.now()

    _tick_as_of(start)
    assert wait_until(lambda: len(smtp_inbox.messages) == 2), _subjects(smtp_inbox)
    _tick_as_of(start + DAY)  # both wait three days
    _tick_as_of(start + 3 * DAY + dt.timedelta(minutes=1))
    assert wait_until(lambda: len(smtp_inbox.messages) == 4), _subjects(smtp_inbox)
    _tick_as_of(start + 3 * DAY + dt.timedelta(minutes=2))  # a tick run again sends nothing more
    _tick_as_of(start + 8 * DAY)
    assert wait_until(lambda: len(smtp_inbox.messages) == 6), _subjects(smtp_inbox)
    _tick_as_of(start + 9 * DAY)
    time.sleep(2)

    assert sorted(_subjects(smtp_inbox)) == sorted(
        f"{step} for {name}" for step in ("Welcome", "Tips", "Offer") for name in ("Ann", "Bob")
    )
    assert {tuple(e.rcpt_tos) for e in smtp_inbox.messages} == {(ann.email,), (bob.email,)}
    assert all(e.mail_from == "news@acme.example" for e in smtp_inbox.messages)
    assert set(NurtureEnrolment.objects.values_list("status", flat=True)) == {"completed"}
    assert OutboundEmail.objects.filter(kind="nurture", status="sent").count() == 6


KILLABLE = """
import os, sys, time
import django
django.setup()
from nurture.services import scheduler
original = scheduler._Emails.make
made = []
def slow_make(emails, enrolment, step):
    made.append(1)
    if len(made) == 5:
        open(sys.argv[1], "w").write("mid-batch")
        time.sleep(120)  # killed here, holding the batch's row locks
    return original(emails, enrolment, step)
scheduler._Emails.make = slow_make
scheduler.nurture_tick()
"""


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_scheduler_killed_mid_batch_loses_nothing_and_sends_each_step_once(
    lead_fields, smtp_inbox, celery_worker_process, three_step_sequence, nurture_leads, rep, tmp_path
):
    leads = nurture_leads(10)
    services.enrol_leads(sequence=three_step_sequence, lead_ids=[lead.pk for lead in leads], acting_user=rep)
    db = connection.settings_dict
    env = dict(os.environ)
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env["DJANGO_SETTINGS_MODULE"] = "leadcrm.settings"
    marker = tmp_path / "mid-batch"
    doomed = subprocess.Popen([sys.executable, "-c", KILLABLE, str(marker)], cwd=ROOT, env=env)
    try:
        assert wait_until(marker.exists, timeout=60), "the scheduler never reached the middle of its batch"
        # While it holds its rows, another scheduler skips them instead of waiting or sending them.
        assert services.process_due_batch().processed == 0
        os.kill(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
    finally:
        if doomed.poll() is None:
            doomed.kill()

    assert NurtureSend.objects.count() == 0
    assert OutboundEmail.objects.count() == 0
    assert NurtureEnrolment.objects.filter(position=1, status="active").count() == 10

    tick.apply_async()
    tick.apply_async()  # two ticks at once: the second finds the rows locked or done
    assert wait_until(lambda: len(smtp_inbox.messages) == 10), len(smtp_inbox.messages)
    tick.apply_async()
    time.sleep(2)
    assert len(smtp_inbox.messages) == 10
    assert sorted(e.rcpt_tos[0] for e in smtp_inbox.messages) == sorted(lead.email for lead in leads)
    assert NurtureSend.objects.count() == 10
