"""docker-compose healthchecks call the app's own probes and commands."""

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
