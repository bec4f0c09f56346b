"""docker-compose healthchecks call the app's own probes and commands."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _services():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_web_worker_and_beat_have_healthchecks_on_the_apps_probes():
    services = _services()

    web = " ".join(services["web"]["healthcheck"]["test"])
    worker = services["worker"]["healthcheck"]["test"]
    beat = services["beat"]["healthcheck"]["test"]

    assert "http://127.0.0.1:8000/readyz" in web
    assert worker[1:5] == ["python", "manage.py", "check_worker", "--local"]
    assert beat[1:5] == ["python", "manage.py", "check_beat", "--local"]
    for name in ("web", "worker", "beat"):
        check = services[name]["healthcheck"]
        assert check["test"][0] == "CMD", name
        assert int(check["timeout"].rstrip("s")) < int(check["interval"].rstrip("s")), name


def test_workers_take_every_queue_and_bulk_work_has_workers_of_its_own():
    from django.conf import settings

    services = _services()
    queues = {}
    for name in ("worker", "worker-bulk"):
        command = services[name]["command"].split()
        queues[name] = set(command[command.index("-Q") + 1].split(","))

    assert queues["worker-bulk"] == {"imports", "scoring"}
    assert queues["worker"] == {"intake", "emails", "default"}
    assert queues["worker"] | queues["worker-bulk"] == {queue.name for queue in settings.CELERY_TASK_QUEUES}


def test_scripts_run_starts_workers_for_every_queue():
    from django.conf import settings

    script = (ROOT / "scripts" / "run").read_text()
    consumed = set()
    for listed in re.findall(r"-Q ([\w,]+)", script):
        consumed |= set(listed.split(","))

    assert consumed == {queue.name for queue in settings.CELERY_TASK_QUEUES}
