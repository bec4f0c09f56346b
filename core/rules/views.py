"""The pages every kind of rule shares: the rule form, the rule page with its entries, the entry
form, and the buttons that activate, delete and reorder. A kind's views check the permission,
fetch the records and call these with its ``RuleKind`` and ``RulePages``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.criteria import describe, field_specs
from core.forms import apply_service_errors
from core.roles import setup_admin_required

from . import services
from .forms import MAX_ROWS, RuleEntryForm, RuleForm
from .kinds import RuleKind


@dataclass(frozen=True)
class RulePages:
    """Where a kind's pages are (URL names) and how they are titled."""

    title: str  # the list page: "Assignment Rules"
    eyebrow: str  # above a rule's name: "Lead Assignment Rule"
    icon: str  # a Bootstrap icon name
    list: str
    detail: str
    create: str
    edit: str
    activate: str
    delete: str
    entry_create: str
    entry_edit: str
    entry_move: str
    entry_delete: str
    # Whether the entry edit URL takes the rule's id before the entry's.
    entry_edit_takes_rule: bool = False

    def rule_urls(self, rule) -> dict[str, str]:
        urls = {"list": reverse(self.list), "create": reverse(self.create)}
        if rule is not None and rule.pk:
            urls.update(
                {
                    name: reverse(getattr(self, name), args=[rule.pk])
                    for name in ("detail", "edit", "activate", "delete", "entry_create")
                }
            )
        return urls

    def entry_urls(self, entry) -> dict[str, str]:
        edit_args = [entry.rule_id, entry.pk] if self.entry_edit_takes_rule else [entry.pk]
        return {
            "edit": reverse(self.entry_edit, args=edit_args),
            "move": reverse(self.entry_move, args=[entry.pk]),
            "delete": reverse(self.entry_delete, args=[entry.pk]),
        }


