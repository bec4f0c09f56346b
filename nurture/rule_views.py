"""Setup pages of enrolment rules: the shared rule pages of ``core.rules`` with this kind's names."""

from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from core.roles import setup_admin_required
from core.rules import views as rule_views
from core.rules.views import RulePages

from .forms import EnrolmentEntryForm
from .models import EnrolmentRule, EnrolmentRuleEntry
from .services import ENROLMENT

PAGES = RulePages(
    title=gettext_lazy("Enrolment Rules"),
    eyebrow=gettext_lazy("Nurture Enrolment Rule"),
    icon="water",
    list="nurture:rule_list",
    detail="nurture:rule_detail",
    create="nurture:rule_create",
    edit="nurture:rule_edit",
    activate="nurture:rule_activate",
    delete="nurture:rule_delete",
    entry_create="nurture:entry_create",
    entry_edit="nurture:entry_edit",
    entry_move="nurture:entry_move",
    entry_delete="nurture:entry_delete",
)


@setup_admin_required
def rule_list(request):
    rules = EnrolmentRule.objects.annotate(entry_count=Count("entries")).order_by("name")
    return render(request, "nurture/rule_list.html", {"rules": rules})


VIEWS = rule_views.kind_views(
    kind=ENROLMENT,
    pages=PAGES,
    rule_model=EnrolmentRule,
    entry_model=EnrolmentRuleEntry,
    entry_form=EnrolmentEntryForm,
    entry_template="nurture/rule_entry_form.html",
    detail_template="nurture/rule_detail.html",
    entries=lambda rule: rule.entries.select_related("sequence").order_by("sort_order", "id"),
)
rule_create, rule_edit, rule_detail = VIEWS.rule_create, VIEWS.rule_edit, VIEWS.rule_detail
rule_activate, rule_delete = VIEWS.rule_activate, VIEWS.rule_delete
entry_create, entry_edit, entry_delete, entry_move = (
    VIEWS.entry_create,
    VIEWS.entry_edit,
    VIEWS.entry_delete,
    VIEWS.entry_move,
)
