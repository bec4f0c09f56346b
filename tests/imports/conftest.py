"""Helpers of the import tests: CSV bytes, an uploaded import, a started import, a rule, a template."""

import pytest

from emails.services import autoresponse_settings_update, email_template_create
from leads.imports.services import lead_import_start, lead_import_upload
from leads.routing import services as routing
from tests.factories import QueueFactory
from tests.seeding import lead_fields  # noqa: F401  (autouse)


def csv_bytes(lines: list[str], *, bom: bool = False, delimiter: str = ",") -> bytes:
    text = "\r\n".join(line.replace(",", delimiter) if delimiter != "," else line for line in lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


GOOD_CSV = [
    "First Name,Last Name,Company,Email,Lead Source",
    "Ada,Lovelace,Analytical Ltd,ada@example.com,website",
    "Grace,Hopper,Navy Systems,grace@example.com,",
]


@pytest.fixture
def upload():
    def _upload(user, lines=GOOD_CSV, **kwargs):
        return lead_import_upload(file_name="leads.csv", data=csv_bytes(lines, **kwargs), acting_user=user)

    return _upload


@pytest.fixture
def start():
    def _start(lead_import, user, *, run_assignment=True, send_autoresponse=False, **kwargs):
        return lead_import_start(
            lead_import=lead_import,
            mapping=kwargs.pop("mapping", lead_import.mapping),
            run_assignment=run_assignment,
            send_autoresponse=send_autoresponse,
            acting_user=user,
            **kwargs,
        )

    return _start


@pytest.fixture
def queue_rule(marketing_admin):
    """An active rule sending every lead to the "Imported" queue."""
    queue = QueueFactory(name="Imported")
    rule = routing.rule_create(name="Everything to Imported", acting_user=marketing_admin)
    routing.entry_save(
        rule=rule,
        data=routing.EntryInput(
            criteria=[{"field": "last_name", "operator": "is_not_blank", "value": None}],
            assign_to="queue",
            assign_queue=queue,
        ),
        acting_user=marketing_admin,
    )
    routing.rule_activate(rule=rule, acting_user=marketing_admin)
    return queue


@pytest.fixture
def thanks_template(marketing_admin):
    template = email_template_create(
        data={"name": "Thanks", "subject": "Thanks", "body_text": "Hello {{Lead.FirstName}}"},
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(default_template=template, acting_user=marketing_admin)
    return template
