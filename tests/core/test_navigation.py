from core.navigation import menu


def test_the_longest_matching_menu_entry_is_active(db):
    nav = menu(admin=False, sysadmin=False, path="/leads/queues/3/")

    active = [item["label"] for item in nav["main"] if item.get("active")]
    assert active == ["Queues"]


def test_setup_entries_are_only_for_admins(db):
    rep_nav = menu(admin=False, sysadmin=False, path="/")
    admin_nav = menu(admin=True, sysadmin=False, path="/")

    assert [i["label"] for i in rep_nav["setup"]] == ["API Docs"]
    assert "Picklists" in [i["label"] for i in admin_nav["setup"]]
    assert "Sharing Settings" not in [i["label"] for i in admin_nav["setup"]]
