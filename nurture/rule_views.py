"""Setup pages of enrolment rules: the shared rule pages of ``core.rules`` with this kind's names."""

from django.db.models import Count
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

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


@setup_admin_required
@require_http_methods(["GET", "POST"])
def rule_create(request):
    return rule_views.rule_form_page(request, kind=ENROLMENT, pages=PAGES)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int):
    return rule_views.rule_form_page(request, kind=ENROLMENT, pages=PAGES, rule=get_object_or_404(EnrolmentRule, pk=pk))


@setup_admin_required
def rule_detail(request, pk: int):
    rule = get_object_or_404(EnrolmentRule, pk=pk)
    return rule_views.rule_detail_page(
        request,
        kind=ENROLMENT,
        pages=PAGES,
        rule=rule,
        entries=rule.entries.select_related("sequence").order_by("sort_order", "id"),
        template="nurture/rule_detail.html",
    )


@setup_admin_required
@require_POST
def rule_activate(request, pk: int):
    return rule_views.rule_activate_view(
        request, kind=ENROLMENT, pages=PAGES, rule=get_object_or_404(EnrolmentRule, pk=pk)
    )


@setup_admin_required
@require_POST
def rule_delete(request, pk: int):
    return rule_views.rule_delete_view(
        request, kind=ENROLMENT, pages=PAGES, rule=get_object_or_404(EnrolmentRule, pk=pk)
    )


def _entry_form_page(request, *, rule, entry=None):
    return rule_views.entry_form_page(
        request,
        kind=ENROLMENT,
        pages=PAGES,
        form_class=EnrolmentEntryForm,
        rule=rule,
        entry=entry,
        template="nurture/rule_entry_form.html",
    )


@setup_admin_required
@require_http_methods(["GET", "POST"])
def entry_create(request, pk: int):
    return _entry_form_page(request, rule=get_object_or_404(EnrolmentRule, pk=pk))


@setup_admin_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, pk: int):
    entry = get_object_or_404(EnrolmentRuleEntry.objects.select_related("rule"), pk=pk)
    return _entry_form_page(request, rule=entry.rule, entry=entry)


@setup_admin_required
@require_POST
def entry_delete(request, pk: int):
    entry = get_object_or_404(EnrolmentRuleEntry, pk=pk)
    return rule_views.entry_delete_view(request, kind=ENROLMENT, pages=PAGES, entry=entry)


@setup_admin_required
@require_POST
def entry_move(request, pk: int):
    entry = get_object_or_404(EnrolmentRuleEntry, pk=pk)
    return rule_views.entry_move_view(request, kind=ENROLMENT, pages=PAGES, entry=entry)
