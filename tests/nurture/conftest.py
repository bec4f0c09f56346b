"""Fixtures of the nurture tests: templates, a sequence built through the services, leads."""

import pytest

from emails.services import email_template_create
from nurture import services
from tests.factories import LeadFactory
from tests.seeding import lead_fields  # noqa: F401  (autouse)


@pytest.fixture
def make_template(marketing_admin):
    def _make(name: str, subject: str | None = None, body: str = "Hello {{Lead.FirstName|there}}."):
        return email_template_create(
            data={
                "name": name,
                "subject": subject or f"{name} for {{{{Lead.FirstName|you}}}}",
                "body_text": body,
                "body_html": f"<p>{body}</p><p><a href='https://example.com/{name.lower()}'>More</a></p>",
            },
            acting_user=marketing_admin,
        )

    return _make


@pytest.fixture
def three_step_sequence(make_template, marketing_admin):
    """Welcome, wait 3 days, Tips, wait 4 days, Offer; active."""
    sequence = services.sequence_create(
        data={"name": "Warm-up", "from_name": "Acme Marketing", "from_address": "news@acme.example"},
        acting_user=marketing_admin,
    )
    for data in (
        {"kind": "email", "template": make_template("Welcome").pk},
        {"kind": "wait", "wait_days": 3},
        {"kind": "email", "template": make_template("Tips").pk},
        {"kind": "wait", "wait_days": 4},
        {"kind": "email", "template": make_template("Offer").pk},
    ):
        services.step_create(sequence=sequence, data=data, acting_user=marketing_admin)
    return services.sequence_set_status(sequence=sequence, status="active", acting_user=marketing_admin)


@pytest.fixture
def nurture_leads(rep):
    def _make(n: int = 1, **fields):
        return [LeadFactory(owner_user=rep, created_by=rep, last_modified_by=rep, **fields) for _ in range(n)]

    return _make


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    """Run the scheduler as of ``now``, then what it left for after the commit (the outbox hand-over;
    tasks run inline)."""

    def _tick(now=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.nurture_tick(now=now, **kwargs)

    return _tick
