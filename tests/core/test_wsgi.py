"""The WSGI entry point that gunicorn loads."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_loading_the_application_keeps_its_objects_out_of_full_collections():
    probe = "import gc, leadcrm.wsgi; print(gc.get_freeze_count())"

    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)

    assert int(out.stdout.split()[-1]) > 10_000
