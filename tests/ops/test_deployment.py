"""docker-compose.yml is checked against the settings (no Docker engine runs tests here)."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _settings_env_names() -> set[str]:
    source = (ROOT / "leadcrm" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', source))


def test_compose_describes_the_production_shape():
    services = _compose()["services"]

    assert set(services) == {"web", "worker", "worker-bulk", "beat", "postgres", "redis"}
    assert "gunicorn leadcrm.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A leadcrm worker")
    assert services["beat"]["command"].startswith("celery -A leadcrm beat")


def test_compose_starts_the_app_again_whenever_it_exits():
    services = _compose()["services"]

    assert {"web", "worker", "worker-bulk", "beat"} <= set(services)
    for name, service in services.items():  # a service added later is checked too
        assert service["restart"] == "unless-stopped", name


def test_compose_environment_is_read_by_the_settings():
    services = _compose()["services"]
    known = _settings_env_names()

    for name in ("web", "worker", "worker-bulk", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert env["DJANGO_DEBUG"] == "false"
        assert set(env) <= known, f"{name} sets variables the settings never read: {set(env) - known}"


def test_compose_database_credentials_match_the_postgres_service():
    compose = _compose()
    pg = compose["services"]["postgres"]["environment"]
    url = compose["services"]["web"]["environment"]["DATABASE_URL"]

    assert url == f"postgres://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/{pg['POSTGRES_DB']}"


def test_settings_follow_the_compose_environment(tmp_path):
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": "postgres://leadcrm:secret@db.internal:5432/leadcrm",
            "REDIS_URL": "redis://cache.internal:6379/0",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "x" * 60,
            "DJANGO_ALLOWED_HOSTS": "crm.example.com",
        }
    )
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='leadcrm.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST'], s.CELERY_BROKER_URL,"
        " s.CACHES['default']['BACKEND'], s.DEBUG, s.ALLOWED_HOSTS)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)

    assert out.stdout.split() == [
        "django.db.backends.postgresql",
        "db.internal",
        "redis://cache.internal:6379/0",
        "core.cache.ResilientRedisCache",
        "False",
        "['crm.example.com']",
    ]


def test_embedded_default_needs_no_services(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["LEADCRM_VAR_DIR"] = str(tmp_path)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='leadcrm.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)

    assert out.stdout.split() == ["django.db.backends.sqlite3", "filesystem://localhost/"]


def _gunicorn_config(**env: str) -> dict[str, str]:
    """What gunicorn, started in the project root as the image starts it, would run with."""
    environ = {k: v for k, v in os.environ.items() if k != "WEB_CONCURRENCY"} | env
    printed = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--print-config", "leadcrm.wsgi:application"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return dict(re.findall(r"^(\w+)\s+= (.*)$", printed, flags=re.MULTILINE))


def test_gunicorn_reads_its_configuration_file_more_workers_than_cores_of_a_small_host():
    config = _gunicorn_config()
    assert config["config"] == "./gunicorn.conf.py"
    assert (config["worker_class"], config["workers"]) == ("sync", "3")
    assert _gunicorn_config(WEB_CONCURRENCY="6")["workers"] == "6"


def test_the_image_and_compose_leave_the_worker_count_to_the_configuration_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    # gunicorn starts in /app, where the project (gunicorn.conf.py with it) is copied.
    assert "WORKDIR /app" in dockerfile
    assert "COPY . ." in dockerfile
    assert "--workers" not in dockerfile
    assert "--workers" not in _compose()["services"]["web"]["command"]
