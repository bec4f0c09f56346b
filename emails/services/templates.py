"""Writes of email folders and templates (marketing and system admins)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from core.db import unique_as_field_error
from core.roles import require_setup_admin

from ..models import AutoResponseEntry, AutoResponseSettings, EmailFolder, EmailTemplate
from ..rendering import sanitize_html, unknown_merge_fields

TEMPLATE_FIELDS = ("folder", "name", "description", "subject", "body_text", "body_html", "is_active", "is_marketing")


def _folder_exists(name: str) -> str:
    return _("A folder named “%(name)s” already exists.") % {"name": name}


def _template_exists(name: str) -> str:
    return _("A template named “%(name)s” already exists.") % {"name": name}


def _unique_folder_name(name: str):
    """A concurrent create or rename to the same name ends in the same field error."""
    message = _folder_exists(name)
    return unique_as_field_error(
        dict.fromkeys(("emails_emailfolder_name_ci", "emails_emailfolder_name_key"), ("name", message))
    )


def _unique_template_name(name: str):
    message = _template_exists(name)
    return unique_as_field_error(
        dict.fromkeys(("emails_emailtemplate_name_ci", "emails_emailtemplate_name_key"), ("name", message))
    )


def _actor(user):
    return user if getattr(user, "pk", None) else None


@transaction.atomic
def email_folder_create(*, name: str, description: str = "", acting_user) -> EmailFolder:
    require_setup_admin(acting_user)
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise ValidationError({"name": [_("Enter a folder name of at most 120 characters.")]})
    if EmailFolder.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_folder_exists(name)]})
    with _unique_folder_name(name):
        return EmailFolder.objects.create(
            name=name, description=(description or "")[:500], created_by=_actor(acting_user)
        )


@transaction.atomic
def email_folder_update(*, folder: EmailFolder, name: str, description: str = "", acting_user) -> EmailFolder:
    require_setup_admin(acting_user)
    folder = EmailFolder.objects.select_for_update().get(pk=folder.pk)
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise ValidationError({"name": [_("Enter a folder name of at most 120 characters.")]})
    if EmailFolder.objects.filter(name__iexact=name).exclude(pk=folder.pk).exists():
        raise ValidationError({"name": [_folder_exists(name)]})
    folder.name, folder.description = name, (description or "")[:500]
    with _unique_folder_name(name):
        folder.save()
    return folder


@transaction.atomic
def email_folder_delete(*, folder: EmailFolder, acting_user) -> None:
    require_setup_admin(acting_user)
    if folder.templates.exists():
        raise ValidationError({"__all__": [_("Move or delete the templates in this folder first.")]})
    folder.delete()


def _clean_template(data: dict, *, instance: EmailTemplate | None) -> dict:
    values = {k: data[k] for k in TEMPLATE_FIELDS if k in data}
    for key in ("name", "description", "subject"):
        if key in values:
            values[key] = " ".join((values[key] or "").split())
    for key in ("body_text", "body_html"):
        if key in values:
            values[key] = (values[key] or "").replace("\r\n", "\n")
    merged = {k: values.get(k, getattr(instance, k, "") if instance else "") for k in TEMPLATE_FIELDS}
    errors: dict[str, list[str]] = {}
    if not merged["name"]:
        errors["name"] = [_("Enter a template name.")]
    elif len(merged["name"]) > 120:
        errors["name"] = [_("Use at most 120 characters.")]
    elif EmailTemplate.objects.filter(name__iexact=merged["name"]).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["name"] = [_template_exists(merged["name"])]
    if not merged["subject"]:
        errors["subject"] = [_("Enter a subject.")]
    elif len(merged["subject"]) > 255:
        errors["subject"] = [_("Use at most 255 characters.")]
    if not (merged["body_text"] or "").strip():
        errors["body_text"] = [_("Write the text body (it is what mail programs without HTML show).")]
    elif len(merged["body_text"]) > 32000:
        errors["body_text"] = [_("Use at most 32000 characters.")]
    if len(merged["body_html"] or "") > 100000:
        errors["body_html"] = [_("Use at most 100000 characters.")]
    for key in ("subject", "body_text", "body_html"):
        unknown = unknown_merge_fields(merged[key] or "", object_name="lead")
        if unknown:
            names = ", ".join(unknown)
            errors.setdefault(key, []).append(
                f"Unknown merge field{'s' if len(unknown) > 1 else ''}: {names}. "
                "Use {{Lead.FieldName}} with a field of the lead, such as {{Lead.FirstName|there}}."
            )
    if errors:
        raise ValidationError(errors)
    if "body_html" in values:
        values["body_html"] = sanitize_html(values["body_html"])
    return values


@transaction.atomic
def email_template_create(*, data: dict, acting_user) -> EmailTemplate:
    """Create a template; the HTML body is sanitised and every merge field must name a lead field."""
    require_setup_admin(acting_user)
    values = _clean_template(data, instance=None)
    with _unique_template_name(values["name"]):
        return EmailTemplate.objects.create(
            **values, object_name="lead", created_by=_actor(acting_user), updated_by=_actor(acting_user)
        )


@transaction.atomic
def email_template_update(*, template: EmailTemplate, data: dict, acting_user) -> EmailTemplate:
    require_setup_admin(acting_user)
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    values = _clean_template(data, instance=template)
    if "is_active" in values and not values["is_active"]:
        used = template_usages(template)
        if used:
            raise ValidationError({"is_active": [_("The template is in use: %(join)s") % {"join": "; ".join(used)}]})
    for key, value in values.items():
        setattr(template, key, value)
    template.updated_by = _actor(acting_user)
    with _unique_template_name(template.name):
        template.save()
    return template


def template_usages(template: EmailTemplate) -> list[str]:
    usages = [
        f"auto-response rule “{entry.rule.name}”, entry {entry.sort_order}"
        for entry in AutoResponseEntry.objects.filter(template=template).select_related("rule")
    ]
    if AutoResponseSettings.objects.filter(default_template=template).exists():
        usages.append("the default auto-response template")
    return usages


@transaction.atomic
def email_template_delete(*, template: EmailTemplate, acting_user) -> None:
    require_setup_admin(acting_user)
    used = template_usages(template)
    if used:
        raise ValidationError({"__all__": [_("The template is in use: %(join)s.") % {"join": "; ".join(used)}]})
    try:
        template.delete()
    except ProtectedError:
        raise ValidationError({"__all__": [_("The template is in use and cannot be deleted.")]}) from None
