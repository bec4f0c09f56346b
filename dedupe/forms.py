"""Forms of duplicate management pages: input shape only (the services check the rules)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.rules.forms import RuleEntryForm

from .models import DuplicateAction, MatchingRule

PATH_LABELS = (
    ("action_page", _("Lead page")),
    ("action_api", _("API")),
    ("action_webtolead", _("Web-to-Lead")),
    ("action_import", _("Import")),
    ("action_bulk", _("Bulk API")),
)
INTERACTIVE = {"action_page", "action_api"}


class MatchingRuleForm(forms.Form):
    """A matching rule's input; ``matching_rule_create``/``_update`` check it as a whole."""

    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    email = forms.ChoiceField(
        label=_("Email"),
        choices=MatchingRule.Email.choices,
        required=False,
        help_text=_("Normalised ignores case and +tags."),
    )
    gmail_dots = forms.BooleanField(label=_("Ignore the dots of Gmail addresses"), required=False)
    phone = forms.BooleanField(label=_("Phone or mobile (E.164)"), required=False)
    company = forms.BooleanField(label=_("Company name (normalised)"), required=False)
    fuzzy_name = forms.BooleanField(label=_("First and last name (similar)"), required=False)
    name_threshold = forms.DecimalField(
        label=_("Name similarity threshold"),
        max_digits=3,
        decimal_places=2,
        initial=0.6,
        help_text=_("Between 0.3 and 1; 1 means the same name."),
    )
    include_contacts = forms.BooleanField(label=_("Match contacts too"), required=False, initial=True)

    @staticmethod
    def initial_from(rule) -> dict | None:
        if rule is None:
            return None
        names = ["name", "description", "email", "gmail_dots", "phone", "company", "fuzzy_name", "name_threshold"]
        return {name: getattr(rule, name) for name in [*names, "include_contacts"]}


class DuplicateEntryForm(RuleEntryForm):
    """A duplicate rule entry: the criteria rows, the matching rule and an action per entry point."""

    object_name = "lead"

    sort_order = forms.IntegerField(label=_("Order"), min_value=1, required=False, help_text=_("1 is evaluated first."))
    matching_rule = forms.ModelChoiceField(label=_("Matching rule"), queryset=MatchingRule.objects.order_by("name"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in PATH_LABELS:
            choices = [
                (value, text)
                for value, text in DuplicateAction.choices
                if not (name in INTERACTIVE and value == "attach")
            ]
            self.fields[name] = forms.ChoiceField(
                label=label, choices=choices, initial="alert" if name in INTERACTIVE else "allow"
            )

    @classmethod
    def action_initial(cls, entry) -> dict:
        return {"matching_rule": entry.matching_rule_id, **{name: getattr(entry, name) for name, _label in PATH_LABELS}}

    def action_fields(self):
        return [self[name] for name, _label in PATH_LABELS]


class MergeForm(forms.Form):
    """Which lead is the master and, per field, whose value it keeps (the page's radio buttons)."""

    master = forms.IntegerField()
