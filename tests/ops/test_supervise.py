"""scripts/supervise, which scripts/run uses to keep the worker and beat running."""

import os
import signal
import subprocess
from pathlib import Path

from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_process_that_exits_is_started_again_and_stopping_the_supervisor_stops_it(tmp_path):
    log = tmp_path / "worker.log"
    pids = tmp_path / "pids"
    # Each run notes its pid; the first two runs exit at once (as a worker that gave up would),
    # the third stays up.
    script = f'echo $$ >> {pids}; [ "$(wc -l < {pids})" -ge 3 ] && exec sleep 60; exit 3'
    supervisor = subprocess.Popen(
        [str(ROOT / "scripts" / "supervise"), str(log), "sh", "-c", script],
        env={**os.environ, "SUPERVISE_PAUSE": "0.1"},
    )
    try:
        assert wait_until(lambda: pids.exists() and len(pids.read_text().split()) == 3, timeout=10)
        running = int(pids.read_text().split()[-1])
        assert wait_until(lambda: _alive(running), timeout=5)

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=10) == 0
    finally:
        if supervisor.poll() is None:
            supervisor.kill()

    assert log.read_text().count("exited with status 3; starting it again") == 2
    assert wait_until(lambda: not _alive(running), timeout=5), "the supervised process outlived its supervisor"
    assert len(pids.read_text().split()) == 3


def test_scripts_run_supervises_the_worker_and_beat():
    run = (ROOT / "scripts" / "run").read_text()

    assert "scripts/supervise var/worker.log .venv/bin/celery -A leadcrm worker" in run
    assert "scripts/supervise var/beat.log .venv/bin/celery -A leadcrm beat" in run
