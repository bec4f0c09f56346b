"""`manage.py check_worker` against a real Celery worker (the refusals are in tests/core/test_health.py)."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.mark.worker
def test_check_worker_succeeds_when_a_worker_answers(celery_worker_process, capsys):
    call_command("check_worker", "--timeout", "5")

    assert ": ok" in capsys.readouterr().out
