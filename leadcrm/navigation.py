"""The app menu. It names the pages of every app, so it lives in the project package, which may
know them all (``core`` names no higher app). An entry shows once its URL name exists, so each
app's pages appear in the menu as soon as that app routes them."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core.roles import is_marketing_admin, is_system_admin

# (label, url name, icon, who: "all" | "admin" | "sysadmin")
MAIN = [
    (_("Leads"), "leads:list", "person-lines-fill", "all"),
    (_("Queues"), "leads:queue_list", "inboxes", "all"),
    (_("Accounts"), "sales:account_list", "building", "all"),
    (_("Contacts"), "sales:contact_list", "person-vcard", "all"),
    (_("Opportunities"), "sales:opportunity_list", "trophy", "all"),
    (_("Campaigns"), "campaigns:list", "megaphone", "all"),
    (_("List Emails"), "listemail:list", "envelope-paper", "admin"),
    (_("My Tasks"), "activities:my_tasks", "check2-square", "all"),
    (_("Reports"), "reports:list", "bar-chart-line", "all"),
    (_("Dashboards"), "dashboards:list", "speedometer", "all"),
    (_("Queue Health"), "sla:queue_health", "heart-pulse", "all"),
    (_("Recycle Bin"), "core:recycle_bin", "trash", "all"),
]
SETUP = [
    (_("Picklists"), "core:picklist_list", "list-ul", "admin"),
    (_("Fields & Help Text"), "core:field_list", "input-cursor-text", "admin"),
    (_("Translations"), "core:translation_workbench", "translate", "admin"),
    (_("Sharing Settings"), "core:sharing", "shield-lock", "sysadmin"),
    (_("Users"), "users:user_list", "people", "sysadmin"),
    (_("Permission Sets"), "users:permission_set_list", "shield-check", "sysadmin"),
    (_("Queues"), "leads:queue_setup", "inboxes", "admin"),
    (_("Assignment Rules"), "leads:rule_list", "signpost-split", "admin"),
    (_("SLA Rules"), "sla:rule_list", "stopwatch", "admin"),
    (_("Business Hours"), "sla:business_hours_list", "clock", "admin"),
    (_("Lead Settings"), "leads:lead_settings", "sliders", "admin"),
    (_("Web-to-Lead"), "webtolead:form_list", "globe", "admin"),
    (_("Web-to-Lead Intake"), "webtolead:intake_list", "inbox", "admin"),
    (_("Engagement Tracking"), "engagement:settings", "activity", "admin"),
    (_("Consent"), "consent:setup", "shield-check", "admin"),
    (_("Scoring Models"), "scoring:model_list", "speedometer2", "admin"),
    (_("Alert Rules"), "scoring:alert_rule_list", "bell", "admin"),
    (_("Nurture Sequences"), "nurture:list", "water", "admin"),
    (_("Duplicate Rules"), "dedupe:rule_list", "intersect", "admin"),
    (_("Auto-Response Rules"), "emails:autoresponse_list", "reply-all", "admin"),
    (_("Email Templates"), "emails:template_list", "envelope-paper", "admin"),
    (_("Outbox"), "emails:outbox", "send", "admin"),
    (_("Webhooks"), "webhooks:endpoint_list", "broadcast", "sysadmin"),
    (_("Record Types"), "sales:recordtype_list", "tags", "admin"),
    (_("Lead Record Types"), "leads:recordtype_list", "signpost-2", "admin"),
    (_("Products"), "sales:product_list", "box-seam", "admin"),
    (_("Conversion Mapping"), "conversion:mapping", "arrow-left-right", "admin"),
    (_("Bulk Data Load Jobs"), "bulk:job_list", "database-up", "all"),
    (_("System Health"), "system_health", "heart-pulse", "admin"),
    (_("API Docs"), "api-docs", "braces", "all"),
]


def _resolve(entries, *, admin: bool, sysadmin: bool):
    items = []
    for label, name, icon, who in entries:
        if (who == "admin" and not admin) or (who == "sysadmin" and not sysadmin):
            continue
        try:
            items.append({"label": label, "url": reverse(name), "icon": icon, "name": name})
        except NoReverseMatch:
            continue
    return items


# Entries of the main menu shown under "More", so that the bar fits on a laptop screen.
MORE = {"listemail:list", "dashboards:list", "sla:queue_health", "core:recycle_bin"}


def menu(*, admin: bool, sysadmin: bool, path: str = "") -> dict:
    main = _resolve(MAIN, admin=admin, sysadmin=sysadmin)
    # The entry whose URL is the longest prefix of the current page is the active one
    # (/leads/queues/ is Queues, not Leads).
    matches = [item for item in main if path.startswith(item["url"])]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {
        "main": [item for item in main if item["name"] not in MORE],
        "more": [item for item in main if item["name"] in MORE],
        "setup": _resolve(SETUP, admin=admin, sysadmin=sysadmin),
    }


def navigation(request) -> dict:
    """Context processor: the menu of the signed-in user, with the current page marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": menu(admin=is_marketing_admin(user), sysadmin=is_system_admin(user), path=request.path)}
