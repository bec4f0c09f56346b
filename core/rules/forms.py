"""The forms every kind of rule shares: the rule's name, and an entry's criteria rows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.criteria import OPERATOR_LABELS, OPERATORS, TYPE_OPERATORS, VALUELESS, field_specs

SELECT_SM = {"class": "form-select form-select-sm"}
INPUT_SM = {"class": "form-control form-control-sm", "autocomplete": "off"}
DEFAULT_ROWS = 5
EXTRA_ROWS = 3
MAX_ROWS = 25


class RuleForm(forms.Form):
    name = forms.CharField(max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    description = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    @staticmethod
    def initial_from(rule) -> dict:
        return {"name": rule.name, "description": rule.description} if rule else {}


class RuleEntryForm(forms.Form):
    """An entry's criteria: rows of (field, operator, value), blank rows ignored, and the filter
    logic. A kind subclasses it with its action fields (``action_initial`` fills them)."""

    object_name = "lead"

    filter_logic = forms.CharField(
        max_length=1000,
        required=False,
        help_text=_("Optional, such as (1 AND 2) OR 3. Blank means every criterion must be met."),
    )

    def __init__(self, *args, rows: int = DEFAULT_ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        specs = self.specs()
        field_choices = [("", "--None--")] + [(name, spec.label) for name, spec in specs.items()]
        operator_choices = [("", "--None--")] + [(op, OPERATOR_LABELS[op]) for op in OPERATORS]
        self.rows = min(max(rows, 1), MAX_ROWS)
        for n in range(1, self.rows + 1):
            self.fields[f"field_{n}"] = forms.ChoiceField(
                label=_("Field %(n)s") % {"n": n},
                choices=field_choices,
                required=False,
                widget=forms.Select(attrs={**SELECT_SM, "data-criteria-field": n}),
            )
            self.fields[f"operator_{n}"] = forms.ChoiceField(
                label=_("Operator %(n)s") % {"n": n},
                choices=operator_choices,
                required=False,
                widget=forms.Select(attrs={**SELECT_SM, "data-criteria-operator": n}),
            )
            self.fields[f"value_{n}"] = forms.CharField(
                label=_("Value %(n)s") % {"n": n},
                max_length=2000,
                required=False,
                widget=forms.TextInput(attrs={**INPUT_SM, "data-criteria-value": n}),
            )

    @classmethod
    def build(cls, data=None, *, entry=None, **kwargs) -> RuleEntryForm:
        """The form of a new or saved entry; a posted form keeps the rows added in the page."""
        rows = max(DEFAULT_ROWS, len(entry.criteria or []) + EXTRA_ROWS) if entry else DEFAULT_ROWS
        if data is not None:
            posted = str(data.get("rows", ""))
            return cls(data, rows=int(posted) if posted.isdigit() else rows, **kwargs)
        return cls(rows=rows, initial=cls.initial_from(entry) if entry else None, **kwargs)

    @classmethod
    def initial_from(cls, entry) -> dict:
        initial = {"filter_logic": entry.filter_logic, **cls.action_initial(entry)}
        for n, criterion in enumerate(entry.criteria or [], start=1):
            if not isinstance(criterion, dict) or n > MAX_ROWS:
                continue
            value = criterion.get("value")
            initial[f"field_{n}"] = criterion.get("field")
            initial[f"operator_{n}"] = criterion.get("operator")
            initial[f"value_{n}"] = ", ".join(value) if isinstance(value, list) else (value or "")
        return initial

    @classmethod
    def action_initial(cls, entry) -> dict:
        return {}

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
                self.add_error(f"field_{n}", _("Row %(n)s: choose a field and an operator.") % {"n": n})
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

    def specs(self) -> dict:
        """The fields the criteria may test (a subclass may add some)."""
        return field_specs(self.object_name)

    def lookup_values(self) -> list[list[str]]:
        """The choices offered for a lookup field's value (such as Lead Owner), as [key, label]."""
        return []

    def field_info(self) -> dict:
        """For the criteria rows' script: each field's type, fitting operators and values."""
        lookups = self.lookup_values()
        return {
            name: {
                "type": spec.field_type,
                "operators": list(TYPE_OPERATORS.get(spec.field_type, ())),
                "values": lookups
                if spec.field_type == "lookup"
                else [[api, label] for api, label in spec.picklist_labels.items()],
            }
            for name, spec in self.specs().items()
        }
