"""The WSGI entry point that gunicorn loads."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_application_tunes_the_collector_for_request_work():
    probe = "import gc, leadcrm.wsgi; print(gc.get_freeze_count(), *gc.get_threshold())"

    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)

    frozen, first, *later = (int(n) for n in out.stdout.split()[-4:])
    assert frozen > 10_000  # the application's own objects are out of full collections
    assert first == 20_000
    assert later == [10, 10]
