"""/healthz and /readyz: no login, no secrets, 503 naming the failed dependency; not logged at INFO."""

import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.migrations.executor import MigrationExecutor

from core import health

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:6390/0"


@pytest.fixture(autouse=True)
def _fresh_migration_check(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)


def test_healthz_answers_without_login_database_or_allowed_host(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.0.3.7:8000")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_not_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz", HTTP_HOST="web:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="web:8000").status_code == 200


def test_readyz_answers_ok_when_every_dependency_answers(client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failed": [],
        "checks": {"database": "ok", "migrations": "ok", "cache": "ok", "broker": "ok"},
    }


def test_readyz_names_an_unreachable_broker_without_saying_where_it_is(client, settings, caplog):
    settings.CELERY_BROKER_URL = DEAD_REDIS

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker"]
    assert body["checks"]["cache"] == "ok"
    assert "6390" not in response.content.decode()
    assert "readiness check broker failed" in caplog.text


def test_readyz_names_an_unreachable_cache(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": DEAD_REDIS},
    }

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["cache"]


def test_readyz_names_unapplied_migrations(client, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("leads", "9999_future")])

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["migrations"]


def test_readyz_names_an_unreachable_database_and_skips_the_migrations(client, monkeypatch):
    def refuse():
        raise OSError("connection refused")

    monkeypatch.setitem(health.READINESS_CHECKS, "database", refuse)

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failed"] == ["database", "migrations"]


def test_probes_stay_out_of_the_access_log_at_info(client, caplog):
    with caplog.at_level(logging.INFO, logger="leadcrm.access"):
        client.get("/healthz")
        client.get("/readyz")
        client.get("/login/")

    info = [r.getMessage() for r in caplog.records if r.name == "leadcrm.access" and r.levelno >= logging.INFO]
    assert len(info) == 1
    assert info[0].startswith("GET /login/ 200 ")


def test_a_post_to_a_probe_goes_through_the_normal_stack(client):
    assert client.post("/healthz").status_code == 405


def test_check_worker_fails_when_no_worker_answers(settings):
    with pytest.raises(CommandError, match="no worker answered"):
        call_command("check_worker", "--timeout", "0.5")


def test_check_worker_fails_when_the_broker_is_down(broker_down):
    with pytest.raises(CommandError, match="no worker answered"):
        call_command("check_worker", "--timeout", "0.5")
