"""PostgreSQL seen from outside the connection under test."""

import psycopg2
from django.db import connection

from tests.waiting import wait_until


def terminate_backend(pid: int) -> None:
    """Drop a backend from outside, as a database restart does, and wait until it is gone."""
    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None, host=db["HOST"], port=db["PORT"]
    )
    other.autocommit = True
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

            def gone() -> bool:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                return cursor.fetchone()[0] == 0

            if not wait_until(gone, timeout=2.0):
                raise AssertionError(f"backend {pid} did not go away")
    finally:
        other.close()
