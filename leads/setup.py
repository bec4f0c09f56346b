"""Seeding of the roles (groups with permissions), run after migrations."""

from django.contrib.auth.models import Group, Permission

from core.roles import MARKETING_ADMIN, SALES_REP, SYSTEM_ADMIN

# Permission codenames per role; "app.codename". Later apps add theirs in their own ready().
ROLE_PERMISSIONS: dict[str, set[str]] = {
    SALES_REP: {
        "leads.view_lead",
        "leads.add_lead",
        "leads.change_lead",
        "leads.delete_lead",
        "leads.view_queue",
        "leads.add_leadnote",
        "leads.view_leadnote",
    },
    MARKETING_ADMIN: {
        "leads.view_lead",
        "leads.add_lead",
        "leads.change_lead",
        "leads.delete_lead",
        "leads.view_queue",
        "leads.add_queue",
        "leads.change_queue",
        "leads.delete_queue",
        "leads.add_leadnote",
        "leads.view_leadnote",
        "core.view_picklistvalue",
        "core.add_picklistvalue",
        "core.change_picklistvalue",
        "core.delete_picklistvalue",
        "core.view_fielddefinition",
        "core.add_fielddefinition",
        "core.change_fielddefinition",
    },
    SYSTEM_ADMIN: {"*", "leads.view_edit_converted_lead"},
}


def grant(role: str, *perms: str) -> None:
    """Let a later app give a role its own permissions (called from that app's ready())."""
    ROLE_PERMISSIONS.setdefault(role, set()).update(perms)


def ensure_roles(**kwargs) -> None:
    all_perms = Permission.objects.select_related("content_type")
    by_name = {f"{p.content_type.app_label}.{p.codename}": p for p in all_perms}
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms = list(by_name.values()) if "*" in wanted else [by_name[n] for n in wanted if n in by_name]
        group.permissions.add(*perms)
