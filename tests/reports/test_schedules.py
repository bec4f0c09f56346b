"""Scheduled reports: due periods, one delivery per schedule and period, the CSV attached, and a
real worker sending one over SMTP."""

import datetime as dt
import email

import pytest
from django.utils import timezone

from emails.models import OutboundEmail
from emails.services.outbox import build_message
from reports.models import ReportDelivery, ReportDeliveryEmail, ReportSchedule
from reports.schedules import period_of, report_schedule_create, report_schedules_send
from reports.services import saved_report_create
from tests.factories import LeadFactory
from tests.seeding import seed_fields
from tests.waiting import wait_until

MONDAY_9 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
REPORT = {
    "name": "Leads by source",
    "object_name": "lead",
    "columns": ["company"],
    "groupings": [{"field": "lead_source"}],
}


def schedule_for(owner, recipients, frequency="daily", send_hour=7):
    report = saved_report_create(data=REPORT, acting_user=owner)
    return report_schedule_create(
        report=report, frequency=frequency, recipients=recipients, send_hour=send_hour, acting_user=owner
    )


@pytest.mark.django_db
def test_due_periods(rep):
    daily = schedule_for(rep, [rep])
    weekly = ReportSchedule(report=daily.report, frequency="weekly", send_hour=7)

    assert period_of(daily, MONDAY_9) == "2026-11-30"
    assert period_of(daily, MONDAY_9.replace(hour=6)) is None
    assert period_of(weekly, MONDAY_9) == "2026-W49"
    assert period_of(weekly, MONDAY_9 + dt.timedelta(days=1)) is None


@pytest.mark.django_db
def test_each_recipient_gets_their_own_counts_once_per_period(rep, other_rep, marketing_admin):
    from core.models import OrgSettings

    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
    LeadFactory(owner_user=rep, lead_source="Website", company="=cmd|' /C calc'!A0")
    LeadFactory(owner_user=other_rep, lead_source="Website")
    rep.email, other_rep.email = "rep@example.com", "other@example.com"
    rep.save()
    other_rep.save()
    schedule = schedule_for(marketing_admin, [rep, other_rep])

    assert report_schedules_send(now=MONDAY_9) == 1
    assert report_schedules_send(now=MONDAY_9 + dt.timedelta(hours=3)) == 0

    assert ReportDelivery.objects.get(schedule=schedule).recipients == 2
    emails = {e.to_address: e for e in OutboundEmail.objects.filter(object_name="report_delivery_email")}
    assert set(emails) == {"rep@example.com", "other@example.com"}
    attachment = ReportDeliveryEmail.objects.get(user=rep)
    assert attachment.csv.splitlines() == ["Lead Source,Records", "Website,1"]
    message = build_message(emails["rep@example.com"])
    assert message.attachments[0][0] == attachment.filename
    assert "Website" in emails["rep@example.com"].body_html


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_emails_the_scheduled_report_with_its_csv(smtp_inbox, celery_worker_process, system_admin):
    seed_fields("leads")
    system_admin.email = "boss@example.com"
    system_admin.save()
    LeadFactory(owner_user=system_admin, lead_source="Website", created_at=timezone.now())
    # Due from midnight on, so that the run is due whatever the hour of the day it runs at.
    schedule_for(system_admin, [system_admin], send_hour=0)

    from reports.tasks import send_scheduled_reports

    send_scheduled_reports.delay().get(timeout=30)

    assert wait_until(lambda: smtp_inbox.messages), "the worker sent nothing"
    message = email.message_from_bytes(smtp_inbox.messages[0].content)
    assert smtp_inbox.messages[0].rcpt_tos == ["boss@example.com"]
    assert "Leads by source" in message["Subject"]
    parts = {part.get_filename(): part for part in message.walk() if part.get_filename()}
    assert len(parts) == 1
    csv_part = next(iter(parts.values()))
    assert csv_part.get_content_type() == "text/csv"
    assert "Website,1" in csv_part.get_payload(decode=True).decode()
    assert wait_until(lambda: OutboundEmail.objects.filter(status="sent").count() == 1)
    assert len(smtp_inbox.messages) == 1
