"""Two ``celery beat`` processes on one Redis: only one publishes the periodic tasks; when it dies
the other takes over. A schedule of one short entry (a bench settings module) makes it quick:
about 15 s."""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.management import call_command

from core import heartbeat
from core.beat import LOCK_KEY
from tests.waiting import wait_until

pytestmark = pytest.mark.worker

ROOT = Path(__file__).resolve().parents[2]
BEAT = [sys.executable, "-m", "celery", "-A", "leadcrm", "beat", "--loglevel=INFO"]
SENT = re.compile(r"Sending due task beat-probe")

TEST_SETTINGS = """
from leadcrm.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {"beat-probe": {"task": "core.beat_probe", "schedule": 0.5}}
BEAT_LOCK_SECONDS = 3.0
"""


@pytest.fixture
def beats(tmp_path):
    (tmp_path / "single_beat_settings.py").write_text(textwrap.dedent(TEST_SETTINGS))
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "single_beat_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
            "LEADCRM_VAR_DIR": str(tmp_path),
        }
    )
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(LOCK_KEY)
    started = []

    def start(name: str) -> tuple[subprocess.Popen, Path]:
        log = tmp_path / f"{name}.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [*BEAT, "--schedule", str(tmp_path / f"{name}-schedule")],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        started.append(proc)
        return proc, log

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
    for proc in started:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    broker.delete(LOCK_KEY, "default")


def _sent(log: Path) -> int:
    return len(SENT.findall(log.read_text(errors="replace")))


def test_a_second_beat_stands_by_and_takes_over_when_the_first_dies(beats):
    first, first_log = beats("first")
    assert wait_until(lambda: _sent(first_log) >= 1, timeout=20), first_log.read_text()
    _second, second_log = beats("second")
    assert wait_until(lambda: "standing by" in second_log.read_text(), timeout=20), second_log.read_text()

    time.sleep(3)  # both run: the first publishes every half second, the second none

    assert _sent(second_log) == 0, second_log.read_text()
    assert _sent(first_log) >= 6
    # Both beats tick: the healthcheck passes for each, and the heartbeats say which one publishes.
    call_command("check_beat", "--local", "--max-age", "5")
    roles = sorted(entry["leader"] for entry in heartbeat.entries("beat"))
    assert roles == [False, True]

    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    # The lock expires 3 s after the first beat's last tick; the second then publishes.
    assert wait_until(lambda: _sent(second_log) >= 2, timeout=15), second_log.read_text()
    assert "holds the beat lock" in second_log.read_text()
