"""The app has an icon: at /favicon.ico, where browsers look for it, and in every page's head."""

from django.urls import reverse


def test_favicon_ico_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content if icon.streaming else [icon.content]).startswith(b"\x00\x00\x01\x00")


def test_pages_link_the_icon(client, rep):
    client.force_login(rep)

    body = client.get(reverse("leads:list")).content.decode()

    assert 'rel="icon" href="/static/favicon.ico"' in body
    assert 'href="/static/favicon.svg" type="image/svg+xml"' in body
