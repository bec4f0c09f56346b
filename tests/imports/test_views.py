"""The import pages: upload, mapping step, detail with counters and escaped errors, visibility."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leads.imports import forms as import_forms
from leads.imports.models import LeadImport
from leads.imports.parsing import import_dir
from leads.models import Lead

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db


def _file(lines, name="leads.csv", **kwargs):
    return SimpleUploadedFile(name, csv_bytes(lines, **kwargs), content_type="text/csv")


def _mapping_post(lead_import, **overrides):
    data = {f"col_{i}": api for i, api in enumerate(lead_import.mapping)}
    data.update({"run_assignment": "on", "default_lead_source": ""})
    data.update(overrides)
    return data


def test_the_lead_list_offers_import_leads(client, rep):
    client.force_login(rep)

    response = client.get(reverse("leads:list"))

    assert reverse("leads:import_create").encode() in response.content
    assert b"Import Leads" in response.content


def test_upload_then_mapping_then_detail(client, rep, django_capture_on_commit_callbacks):
    # given a rep with a semicolon file with a BOM
    client.force_login(rep)
    lines = ["Vorname;Last Name;Company;Correo", "Ada;Lovelace;Analytical;ada@example.com"]

    # when they upload it
    response = client.post(reverse("leads:import_create"), {"file": _file(lines, bom=True, delimiter=";")})

    # then the mapping step shows each column with its guess, the unknown one skipped
    lead_import = LeadImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("leads:import_detail", args=[lead_import.pk])
    page = client.get(response.url)
    assert page.templates[0].name == "leads/imports/import_mapping.html"
    assert lead_import.mapping == ["", "last_name", "company", ""]
    assert b"Vorname" in page.content

    # when they map the two unmatched columns and start
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("leads:import_detail", args=[lead_import.pk]),
            _mapping_post(lead_import, col_0="first_name", col_3="email"),
        )

    # then the lead exists with every mapped value and the detail shows the counters
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.first_name, lead.email, lead.owner_user_id) == ("Ada", "ada@example.com", rep.pk)
    detail = client.get(response.url)
    assert detail.templates[0].name == "leads/imports/import_detail.html"
    assert detail.context["lead_import"].created_count == 1
    assert reverse("leads:detail", args=[lead.pk]).encode() in detail.content


def test_a_mapping_with_a_field_twice_is_shown_again_with_the_message(client, rep, upload):
    client.force_login(rep)
    lead_import = upload(rep)

    response = client.post(
        reverse("leads:import_detail", args=[lead_import.pk]), _mapping_post(lead_import, col_0="last_name")
    )

    assert response.status_code == 200
    assert "both fill Last Name" in response.content.decode()
    assert LeadImport.objects.get().status == "mapping"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00\x01\x02binary", "not a CSV text file"),
        (b"PK\x03\x04broken", "could not be read as an Excel workbook"),
        (b"Last Name,Company\n", "no data rows"),
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_stored(client, rep, content, expected):
    client.force_login(rep)
    files_before = set(import_dir().iterdir())

    response = client.post(
        reverse("leads:import_create"), {"file": SimpleUploadedFile("x.csv", content, content_type="text/csv")}
    )

    assert response.status_code == 200
    assert expected in response.content.decode()
    assert LeadImport.objects.count() == 0
    assert set(import_dir().iterdir()) == files_before


def test_a_file_over_the_size_limit_is_refused_before_reading(client, rep, monkeypatch):
    monkeypatch.setattr(import_forms, "MAX_BYTES", 10)
    client.force_login(rep)

    response = client.post(reverse("leads:import_create"), {"file": _file(["Last Name,Company", "Doe,Acme"])})

    assert response.status_code == 200
    assert "larger than" in response.content.decode()
    assert LeadImport.objects.count() == 0


def test_too_many_rows_are_refused_with_a_message(client, rep, monkeypatch):
    from leads.imports import parsing

    monkeypatch.setattr(parsing, "MAX_ROWS", 5)
    client.force_login(rep)
    lines = ["Last Name,Company"] + [f"D{i},A" for i in range(6)]

    response = client.post(reverse("leads:import_create"), {"file": _file(lines)})

    assert "more than 5 rows" in response.content.decode()
    assert LeadImport.objects.count() == 0


def test_upload_without_a_file_asks_for_one(client, rep):
    client.force_login(rep)

    response = client.post(reverse("leads:import_create"), {})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_a_rep_sees_only_their_imports_and_gets_404_for_others(client, rep, other_rep, upload):
    mine = upload(rep)
    theirs = upload(other_rep)
    client.force_login(rep)

    listing = client.get(reverse("leads:import_list"))

    assert list(listing.context["imports"]) == [mine]
    assert client.get(reverse("leads:import_detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("leads:import_detail", args=[theirs.pk]), {}).status_code == 404
    assert client.get(reverse("leads:import_errors", args=[theirs.pk])).status_code == 404


def test_a_marketing_admin_sees_every_import(client, marketing_admin, rep, other_rep, upload):
    upload(rep)
    upload(other_rep)
    client.force_login(marketing_admin)

    response = client.get(reverse("leads:import_list"))

    assert len(response.context["imports"]) == 2


def test_the_list_does_not_query_per_import(
    client, marketing_admin, rep, other_rep, upload, django_assert_max_num_queries
):
    for user in (rep, other_rep, rep, other_rep):
        upload(user)
    client.force_login(marketing_admin)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("leads:import_list"))

    assert response.status_code == 200


def test_a_rep_cannot_post_an_owner_field_to_import_for_someone_else(
    client, rep, other_rep, upload, django_capture_on_commit_callbacks
):
    client.force_login(rep)
    lead_import = upload(rep)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("leads:import_detail", args=[lead_import.pk]),
            _mapping_post(lead_import, owner=str(other_rep.pk)),
        )

    assert set(Lead.objects.values_list("owner_user_id", flat=True)) == {rep.pk}


def test_script_in_a_cell_is_shown_escaped_on_the_detail_page(client, rep, upload, start):
    # given a row whose values carry markup and fail validation
    from leads.imports.services import lead_import_process

    lead_import = upload(rep, ["Last Name,Company,Email", "<script>alert(1)</script>,,<b>x</b>@evil"])
    start(lead_import, rep)
    lead_import_process(lead_import_id=lead_import.pk)
    client.force_login(rep)

    # when the detail page is shown
    html = client.get(reverse("leads:import_detail", args=[lead_import.pk])).content.decode()

    # then the markup appears only escaped
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html
    assert "Company" in html


def test_an_htmx_poll_gets_only_the_progress_while_running(client, rep, upload, start):
    lead_import = start(upload(rep), rep)
    client.force_login(rep)

    response = client.get(reverse("leads:import_detail", args=[lead_import.pk]), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "<html" not in html
    assert 'data-testid="pending-count">2<' in html


def test_errors_download_as_csv_with_formulas_neutralised(client, rep, upload, start):
    from leads.imports.services import lead_import_process

    lead_import = start(upload(rep, ["Last Name,Company", "=HYPERLINK(1),", "Fine,Acme", "-5,"]), rep)
    lead_import_process(lead_import_id=lead_import.pk)
    client.force_login(rep)

    response = client.get(reverse("leads:import_errors", args=[lead_import.pk]))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    lines = text.strip().splitlines()
    assert lines[0] == "Row,Last Name,Company,Reason"
    assert lines[1].startswith("2,'=HYPERLINK(1),,Company:")
    assert lines[2].startswith("4,-5,,Company:")  # a plain number stays a number, as in every export
    assert len(lines) == 3


def test_the_sample_csv_names_every_importable_field_and_reimports_cleanly(client, rep):
    from leads.imports.parsing import auto_mapping, importable_fields
    from leads.imports.services import lead_import_upload

    client.force_login(rep)

    response = client.get(reverse("leads:import_sample"))

    parsed = lead_import_upload(file_name="sample.csv", data=response.content, acting_user=rep)
    assert parsed.headers[:3] == ["Salutation", "First Name", "Last Name"]
    assert "" not in auto_mapping(parsed.headers, importable_fields())
    assert reverse("leads:import_sample").encode() in client.get(reverse("leads:import_create")).content
