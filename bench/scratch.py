"""A benchmark's own scratch database on the PostgreSQL server of ``DATABASE_URL`` (default
``postgres://postgres@127.0.0.1:5432/``), made afresh for a run and dropped after it, and the
environment Django runs in for a benchmark (production settings, no HTTPS redirect)."""

import os
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent


def server_url() -> str:
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres")
    return urlunparse(url._replace(path="/postgres"))


def admin_sql(server: str, sql: str) -> None:
    import psycopg2

    conn = psycopg2.connect(server)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql)
    conn.close()


def ensure_database(name: str, *, reseed: bool = False) -> None:
    """Create database ``name`` on ``DATABASE_URL``'s server unless it exists; ``reseed`` drops
    it first, so that it is made afresh (a benchmark that seeds a database once reuses it)."""
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(server_url())
    conn.autocommit = True
    with conn.cursor() as cur:
        if reseed:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def drop_database(server: str, name: str) -> None:
    admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def recreate_database(server: str, name: str) -> str:
    """Drop and create database ``name``; answers its URL."""
    drop_database(server, name)
    admin_sql(server, f'CREATE DATABASE "{name}"')
    return urlunparse(urlparse(server)._replace(path=f"/{name}"))


def django_environment(*, database_url: str, eager: bool) -> None:
    """Point Django at ``database_url`` with production settings (DEBUG off, plain HTTP);
    ``eager`` runs tasks inline, else they are published to whatever broker the settings name."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadcrm.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    os.environ["DJANGO_SECURE_COOKIES"] = "false"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true" if eager else "false"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
