"""Forms of the emails pages: input shape only; services validate and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import apply_service_errors as apply_service_errors  # re-exported: leads.email_views uses it
from core.rules.forms import RuleEntryForm

from .models import EmailFolder, EmailTemplate

MERGE_HELP = "Merge fields such as {{Lead.FirstName|there}} (the text after | is used when the field is blank)."


class FolderForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    description = forms.CharField(max_length=500, required=False, help_text=_("What the folder's templates are for."))


class EmailTemplateForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    folder = forms.ModelChoiceField(
        queryset=EmailFolder.objects.order_by("name"), required=False, empty_label=_("— No folder —")
    )
    description = forms.CharField(max_length=500, required=False, help_text=_("When to use this template."))
    subject = forms.CharField(max_length=255, help_text=MERGE_HELP)
    body_text = forms.CharField(
        label=_("Text body"),
        widget=forms.Textarea(attrs={"rows": 9}),
        max_length=32000,
        help_text=_("Shown by mail programs without HTML, and used for the text part of every email."),
    )
    body_html = forms.CharField(
        label=_("HTML body"),
        widget=forms.Textarea(attrs={"rows": 9, "spellcheck": "false"}),
        max_length=100000,
        required=False,
        help_text=_("Optional. Scripts, event handlers and unsafe links are removed when you save."),
    )
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, help_text=_("Only active templates can be chosen.")
    )
    is_marketing = forms.BooleanField(
        label=_("Marketing"),
        required=False,
        help_text=_(
            "Marketing emails carry an unsubscribe link and are never sent to people who opted out. "
            "Leave unticked for notifications and replies."
        ),
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
            "is_marketing": template.is_marketing,
        }


class PreviewForm(forms.Form):
    lead = forms.IntegerField(label=_("Lead"), min_value=1, help_text=_("The lead whose fields fill the merge fields."))


class AutoResponseSettingsForm(forms.Form):
    default_template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label=_("— No default response —"),
        help_text=_("Sent when no entry of the active rule matches the lead."),
    )
    default_from_name = forms.CharField(label=_("From name"), max_length=120, required=False)
    default_from_address = forms.EmailField(
        label=_("From address"), required=False, help_text=_("Leave blank to use the system's sender address.")
    )
    default_reply_to = forms.EmailField(label=_("Reply-to"), required=False)


class AutoResponseEntryForm(RuleEntryForm):
    """An entry: the criteria rows and filter logic (shared by every kind of rule), where it goes
    in the order, and the email it sends."""

    object_name = "lead"

    sort_order = forms.IntegerField(label=_("Order"), min_value=1, required=False, help_text=_("1 is evaluated first."))
    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.filter(is_active=True).order_by("name"),
        help_text=_("The email sent to leads that match."),
    )
    from_name = forms.CharField(max_length=120, required=False)
    from_address = forms.EmailField(required=False, help_text=_("Leave blank to use the system's sender address."))
    reply_to = forms.EmailField(required=False)

    @classmethod
    def action_initial(cls, entry) -> dict:
        return {
            "template": entry.template_id,
            "from_name": entry.from_name,
            "from_address": entry.from_address,
            "reply_to": entry.reply_to,
        }


class SendEmailForm(forms.Form):
    """ "Send Email" on a record page: a template, or a subject and message."""

    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.none(),
        required=False,
        empty_label=_("— Write my own message —"),
        help_text=_("A template is merged with this record's fields."),
        widget=forms.Select(attrs={"autofocus": True}),
    )
    subject = forms.CharField(
        max_length=255, required=False, help_text=_("Subject and message are used when no template is chosen.")
    )
    body_text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates
