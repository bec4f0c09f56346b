import re

import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_schema_generates_and_describes_the_lead_endpoints(client, rep):
    client.force_login(rep)

    response = client.get(reverse("api-schema"), {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/leads/"])
    assert {"get", "put", "patch"} <= set(paths["/api/leads/{id}/"])
    assert "204" in paths["/api/leads/{id}/"]["delete"]["responses"]
    assert "post" in paths["/api/recycle-bin/{id}/restore/"]
    assert "/api/leads/{id}/change-owner/" in paths
    assert "/api/auth/token/" in paths
    assert "/api/picklists/" in paths
    lead = schema["components"]["schemas"]["Lead"]
    assert lead["properties"]["owner"]["readOnly"] is True
    assert "409" in paths["/api/leads/{id}/"]["patch"]["responses"]
    params = {p["name"] for p in paths["/api/leads/"]["get"]["parameters"]}
    assert {"search", "status", "ordering", "page", "page_size"} <= params


def test_schema_has_no_warnings_for_the_api(tmp_path):
    # --fail-on-warn makes any warning (an endpoint the schema cannot describe) a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))

    assert "/api/leads/{id}/notes/" in (tmp_path / "schema.yml").read_text()


def test_docs_page_loads_nothing_from_another_site(client, rep):
    client.force_login(rep)

    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    urls += re.findall(r"""["']((?:https?:)?//[^"']+)["']""", html)
    assert any("swagger-ui" in u for u in urls)
    assert urls
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "cdn" not in html.lower()
