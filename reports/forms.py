"""The report builder's form: the criteria rows every rule has (``core.rules.forms``), plus
columns, groupings, summaries, chart type, folder and sharing."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from core.rules.forms import DEFAULT_ROWS, EXTRA_ROWS, SELECT_SM, RuleEntryForm
from leads.selectors import owner_choices

from .builder import FUNCTION_CHOICES, NUMBER_TYPES, OBJECTS, PERIOD_CHOICES, report_fields
from .models import ReportFolder, SavedReport

MAX_SUMMARY_ROWS = 2


class ReportBuilderForm(RuleEntryForm):
    name = forms.CharField(label=_("Report name"), max_length=120, widget=forms.TextInput(attrs={"autofocus": True}))
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    chart_type = forms.ChoiceField(
        label=_("Chart"), choices=SavedReport.ChartType.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    folder = forms.ChoiceField(label=_("Folder"), required=False, widget=forms.Select(attrs={"class": "form-select"}))
    new_folder = forms.CharField(label=_("or a new folder"), max_length=120, required=False)
    sharing = forms.ChoiceField(
        label=_("Sharing"), choices=SavedReport.Sharing.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    shared_role = forms.ChoiceField(
        label=_("Role"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, object_name: str = "lead", **kwargs):
        self.object_name = object_name
        super().__init__(*args, **kwargs)
        specs = self.specs()
        field_choices = [(name, spec.label) for name, spec in specs.items()]
        self.fields["columns"].choices = field_choices
        for n in (1, 2):
            self.fields[f"group_{n}"] = forms.ChoiceField(
                label=_("Group by (%(n)s)") % {"n": n},
                choices=[("", _("(none)")), *field_choices],
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"period_{n}"] = forms.ChoiceField(
                label=_("Date period (%(n)s)") % {"n": n},
                choices=PERIOD_CHOICES,
                required=False,
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        numbers = [(name, spec.label) for name, spec in specs.items() if spec.field_type in NUMBER_TYPES]
        for n in range(1, MAX_SUMMARY_ROWS + 1):
            self.fields[f"function_{n}"] = forms.ChoiceField(
                label=_("Summary (%(n)s)") % {"n": n},
                choices=[("", _("(none)")), *FUNCTION_CHOICES],
                required=False,
                widget=forms.Select(attrs=SELECT_SM),
            )
            self.fields[f"summary_field_{n}"] = forms.ChoiceField(
                label=_("of field (%(n)s)") % {"n": n},
                choices=[("", _("(none)")), *numbers],
                required=False,
                widget=forms.Select(attrs=SELECT_SM),
            )
        self.fields["folder"].choices = [("", _("(no folder)"))] + [
            (str(f.pk), f.name) for f in ReportFolder.objects.all()
        ]
        self.fields["shared_role"].choices = [("", _("(choose a role)"))] + [
            (str(g.pk), g.name) for g in Group.objects.order_by("name")
        ]
        for name in ("name", "description", "new_folder", "filter_logic"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    def specs(self) -> dict:
        return report_fields(self.object_name)

    def lookup_values(self) -> list[list[str]]:
        return [[key, label] for _group, choices in owner_choices() for key, label in choices]

    @classmethod
    def for_report(cls, data=None, *, report: SavedReport | None = None, object_name: str = "lead"):
        if report is not None:
            object_name = report.object_name
        rows = max(DEFAULT_ROWS, len(report.criteria or []) + EXTRA_ROWS) if report else DEFAULT_ROWS
        if data is not None:
            posted = str(data.get("rows", ""))
            return cls(data, rows=int(posted) if posted.isdigit() else rows, object_name=object_name)
        initial = cls.report_initial(report) if report else {"chart_type": "bar", "sharing": "private"}
        return cls(rows=rows, initial=initial, object_name=object_name)

    @classmethod
    def report_initial(cls, report: SavedReport) -> dict:
        initial = cls.initial_from(report)
        initial.update(
            name=report.name,
            description=report.description,
            columns=report.columns,
            chart_type=report.chart_type,
            folder=str(report.folder_id or ""),
            sharing=report.sharing,
            shared_role=str(report.shared_role_id or ""),
        )
        for n, grouping in enumerate(report.groupings, start=1):
            initial[f"group_{n}"], initial[f"period_{n}"] = grouping["field"], grouping["period"]
        for n, summary in enumerate(report.summaries[:MAX_SUMMARY_ROWS], start=1):
            initial[f"function_{n}"], initial[f"summary_field_{n}"] = summary["function"], summary["field"]
        return initial

    def definition_data(self) -> dict:
        """What the service takes (``saved_report_create`` / ``saved_report_update``)."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data.get("description", ""),
            "object_name": self.object_name,
            "columns": data.get("columns") or [],
            "criteria": data.get("criteria", []),
            "filter_logic": data.get("filter_logic", ""),
            "groupings": [
                {"field": data[f"group_{n}"], "period": data.get(f"period_{n}") or ""}
                for n in (1, 2)
                if data.get(f"group_{n}")
            ],
            "summaries": [
                {"function": data[f"function_{n}"], "field": data.get(f"summary_field_{n}")}
                for n in range(1, MAX_SUMMARY_ROWS + 1)
                if data.get(f"function_{n}")
            ],
            "chart_type": data["chart_type"],
            "folder": data.get("folder") or None,
            "new_folder": data.get("new_folder", ""),
            "sharing": data["sharing"],
            "shared_role": data.get("shared_role") or None,
        }


class ObjectChoiceForm(forms.Form):
    object = forms.ChoiceField(
        label=_("Report on"),
        choices=[(o.name, o.label) for o in OBJECTS.values()],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
