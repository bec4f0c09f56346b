"""Helpers of the bulk API tests: a user with the Import permission, CSV bodies, job calls."""

import pytest
from django.contrib.auth.models import Permission

from tests.seeding import lead_fields  # noqa: F401  (autouse)


def grant(user, codename: str):
    app_label, name = codename.split(".")
    user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=name))
    for cache in ("_perm_cache", "_user_perm_cache"):
        if hasattr(user, cache):
            delattr(user, cache)
    return user


@pytest.fixture
def importer(rep):
    """A sales rep given the Import permission (as the Import permission set gives it)."""
    return grant(rep, "bulk.import_records")


def csv_body(lines: list[str], *, ending: str = "\n") -> bytes:
    return (ending.join(lines) + ending).encode("utf-8")


class BulkClient:
    """The bulk API calls of a test, through the REST API as one user."""

    def __init__(self, client):
        self.client = client

    def create(self, **payload):
        payload.setdefault("object", "Lead")
        return self.client.post("/api/bulk/jobs/", payload, format="json")

    def upload(self, job_id: int, body: bytes, content_type: str = "text/csv"):
        return self.client.put(f"/api/bulk/jobs/{job_id}/batches/", body, content_type=content_type)

    def state(self, job_id: int, state: str):
        return self.client.patch(f"/api/bulk/jobs/{job_id}/", {"state": state}, format="json")

    def info(self, job_id: int):
        return self.client.get(f"/api/bulk/jobs/{job_id}/")

    def csv(self, job_id: int, which: str) -> str:
        response = self.client.get(f"/api/bulk/jobs/{job_id}/{which}/", HTTP_ACCEPT="text/csv")
        assert response.status_code == 200, response.content
        return b"".join(response.streaming_content).decode("utf-8")

    def run(self, operation: str, lines: list[str], *, captured, **options) -> dict:
        """Create, upload, close and (tasks inline, on commit) run a job; answers its info."""
        job = self.create(operation=operation, **options)
        assert job.status_code == 201, job.content
        job_id = job.json()["id"]
        uploaded = self.upload(job_id, csv_body(lines))
        assert uploaded.status_code == 201, uploaded.content
        with captured(execute=True):
            closed = self.state(job_id, "UploadComplete")
        assert closed.status_code == 200, closed.content
        return self.info(job_id).json()


@pytest.fixture
def bulk(api):
    def as_user(user):
        return BulkClient(api.as_user(user))

    return as_user


# The duplicate rule and assignment rule fixtures of the dedupe and import tests.
from tests.dedupe.conftest import duplicate_rule, email_rule, make_lead  # noqa: E402, F401
from tests.imports.conftest import queue_rule  # noqa: E402, F401
