"""The uploaded files of imports are removed once nothing reads them: after the undo window of an
import that ended, at once when it was undone, after the same time for an upload never started,
and files no import names; the import keeps its counts and rows."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from leadcrm.celery import app as celery_app
from leads.imports.models import LeadImport
from leads.imports.parsing import import_dir
from leads.imports.processing import lead_import_process
from leads.imports.selectors import lead_import_sample_rows
from leads.imports.services import (
    KEEP_FILES,
    lead_import_undo,
    lead_imports_purge_files,
)
from leads.imports.tasks import purge_import_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def own_upload_folder(settings, tmp_path):
    """An upload folder of this test's own: the files of other tests are not its to count."""
    settings.VAR_DIR = tmp_path


def _file(lead_import: LeadImport):
    return import_dir() / lead_import.stored_file


def _finished(rep, upload, start) -> LeadImport:
    lead_import = start(upload(rep), rep)
    return lead_import_process(lead_import_id=lead_import.pk)


def test_the_file_of_an_ended_import_is_kept_through_the_undo_window_then_removed(rep, upload, start):
    lead_import = _finished(rep, upload, start)
    path = _file(lead_import)
    assert lead_import.status == "done"
    assert path.exists()

    assert lead_imports_purge_files(now=lead_import.finished_at + KEEP_FILES - timedelta(minutes=1)) == 0
    assert path.exists()

    assert lead_imports_purge_files(now=lead_import.finished_at + KEEP_FILES + timedelta(minutes=1)) == 1
    lead_import.refresh_from_db()
    assert not path.exists()
    assert lead_import.stored_file == ""
    assert (lead_import.status, lead_import.created_count) == ("done", 2)
    # A second run finds nothing left to do.
    assert lead_imports_purge_files(now=lead_import.finished_at + KEEP_FILES + timedelta(minutes=2)) == 0


def test_the_file_of_an_undone_import_is_removed_at_once(rep, upload, start):
    lead_import = _finished(rep, upload, start)
    path = _file(lead_import)
    lead_import_undo(lead_import=lead_import, acting_user=rep)

    assert lead_imports_purge_files() == 1
    assert not path.exists()


def test_running_and_pending_imports_keep_their_files(rep, upload, start):
    pending = start(upload(rep), rep)
    running = start(upload(rep), rep)
    LeadImport.objects.filter(pk=running.pk).update(status="running")
    later = timezone.now() + KEEP_FILES * 10

    assert lead_imports_purge_files(now=later) == 0
    assert _file(pending).exists()
    assert _file(running).exists()


def test_an_upload_never_started_loses_its_file_and_can_no_longer_start(rep, upload, start):
    lead_import = upload(rep)
    path = _file(lead_import)
    assert lead_imports_purge_files(now=lead_import.created_at + KEEP_FILES - timedelta(minutes=1)) == 0

    assert lead_imports_purge_files(now=lead_import.created_at + KEEP_FILES + timedelta(minutes=1)) == 1
    lead_import.refresh_from_db()
    assert not path.exists()
    assert lead_import_sample_rows(lead_import=lead_import) == []
    with pytest.raises(ValidationError, match="upload it again"):
        start(lead_import, rep)


def test_files_no_import_names_are_removed_once_a_day_old(rep, upload):
    kept = upload(rep)
    stray = import_dir() / f"{'a' * 32}.csv"
    fresh = import_dir() / f"{'b' * 32}.xlsx"
    # Another app's file in the same folder (a bulk API job's upload) is not the imports' to remove.
    foreign = import_dir() / f"bulk-{'c' * 32}.csv"
    for path in (stray, fresh, foreign):
        path.write_bytes(b"First Name\r\nAda\r\n")
    old = (timezone.now() - timedelta(days=2)).timestamp()
    for path in (stray, foreign, _file(kept)):
        os.utime(path, (old, old))

    assert lead_imports_purge_files() == 1
    assert not stray.exists()
    assert fresh.exists()
    assert foreign.exists()
    assert _file(kept).exists()


def test_beat_purges_import_files_every_hour(rep, upload, start):
    entry = settings.CELERY_BEAT_SCHEDULE["leads-purge-import-files"]
    assert entry == {"task": "leads.imports.purge_import_files", "schedule": 3600.0}
    assert entry["task"] in celery_app.tasks

    lead_import = _finished(rep, upload, start)
    lead_import_undo(lead_import=lead_import, acting_user=rep)
    assert purge_import_files.delay().get() == 1