def _text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def rule_form_page(
    request: HttpRequest, *, kind: RuleKind, pages: RulePages, rule=None, template: str = "core/rules/rule_form.html"
) -> HttpResponse:
    """Create a rule (``rule`` None) or rename it."""
    form = RuleForm(request.POST or None, initial=RuleForm.initial_from(rule))
    if request.method == "POST" and form.is_valid():
        try:
            if rule is not None:
                saved = services.rule_update(kind=kind, rule=rule, acting_user=request.user, **form.cleaned_data)
            else:
                saved = services.rule_create(kind=kind, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if rule is not None:
                messages.success(request, _("The rule “%(name)s” was saved.") % {"name": saved.name})
            else:
                messages.success(request, _("The rule “%(name)s” was created. Add its entries.") % {"name": saved.name})
            return redirect(pages.detail, pk=saved.pk)
    return render(request, template, {"form": form, "rule": rule, "pages": pages, "urls": pages.rule_urls(rule)})


def rule_detail_page(
    request: HttpRequest,
    *,
    kind: RuleKind,
    pages: RulePages,
    rule,
    entries,
    template: str,
    named: Callable[[dict], dict] | None = None,
    extra: Callable[[object], dict] | None = None,
    context: dict | None = None,
) -> HttpResponse:
    """The rule with its entries in order (criteria in words) and what keeps entries from acting.

    ``named`` rewrites a criterion for display (an owner's key as their name); ``extra`` adds a
    kind's own columns to each entry's row."""
    specs = field_specs(kind.object_name)
    rows = [
        {
            "entry": entry,
            "criteria": [describe(named(c) if named else c, specs) for c in entry.criteria or []],
            "urls": pages.entry_urls(entry),
            **(extra(entry) if extra else {}),
        }
        for entry in entries
    ]
    problems = [
        _("Entry %(number)s: %(problem)s") % {"number": entry.sort_order, "problem": message}
        for entry, message in services.entry_problems(kind=kind, rule=rule)
    ]
    return render(
        request,
        template,
        {
            "rule": rule,
            "entries": rows,
            "problems": problems,
            "pages": pages,
            "urls": pages.rule_urls(rule),
            **(context or {}),
        },
    )


def rule_activate_view(request: HttpRequest, *, kind: RuleKind, pages: RulePages, rule) -> HttpResponse:
    """Activate the rule, or (``active=0``) deactivate it."""
    try:
        if request.POST.get("active") == "0":
            services.rule_deactivate(kind=kind, rule=rule, acting_user=request.user)
            messages.success(
                request, _("The rule “%(name)s” is inactive: no rule of its kind runs now.") % {"name": rule.name}
            )
        else:
            services.rule_activate(kind=kind, rule=rule, acting_user=request.user)
            messages.success(request, _("The rule “%(name)s” is now the active rule.") % {"name": rule.name})
    except ValidationError as exc:
        messages.error(request, _text(exc))
    return redirect(pages.detail, pk=rule.pk)


def rule_delete_view(request: HttpRequest, *, kind: RuleKind, pages: RulePages, rule) -> HttpResponse:
    try:
        services.rule_delete(kind=kind, rule=rule, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _text(exc))
        return redirect(pages.detail, pk=rule.pk)
    messages.success(request, _("The rule “%(name)s” was deleted.") % {"name": rule.name})
    return redirect(pages.list)


def entry_form_page(
    request: HttpRequest,
    *,
    kind: RuleKind,
    pages: RulePages,
    form_class: type[RuleEntryForm],
    rule,
    entry=None,
    template: str,
) -> HttpResponse:
    """Create an entry (``entry`` None; the form's ``sort_order``, if any, places it) or change it."""
    form = form_class.build(request.POST if request.method == "POST" else None, entry=entry)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if entry is None:
                saved = services.entry_create(
                    kind=kind, rule=rule, data=data, position=data.get("sort_order"), acting_user=request.user
                )
            else:
                saved = services.entry_update(kind=kind, entry=entry, data=data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Entry %(number)s of “%(rule)s” was saved.") % {"number": saved.sort_order, "rule": rule.name},
            )
            return redirect(pages.detail, pk=rule.pk)
    return render(
        request,
        template,
        {
            "rule": rule,
            "entry": entry,
            "form": form,
            "field_info": form.field_info(),
            "max_rows": MAX_ROWS,
            "pages": pages,
            "urls": pages.rule_urls(rule),
        },
    )


def entry_delete_view(request: HttpRequest, *, kind: RuleKind, pages: RulePages, entry) -> HttpResponse:
    services.entry_delete(kind=kind, entry=entry, acting_user=request.user)
    messages.success(request, _("Entry %(number)s was deleted.") % {"number": entry.sort_order})
    return redirect(pages.detail, pk=entry.rule_id)


def entry_move_view(request: HttpRequest, *, kind: RuleKind, pages: RulePages, entry) -> HttpResponse:
    direction = -1 if request.POST.get("direction") == "up" else 1
    services.entry_move(kind=kind, entry=entry, direction=direction, acting_user=request.user)
    messages.success(request, _("The entries were reordered."))
    return redirect(pages.detail, pk=entry.rule_id)


def kind_views(
    *,
    kind: RuleKind,
    pages: RulePages,
    rule_model,
    entry_model,
    entry_form,
    entry_template: str,
    detail_template: str,
    entries: Callable[[object], object],
    extra: Callable[[object], dict] | None = None,
    detail_context: Callable[[], dict] | None = None,
) -> SimpleNamespace:
    """The Setup views of one kind's rules, for setup admins: ``rule_create``, ``rule_edit``,
    ``rule_detail`` (``entries(rule)`` in order, ``extra`` adding the kind's own columns and
    ``detail_context`` what else its page shows),
    ``rule_activate``, ``rule_delete``, ``entry_create`` (the rule's id in the URL), ``entry_edit``,
    ``entry_delete`` and ``entry_move``. A kind routes them under its own URL names (``pages``)."""

    def rule_of(pk: int):
        return get_object_or_404(rule_model, pk=pk)

    def entry_page(request: HttpRequest, *, rule, entry=None) -> HttpResponse:
        return entry_form_page(
            request, kind=kind, pages=pages, form_class=entry_form, rule=rule, entry=entry, template=entry_template
        )

    @setup_admin_required
    @require_http_methods(["GET", "POST"])
    def rule_create(request: HttpRequest) -> HttpResponse:
        return rule_form_page(request, kind=kind, pages=pages)

    @setup_admin_required
    @require_http_methods(["GET", "POST"])
    def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
        return rule_form_page(request, kind=kind, pages=pages, rule=rule_of(pk))

    @setup_admin_required
    def rule_detail(request: HttpRequest, pk: int) -> HttpResponse:
        rule = rule_of(pk)
        return rule_detail_page(
            request,
            kind=kind,
            pages=pages,
            rule=rule,
            entries=entries(rule),
            template=detail_template,
            extra=extra,
            context=detail_context() if detail_context else None,
        )

    @setup_admin_required
    @require_POST
    def rule_activate(request: HttpRequest, pk: int) -> HttpResponse:
        return rule_activate_view(request, kind=kind, pages=pages, rule=rule_of(pk))

    @setup_admin_required
    @require_POST
    def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
        return rule_delete_view(request, kind=kind, pages=pages, rule=rule_of(pk))

    @setup_admin_required
    @require_http_methods(["GET", "POST"])
    def entry_create(request: HttpRequest, pk: int) -> HttpResponse:
        return entry_page(request, rule=rule_of(pk))

    @setup_admin_required
    @require_http_methods(["GET", "POST"])
    def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
        entry = get_object_or_404(entry_model.objects.select_related("rule"), pk=pk)
        return entry_page(request, rule=entry.rule, entry=entry)

    @setup_admin_required
    @require_POST
    def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
        return entry_delete_view(request, kind=kind, pages=pages, entry=get_object_or_404(entry_model, pk=pk))

    @setup_admin_required
    @require_POST
    def entry_move(request: HttpRequest, pk: int) -> HttpResponse:
        return entry_move_view(request, kind=kind, pages=pages, entry=get_object_or_404(entry_model, pk=pk))

    return SimpleNamespace(
        rule_create=rule_create,
        rule_edit=rule_edit,
        rule_detail=rule_detail,
        rule_activate=rule_activate,
        rule_delete=rule_delete,
        entry_create=entry_create,
        entry_edit=entry_edit,
        entry_delete=entry_delete,
        entry_move=entry_move,
    )
