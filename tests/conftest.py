"""Shared fixtures: roles and users, services enforcement, Celery, and a real headless Chromium."""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

# Playwright's sync API runs an event loop in this thread; Django must still allow ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.conf import settings

from leadcrm.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_HASHERS = list(settings.PASSWORD_HASHERS)
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_configure(config):
    """The suite runs on PostgreSQL and Redis for real: a missing service is a failure, not a skip.

    Test users' passwords are hashed with a fast hasher (the production one takes a fifth of a second
    per user on purpose); tests/core/test_passwords.py checks the production hasher itself."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PRODUCTION_HASHERS]
    if os.environ.get("LEADCRM_REQUIRE_SERVICES") != "1":
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    problems = []
    if "postgresql" not in engine:
        problems.append(f"DATABASE_URL must point to PostgreSQL (engine is {engine})")
    else:
        db = settings.DATABASES["default"]
        if not _reachable(f"postgres://{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}", 5432):
            problems.append("PostgreSQL is not reachable")
    if not settings.REDIS_URL or not _reachable(settings.REDIS_URL, 6379):
        problems.append("Redis is not reachable (REDIS_URL)")
    if not os.path.exists(CHROMIUM):
        problems.append(f"Chromium is missing at {CHROMIUM}")
    if problems:
        raise pytest.UsageError("Test services missing: " + "; ".join(problems))


@pytest.fixture(scope="session", autouse=True)
def _leave_the_test_database_as_migrated(request, django_db_setup, django_db_blocker):
    """Transactional tests flush the database when they end, the migrations' seeded rows included.
    A run that ends on one would leave a kept database (``--reuse-db``) empty for the next run:
    put the migrated rows back before the session closes."""
    yield
    if not request.config.getoption("reuse_db", False):
        return
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connections

    from core.models import FieldDefinition

    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if not contents or FieldDefinition.objects.using(connection.alias).exists():
                continue
            call_command("flush", database=connection.alias, interactive=False, inhibit_post_migrate=True, verbosity=0)
            connection.creation.deserialize_db_from_string(contents)
            # The rows came back with their ids: the next ones must not collide with them.
            statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit and integration tests run tasks inline; worker tests start a real worker instead."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 1000
    settings.LOGIN_THROTTLE_ADDRESS_LIMIT = 1000
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from core.memo import forget_shared
    from webtolead.services import DRAIN

    cache.clear()
    # A rolled-back test leaves no signal behind: configuration snapshots and publish timing start
    # afresh in every test.
    forget_shared()
    DRAIN.reset()


@pytest.fixture
def broker_down():
    """Celery publishes to a port nobody listens on; afterwards the connection and producer pools
    are built afresh, so later tests publish to the real broker again."""
    from kombu import pools

    celery_app.conf.task_always_eager = False
    old = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:6390/0"
    celery_app.pool.force_close_all()
    yield
    celery_app.conf.broker_url = old
    celery_app.pool.force_close_all()
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


# Users -----------------------------------------------------------------------------------------


@pytest.fixture
def rep(db):
    from tests.factories import UserFactory

    return UserFactory(role="Sales rep", username="rep", first_name="Riley", last_name="Rep")


@pytest.fixture
def other_rep(db):
    from tests.factories import UserFactory

    return UserFactory(role="Sales rep", username="other", first_name="Olive", last_name="Other")


@pytest.fixture
def marketing_admin(db):
    from tests.factories import UserFactory

    return UserFactory(role="Marketing admin", username="marketing", first_name="Mara", last_name="Admin")


@pytest.fixture
def system_admin(db):
    from tests.factories import UserFactory

    return UserFactory(role="System admin", username="sysadmin", first_name="Sam", last_name="Sys")


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates with that user's token."""
    from rest_framework.test import APIClient

    from core.tokens import api_token_create

    client = APIClient()

    def as_user(user):
        _, key = api_token_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    client.as_user = as_user
    return client


# Celery worker and SMTP ---------------------------------------------------------------------------


class SmtpInbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox(monkeypatch):
    """A real SMTP server on loopback; a worker started after this fixture sends to it (EMAIL_URL)."""
    from aiosmtpd.controller import Controller

    inbox = SmtpInbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{port}")
    yield inbox
    controller.stop()


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A real Celery worker process on Redis, using the test database (committed data only)."""
    proc = _start_celery_worker(settings)
    yield proc
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def celery_worker_starter(transactional_db, settings):
    """Starts real Celery worker processes on demand (``start()`` answers the process, its output
    read in the background so that a long run never blocks on a full pipe); stops those still
    running at teardown."""
    started = []

    def start():
        proc = _start_celery_worker(settings)
        threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _start_celery_worker(settings):
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL must be set for worker tests")
    from django.db import connection

    celery_app.conf.task_always_eager = False
    env = dict(os.environ)
    db = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        if connection.vendor == "postgresql"
        else env.get("DATABASE_URL", "")
    )
    env["CELERY_TASK_ALWAYS_EAGER"] = "false"
    env["EMAIL_BACKEND"] = settings.EMAIL_BACKEND
    proc = subprocess.Popen(
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
    deadline = time.monotonic() + 30
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        lines.append(line)
        if "ready." in line:
            break
        if proc.poll() is not None:
            pytest.fail("Celery worker exited:\n" + "".join(lines))
    else:
        proc.kill()
        pytest.fail("Celery worker did not start:\n" + "".join(lines))
    return proc


# Browser ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def login(page):
    """Log a user in through the real login form."""

    def _login(user, password="demo-pass-123"):
        page.goto("/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/login" not in url)
        return page

    return _login
