"""End to end: a real Celery worker on Redis writes a list email's outbox rows and sends them over
real SMTP on loopback; marketing mail carries the one-click unsubscribe headers, transactional mail
does not."""

import email
from email import policy

import pytest
from django.db import transaction

from emails.models import OutboundEmail
from emails.services import email_enqueue, email_template_create
from leads.models import Lead
from listemail.models import ListEmailSend
from listemail.services import list_email_create
from tests.factories import LeadFactory
from tests.seeding import seed_fields
from tests.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def _seeded(transactional_db):
    seed_fields("leads")


@pytest.mark.usefixtures("_seeded")
def test_a_list_email_goes_out_through_the_worker_with_unsubscribe_headers(
    smtp_inbox, celery_worker_process, marketing_admin, settings
):
    template = email_template_create(
        data={"name": "Autumn News", "subject": "News", "body_text": "Hi {{Lead.FirstName}}", "is_marketing": True},
        acting_user=marketing_admin,
    )
    for name in ("Ann", "Bob", "Cy"):
        LeadFactory(first_name=name, email=f"{name.lower()}@example.com", owner_user=marketing_admin)
    LeadFactory(first_name="Out", email="out@example.com", email_opt_out=True, owner_user=marketing_admin)

    with transaction.atomic():
        send = list_email_create(user=marketing_admin, template=template, leads=Lead.objects.all())
    assert send.total == 3

    assert wait_until(lambda: len(smtp_inbox.messages) >= 3), "the worker did not send the list email"
    assert wait_until(lambda: ListEmailSend.objects.get(pk=send.pk).status == "done")
    received = {
        tuple(m.rcpt_tos): email.message_from_bytes(m.content, policy=policy.default) for m in smtp_inbox.messages
    }
    assert set(received) == {("ann@example.com",), ("bob@example.com",), ("cy@example.com",)}
    for message in received.values():
        # (a long header is folded: leading whitespace is part of the folding)
        header = str(message["List-Unsubscribe"]).strip()
        assert header.startswith(f"<{settings.SITE_URL}/consent/u/")
        assert header.endswith("/one-click/>")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "Unsubscribe: " in message.get_body(("plain",)).get_content()
    # (the worker marks a row sent just after the SMTP server accepted it)
    assert wait_until(lambda: OutboundEmail.objects.filter(kind="list_email", status="sent").count() == 3)

    # A transactional email (a notification to a rep) carries neither.
    with transaction.atomic():
        email_enqueue(
            to="rep@example.com",
            subject="A lead was assigned to you",
            body_text="Ann is yours.",
            kind=OutboundEmail.Kind.ASSIGNMENT,
            idempotency_key="assign-test-1",
        )
    assert wait_until(lambda: len(smtp_inbox.messages) == 4)
    notice = email.message_from_bytes(smtp_inbox.messages[-1].content, policy=policy.default)
    assert notice["Subject"] == "A lead was assigned to you"
    assert notice["List-Unsubscribe"] is None
    assert notice["List-Unsubscribe-Post"] is None
    assert "Unsubscribe" not in notice.get_body(("plain",)).get_content()
