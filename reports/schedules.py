"""Scheduled reports: a saved report emailed daily or weekly to chosen users through the outbox.

Each recipient gets the report as run in their own sharing scope: a summary table in the body and
the CSV attached (``attach_report_csv``, an outbox message hook). A ``ReportDelivery`` row per
schedule and period is written first (unique), so a period is sent once however often beat runs.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from emails.models import OutboundEmail
from emails.services import email_enqueue

from .builder import ReportDefinition, run_definition
from .exports import builder_csv_rows
from .models import ReportDelivery, ReportDeliveryEmail, ReportSchedule, SavedReport

OBJECT_NAME = "report_delivery_email"
SUMMARY_ROWS = 20


def report_schedule_create(
    *, report: SavedReport, frequency: str, recipients, send_hour: int = 7, acting_user
) -> ReportSchedule:
    errors: dict[str, list[str]] = {}
    if frequency not in ReportSchedule.Frequency.values:
        errors["frequency"] = [_("Choose daily or weekly.")]
    if not 0 <= int(send_hour) <= 23:
        errors["send_hour"] = [_("Choose an hour from 0 to 23.")]
    users = list(recipients)
    if not users:
        errors["recipients"] = [_("Choose at least one recipient.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        schedule = ReportSchedule.objects.create(
            report=report,
            frequency=frequency,
            send_hour=send_hour,
            created_by=acting_user,
            created_at=timezone.now(),
        )
        schedule.recipients.set(users)
    return schedule


def period_of(schedule: ReportSchedule, now: dt.datetime) -> str | None:
    """The period due now ("2026-12-04" daily, "2026-W49" weekly), or None before its hour/day."""
    local = timezone.localtime(now)
    if local.hour < schedule.send_hour:
        return None
    if schedule.frequency == ReportSchedule.Frequency.WEEKLY:
        if local.weekday() != 0:
            return None
        year, week, _day = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def _csv_text(result) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in builder_csv_rows(result):
        writer.writerow(row)
    return out.getvalue()


def _summary(result) -> tuple[list[str], list[list]]:
    """The table in the email's body: the groups (first ``SUMMARY_ROWS``), else the total."""
    if result.groups:
        header = [c["label"] for c in result.group_columns] + [_("Records")]
        rows = [[*g["labels"], g["count"]] for g in result.groups[:SUMMARY_ROWS]]
        return header, rows
    return [_("Records")], [[result.total]]


def _send_to(delivery: ReportDelivery, user, period: str) -> None:
    schedule, report = delivery.schedule, delivery.schedule.report
    result = run_definition(ReportDefinition.from_saved(report), user=user)
    header, rows = _summary(result)
    url = reverse("reports:saved", args=[report.pk])
    context = {"report": report, "period": period, "header": header, "rows": rows, "total": result.total, "url": url}
    attachment = ReportDeliveryEmail.objects.create(
        delivery=delivery, user=user, filename=f"report-{report.pk}-{period}.csv", csv=_csv_text(result)
    )
    email = email_enqueue(
        to=user.email,
        subject=_("Report: %(name)s (%(period)s)") % {"name": report.name, "period": period},
        body_text=render_to_string("reports/email/scheduled_report.txt", context),
        body_html=render_to_string("reports/email/scheduled_report.html", context),
        kind=OutboundEmail.Kind.NOTIFICATION,
        idempotency_key=f"report-schedule:{schedule.pk}:{period}:{user.pk}",
        object_name=OBJECT_NAME,
        record_id=attachment.pk,
    )
    ReportDeliveryEmail.objects.filter(pk=attachment.pk).update(email=email)


def report_schedules_send(*, now: dt.datetime | None = None) -> int:
    """Beat: send every schedule whose period is due and not sent yet; answers the deliveries made.
    Safe to run twice, and on two beats at once (the delivery row is unique per period)."""
    now = now or timezone.now()
    made = 0
    schedules = ReportSchedule.objects.filter(is_active=True).select_related("report")
    for schedule in schedules:
        period = period_of(schedule, now)
        if period is None or ReportDelivery.objects.filter(schedule=schedule, period=period).exists():
            continue
        try:
            with transaction.atomic():
                delivery = ReportDelivery.objects.create(schedule=schedule, period=period, created_at=now)
                users = get_user_model().objects.filter(pk__in=schedule.recipients.values("pk"), is_active=True)
                users = users.exclude(email="")
                for user in users:
                    _send_to(delivery, user, period)
                delivery.recipients = len(users)
                delivery.save(update_fields=["recipients"])
        except IntegrityError:
            continue  # another beat made this period's delivery
        made += 1
    return made


def attach_report_csv(*, email, message) -> None:
    """Outbox message hook: a scheduled report's email carries its CSV."""
    if email.object_name != OBJECT_NAME or not email.record_id:
        return
    attachment = ReportDeliveryEmail.objects.filter(pk=email.record_id).first()
    if attachment is not None:
        message.attach(attachment.filename, attachment.csv, "text/csv")
