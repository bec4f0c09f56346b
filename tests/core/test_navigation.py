import re
from pathlib import Path

from django.urls import reverse

from leadcrm.navigation import menu


def test_the_longest_matching_menu_entry_is_active(db):
    nav = menu(admin=False, sysadmin=False, path="/leads/queues/3/")

    active = [item["label"] for item in nav["main"] if item.get("active")]
    assert active == ["Queues"]


def test_setup_entries_are_only_for_admins(db):
    rep_nav = menu(admin=False, sysadmin=False, path="/")
    admin_nav = menu(admin=True, sysadmin=False, path="/")

    # Every user reaches their own bulk API jobs and the API docs; the rest of Setup is for admins.
    assert [i["label"] for i in rep_nav["setup"]] == ["Bulk Data Load Jobs", "API Docs"]
    assert "Picklists" in [i["label"] for i in admin_nav["setup"]]
    assert "Sharing Settings" not in [i["label"] for i in admin_nav["setup"]]


def test_core_names_no_page_of_a_higher_app():
    core = Path(__file__).resolve().parents[2] / "core"
    higher = re.compile(r"""["'](leads|sales|emails|webtolead|conversion):\w+["']""")

    offenders = [
        f"{path.relative_to(core.parent)}: {match.group(0)}"
        for path in core.rglob("*.py")
        for match in higher.finditer(path.read_text())
    ]

    assert offenders == []


def test_every_page_gets_the_menu_of_the_signed_in_user(client, marketing_admin):
    client.force_login(marketing_admin)

    response = client.get(reverse("leads:list"))

    nav = response.context["nav"]
    assert [i["label"] for i in nav["main"] if i.get("active")] == ["Leads"]
    assert "Picklists" in [i["label"] for i in nav["setup"]]
    assert response.context["role_label"] == "Marketing admin"


def test_the_home_page_is_the_dashboard_of_the_users_role(client, rep):
    client.force_login(rep)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert response.context["dashboard"].name == "Sales rep home"


def test_less_used_entries_sit_under_more_and_can_be_active_there(db):
    nav = menu(admin=False, sysadmin=False, path="/recycle-bin/")

    assert "Recycle Bin" in [i["label"] for i in nav["more"]]
    assert "Recycle Bin" not in [i["label"] for i in nav["main"]]
    assert [i["label"] for i in nav["more"] if i.get("active")] == ["Recycle Bin"]
