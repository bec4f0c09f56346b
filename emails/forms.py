"""Forms of the emails pages: input shape only; services validate and save."""

from django import forms
from django.core.exceptions import ValidationError

from core.criteria import OPERATOR_LABELS, OPERATORS, VALUELESS, field_specs

from .models import EmailFolder, EmailTemplate

MERGE_HELP = "Merge fields such as {{Lead.FirstName|there}} (the text after | is used when the field is blank)."


def apply_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors on the form: known fields get theirs, the rest are form-wide."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


class FolderForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    description = forms.CharField(max_length=500, required=False, help_text="What the folder's templates are for.")


class EmailTemplateForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    folder = forms.ModelChoiceField(
        queryset=EmailFolder.objects.order_by("name"), required=False, empty_label="— No folder —"
    )
    description = forms.CharField(max_length=500, required=False, help_text="When to use this template.")
    subject = forms.CharField(max_length=255, help_text=MERGE_HELP)
    body_text = forms.CharField(
        label="Text body",
        widget=forms.Textarea(attrs={"rows": 9}),
        max_length=32000,
        help_text="Shown by mail programs without HTML, and used for the text part of every email.",
    )
    body_html = forms.CharField(
        label="HTML body",
        widget=forms.Textarea(attrs={"rows": 9, "spellcheck": "false"}),
        max_length=100000,
        required=False,
        help_text="Optional. Scripts, event handlers and unsafe links are removed when you save.",
    )
    is_active = forms.BooleanField(
        label="Active", required=False, initial=True, help_text="Only active templates can be chosen."
    )

    @classmethod
    def initial_from(cls, template: EmailTemplate) -> dict:
        return {
            "name": template.name,
            "folder": template.folder_id,
            "description": template.description,
            "subject": template.subject,
            "body_text": template.body_text,
            "body_html": template.body_html,
            "is_active": template.is_active,
        }


class PreviewForm(forms.Form):
    lead = forms.IntegerField(label="Lead", min_value=1, help_text="The lead whose fields fill the merge fields.")


class AutoResponseRuleForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    description = forms.CharField(max_length=500, required=False)


class AutoResponseSettingsForm(forms.Form):
    default_template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="— No default response —",
        help_text="Sent when no entry of the active rule matches the lead.",
    )
    default_from_name = forms.CharField(label="From name", max_length=120, required=False)
    default_from_address = forms.EmailField(
        label="From address", required=False, help_text="Leave blank to use the system's sender address."
    )
    default_reply_to = forms.EmailField(label="Reply-to", required=False)


CRITERIA_ROWS = 5
SELECT = {"class": "form-select form-select-sm"}


class AutoResponseEntryForm(forms.Form):
    """An entry: up to N criteria rows (field, operator, value), filter logic, template, sender."""

    sort_order = forms.IntegerField(label="Order", min_value=1, required=False, help_text="1 is evaluated first.")
    filter_logic = forms.CharField(
        max_length=500,
        required=False,
        help_text="Optional, such as (1 AND 2) OR 3. Blank means all criteria must match.",
    )
    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.filter(is_active=True).order_by("name"),
        help_text="The email sent to leads that match.",
    )
    from_name = forms.CharField(max_length=120, required=False)
    from_address = forms.EmailField(required=False, help_text="Leave blank to use the system's sender address.")
    reply_to = forms.EmailField(required=False)

    def __init__(self, *args, rows: int = CRITERIA_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        specs = field_specs("lead")
        field_choices = [("", "--None--")] + [(name, spec.label) for name, spec in specs.items()]
        operator_choices = [("", "--None--")] + [(op, OPERATOR_LABELS[op]) for op in OPERATORS]
        self.rows = rows
        for n in range(1, rows + 1):
            self.fields[f"field_{n}"] = forms.ChoiceField(
                label=f"Field {n}", choices=field_choices, required=False, widget=forms.Select(attrs=SELECT)
            )
            self.fields[f"operator_{n}"] = forms.ChoiceField(
                label=f"Operator {n}", choices=operator_choices, required=False, widget=forms.Select(attrs=SELECT)
            )
            self.fields[f"value_{n}"] = forms.CharField(
                label=f"Value {n}",
                max_length=1000,
                required=False,
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
                help_text="Several values (includes / excludes): separate them with commas.",
            )

    @staticmethod
    def initial_from(entry, rows: int) -> dict:
        initial = {
            "sort_order": entry.sort_order,
            "filter_logic": entry.filter_logic,
            "template": entry.template_id,
            "from_name": entry.from_name,
            "from_address": entry.from_address,
            "reply_to": entry.reply_to,
        }
        for n, criterion in enumerate(entry.criteria or [], start=1):
            if n > rows:
                break
            value = criterion.get("value")
            initial[f"field_{n}"] = criterion.get("field")
            initial[f"operator_{n}"] = criterion.get("operator")
            initial[f"value_{n}"] = ", ".join(value) if isinstance(value, list) else (value or "")
        return initial

    def criteria_rows(self):
        return [(self[f"field_{n}"], self[f"operator_{n}"], self[f"value_{n}"], n) for n in range(1, self.rows + 1)]

    def clean(self):
        cleaned = super().clean()
        criteria = []
        for n in range(1, self.rows + 1):
            field, operator = cleaned.get(f"field_{n}"), cleaned.get(f"operator_{n}")
            value = (cleaned.get(f"value_{n}") or "").strip()
            if not field and not operator and not value:
                continue
            if not field or not operator:
                self.add_error(f"field_{n}", f"Row {n}: choose a field and an operator.")
                continue
            if operator in VALUELESS:
                parsed = None
            elif operator in {"includes", "excludes"}:
                parsed = [v.strip() for v in value.split(",") if v.strip()]
            else:
                parsed = value
            criteria.append({"field": field, "operator": operator, "value": parsed})
        cleaned["criteria"] = criteria
        return cleaned


class SendEmailForm(forms.Form):
    """ "Send Email" on a record page: a template, or a subject and message."""

    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.none(),
        required=False,
        empty_label="— Write my own message —",
        help_text="A template is merged with this record's fields.",
        widget=forms.Select(attrs={"autofocus": True}),
    )
    subject = forms.CharField(
        max_length=255, required=False, help_text="Subject and message are used when no template is chosen."
    )
    body_text = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 8}), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates
