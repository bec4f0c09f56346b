"""Reads of templates, the outbox and auto-response rules."""

from django.db.models import Count, QuerySet

from core.roles import is_marketing_admin

from .models import AutoResponseRule, AutoResponseSettings, EmailFolder, EmailTemplate, OutboundEmail


def emails_for_record(*, object_name: str, record_id: int) -> QuerySet[OutboundEmail]:
    """The emails about one record, newest first (the record page's Emails related list). The
    caller has already checked that the user may see the record."""
    return (
        OutboundEmail.objects.filter(object_name=object_name, record_id=record_id)
        .select_related("template", "created_by")
        .order_by("-created_at", "-id")
    )


def outbox_list(*, user) -> QuerySet[OutboundEmail]:
    """Every outbound email, for admins (the outbox page); nothing for anyone else."""
    if not is_marketing_admin(user):
        return OutboundEmail.objects.none()
    return OutboundEmail.objects.select_related("template", "created_by").order_by("-created_at", "-id")


def folder_list() -> QuerySet[EmailFolder]:
    return EmailFolder.objects.annotate(template_count=Count("templates")).order_by("name")


def template_list(*, folder_id: int | None = None, active_only: bool = False) -> QuerySet[EmailTemplate]:
    qs = EmailTemplate.objects.select_related("folder", "updated_by").order_by("folder__name", "name")
    if folder_id:
        qs = qs.filter(folder_id=folder_id)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs


def templates_for_sending() -> QuerySet[EmailTemplate]:
    """Active templates a user may pick in "Send Email"."""
    return EmailTemplate.objects.filter(is_active=True).select_related("folder").order_by("folder__name", "name")


def autoresponse_settings() -> AutoResponseSettings:
    row, _ = AutoResponseSettings.objects.select_related("default_template").get_or_create(singleton=1)
    return row


def autoresponse_rules() -> QuerySet[AutoResponseRule]:
    return AutoResponseRule.objects.annotate(entry_count=Count("entries")).order_by("-is_active", "name")


def autoresponse_rule_entries(rule: AutoResponseRule):
    return rule.entries.select_related("template").order_by("sort_order", "id")
