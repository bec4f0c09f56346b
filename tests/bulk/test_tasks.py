"""The bulk API's tasks: their names, the imports queue they run on, and beat's sweep."""

from django.conf import settings

from leadcrm.celery import app


def test_the_tasks_are_registered_run_on_the_imports_queue_and_beat_sweeps():
    app.loader.import_default_modules()
    assert {"bulk.run_ingest_job", "bulk.run_query_job", "bulk.sweep_jobs"} <= set(app.tasks)
    assert settings.CELERY_TASK_ROUTES["bulk.*"] == {"queue": "imports"}
    assert settings.CELERY_BEAT_SCHEDULE["bulk-sweep-jobs"]["task"] == "bulk.sweep_jobs"
