"""Translations admins write for picklist values, field labels and help texts: the service, how
they are shown (admin translation, else the catalog's, else English), the cache, the API and the
Translations setup page."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core.fields import field_help_text, field_label, picklist_choices
from core.label_translations import label_translation_save, translation_rows
from core.models import FieldDefinition, LabelTranslation, PicklistValue
from core.preferences import user_profile_update
from core.selectors import picklist_labels
from core.translation import admin_translations


def _save(user, **kwargs):
    data = {"kind": "picklist_value", "object_name": "lead", "field_name": "status", "value": "Working"}
    data.update(kwargs)
    data.setdefault("language", "es")
    return label_translation_save(acting_user=user, **data)


def test_a_translation_is_saved_once_per_label_and_language(marketing_admin):
    _save(marketing_admin, text="Trabajando")
    _save(marketing_admin, text="  En curso ")
    _save(marketing_admin, text="En cours", language="fr")

    rows = LabelTranslation.objects.filter(object_name="lead", field_name="status", value="Working")
    assert sorted(rows.values_list("language", "text")) == [("es", "En curso"), ("fr", "En cours")]
    assert rows.get(language="es").updated_by == marketing_admin


def test_a_blank_text_removes_the_translation(marketing_admin):
    _save(marketing_admin, text="Trabajando")

    assert _save(marketing_admin, text="   ") is None
    assert not LabelTranslation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"language": "de"}, "language"),
        ({"language": "en"}, "language"),
        ({"kind": "colour"}, "kind"),
        ({"value": "No Such Value"}, "value"),
        ({"kind": "field_label", "field_name": "no_such_field", "value": ""}, "field"),
        ({"kind": "field_label", "field_name": "company", "value": "Working"}, "value"),
        ({"text": "x" * 121}, "text"),
    ],
)
def test_the_service_refuses_what_is_not_a_label_or_a_language(marketing_admin, changes, field):
    with pytest.raises(ValidationError) as caught:
        _save(marketing_admin, **{"text": "Trabajando", **changes})

    assert field in caught.value.message_dict


def test_only_setup_admins_translate(rep):
    with pytest.raises(PermissionError):
        _save(rep, text="Trabajando")


def test_a_picklist_value_shows_the_admin_translation_else_the_catalogs_else_english(marketing_admin):
    PicklistValue.objects.create(object_name="lead", field_name="rating", api_name="Lukewarm", label="Lukewarm")
    _save(marketing_admin, text="Trabajando a fondo")

    with translation.override("es"):
        labels = picklist_labels(object_name="lead")
    with translation.override("fr"):
        french = picklist_labels(object_name="lead")

    assert labels["status"]["Working"] == "Trabajando a fondo"
    assert labels["status"]["New"] == "Nuevo"  # the catalog's
    assert labels["rating"]["Lukewarm"] == "Lukewarm"  # written by an admin, not translated
    assert french["status"]["Working"] != "Trabajando a fondo"
    with translation.override("en"):
        assert picklist_labels(object_name="lead")["status"]["Working"] == "Working"


def test_form_choices_show_the_translation(marketing_admin):
    _save(marketing_admin, text="Trabajando a fondo")

    with translation.override("es"):
        choices = dict(picklist_choices("lead", "status"))

    assert choices["Working"] == "Trabajando a fondo"


def test_a_shared_value_set_is_translated_once_for_every_object(marketing_admin):
    _save(marketing_admin, field_name="lead_source", value="Webinar", object_name="contact", text="Seminario web")

    with translation.override("es"):
        assert picklist_labels(object_name="lead")["lead_source"]["Webinar"] == "Seminario web"
        assert picklist_labels(object_name="opportunity")["lead_source"]["Webinar"] == "Seminario web"
    assert LabelTranslation.objects.get().object_name == "lead"


def test_field_labels_and_help_texts_of_standard_and_custom_fields(marketing_admin):
    custom = FieldDefinition.objects.create(
        object_name="lead", api_name="Tier__c", label="Tier", field_type="text", is_custom=True, help_text="Size"
    )
    company = FieldDefinition.objects.get(object_name="lead", api_name="company")
    _save(marketing_admin, kind="field_label", field_name="Tier__c", value="", text="Nivel")
    _save(marketing_admin, kind="help_text", field_name="Tier__c", value="", text="Tamaño del cliente")
    _save(marketing_admin, kind="field_label", field_name="company", value="", text="Compañía")

    with translation.override("es"):
        assert field_label(custom) == "Nivel"
        assert field_help_text(custom) == "Tamaño del cliente"
        assert field_label(company) == "Compañía"
    with translation.override("en"):
        assert field_label(custom) == "Tier"
        assert field_label(company) == "Company"


def test_the_translations_are_cached_and_a_save_is_seen_at_once(marketing_admin, django_assert_num_queries):
    _save(marketing_admin, text="Trabajando")
    assert admin_translations("es")[("picklist_value", "lead", "status", "Working")] == "Trabajando"
    assert cache.get("label-translations:es") is not None

    with django_assert_num_queries(0):
        assert admin_translations("es")[("picklist_value", "lead", "status", "Working")] == "Trabajando"

    _save(marketing_admin, text="En curso")
    assert admin_translations("es")[("picklist_value", "lead", "status", "Working")] == "En curso"


def test_english_has_no_admin_translations(marketing_admin, django_assert_num_queries):
    _save(marketing_admin, text="Trabajando")

    with django_assert_num_queries(0):
        assert admin_translations("en") == {}


def test_the_rows_to_translate_and_the_untranslated_filter(marketing_admin):
    PicklistValue.objects.create(object_name="lead", field_name="rating", api_name="Lukewarm", label="Lukewarm")
    _save(marketing_admin, text="Trabajando a fondo")

    rows = {row.key: row for row in translation_rows(language="es", object_name="lead")}
    untranslated = {row.key for row in translation_rows(language="es", object_name="lead", untranslated=True)}

    working = rows["picklist_value|lead|status|Working"]
    assert (working.english, working.translation) == ("Working", "Trabajando a fondo")
    assert rows["picklist_value|lead|status|New"].catalog == "Nuevo"
    assert rows["field_label|lead|company|"].english == "Company"
    assert "picklist_value|lead|rating|Lukewarm" in untranslated
    assert "picklist_value|lead|status|Working" not in untranslated
    assert "picklist_value|lead|status|New" not in untranslated


# API -------------------------------------------------------------------------------------------


def test_the_api_saves_lists_and_removes_translations(api, marketing_admin):
    client = api.as_user(marketing_admin)
    body = {"language": "es", "kind": "picklist_value", "object": "lead", "field": "status", "value": "Working"}

    created = client.post("/api/translations/", {**body, "text": "Trabajando"}, format="json")
    replaced = client.post("/api/translations/", {**body, "text": "En curso"}, format="json")
    client.post("/api/translations/", {**body, "language": "fr", "text": "En cours"}, format="json")
    spanish = client.get("/api/translations/", {"language": "es"})

    assert created.status_code == 200
    assert replaced.json()["id"] == created.json()["id"]
    assert [(t["value"], t["text"]) for t in spanish.json()] == [("Working", "En curso")]
    assert client.delete(f"/api/translations/{created.json()['id']}/").status_code == 204
    assert client.get("/api/translations/", {"language": "es"}).json() == []
    assert client.post("/api/translations/", {**body, "text": ""}, format="json").status_code == 204


def test_the_api_answers_field_errors(api, marketing_admin):
    client = api.as_user(marketing_admin)

    unknown = client.post(
        "/api/translations/",
        {"language": "es", "kind": "picklist_value", "object": "lead", "field": "status", "value": "Nope", "text": "x"},
        format="json",
    )
    bad_language = client.post(
        "/api/translations/",
        {"language": "de", "kind": "field_label", "object": "lead", "field": "company", "text": "Firma"},
        format="json",
    )
    bad_filter = client.get("/api/translations/", {"language": "de"})

    assert unknown.status_code == 400
    assert "value" in unknown.json()
    assert bad_language.status_code == 400
    assert "language" in bad_language.json()
    assert bad_filter.status_code == 400


def test_reps_may_not_use_the_translations_api(api, rep):
    client = api.as_user(rep)

    assert client.get("/api/translations/").status_code == 403
    response = client.post(
        "/api/translations/",
        {"language": "es", "kind": "field_label", "object": "lead", "field": "company", "text": "Firma"},
        format="json",
    )
    assert response.status_code == 403


def test_the_picklist_api_answers_labels_in_the_callers_language(api, marketing_admin, rep):
    _save(marketing_admin, text="Trabajando a fondo")
    user_profile_update(user=rep, data={"language": "es"}, acting_user=rep)

    groups = api.as_user(rep).get("/api/picklists/", {"object": "lead", "field": "status"}).json()

    values = {v["api_name"]: v for v in groups[0]["values"]}
    assert values["Working"]["label"] == "Working"
    assert values["Working"]["display_label"] == "Trabajando a fondo"
    assert groups[0]["field_label"] == "Estado del candidato"


def test_the_schema_documents_the_translations_api(client, marketing_admin):
    client.force_login(marketing_admin)

    schema = client.get("/api/schema/", {"format": "json"}).json()

    assert {"get", "post"} <= set(schema["paths"]["/api/translations/"])
    assert "delete" in schema["paths"]["/api/translations/{id}/"]


# Setup page ------------------------------------------------------------------------------------


def test_the_translations_page_saves_the_changed_rows(client, marketing_admin):
    client.force_login(marketing_admin)
    url = reverse("core:translation_workbench")

    page = client.get(url, {"language": "es", "object": "lead"})
    response = client.post(
        url,
        {
            "language": "es",
            "object": "lead",
            "t:picklist_value|lead|status|Working": "Trabajando a fondo",
            "was:picklist_value|lead|status|Working": "",
            "t:field_label|lead|company|": "",
            "was:field_label|lead|company|": "",
        },
    )

    assert page.status_code == 200
    assert b'name="t:picklist_value|lead|status|Working"' in page.content
    assert response.status_code == 302
    assert LabelTranslation.objects.get().text == "Trabajando a fondo"
    shown = client.get(response["Location"])
    assert b'value="Trabajando a fondo"' in shown.content


def test_the_translations_page_shows_errors_and_saves_nothing(client, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("core:translation_workbench"),
        {
            "language": "es",
            "object": "lead",
            "t:picklist_value|lead|status|New": "Nuevo candidato",
            "t:picklist_value|lead|status|Working": "x" * 121,
        },
    )

    assert response.status_code == 400
    assert 'is-invalid" name="t:picklist_value|lead|status|Working"' in response.content.decode()
    assert 'value="Nuevo candidato"' in response.content.decode()  # what was typed stays
    assert not LabelTranslation.objects.exists()


def test_the_untranslated_filter_lists_what_users_see_in_english(client, marketing_admin):
    PicklistValue.objects.create(object_name="lead", field_name="rating", api_name="Lukewarm", label="Lukewarm")
    client.force_login(marketing_admin)

    page = client.get(reverse("core:translation_workbench"), {"language": "fr", "object": "lead", "untranslated": "1"})

    assert b"picklist_value|lead|rating|Lukewarm" in page.content
    assert b"picklist_value|lead|status|New" not in page.content


def test_reps_may_not_open_the_translations_page(client, rep):
    client.force_login(rep)

    assert client.get(reverse("core:translation_workbench")).status_code == 403


def test_a_spanish_rep_sees_the_translation_on_the_lead_page(client, marketing_admin, rep):
    from tests.factories import LeadFactory

    lead = LeadFactory(owner_user=rep, status="Working", company="Acme")
    _save(marketing_admin, text="Trabajando a fondo")
    user_profile_update(user=rep, data={"language": "es"}, acting_user=rep)
    client.force_login(rep)

    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "Trabajando a fondo" in page


def test_deleting_a_picklist_value_deletes_its_translations_in_the_same_transaction(marketing_admin, rep):
    from core.services import picklist_value_create, picklist_value_delete
    from tests.factories import LeadFactory

    # given a used lead status with translations, and another with its own
    gone = picklist_value_create(object_name="lead", field_name="status", label="Stalled", acting_user=marketing_admin)
    _save(marketing_admin, value="Stalled", text="Estancado")
    _save(marketing_admin, value="Stalled", text="Bloqué", language="fr")
    _save(marketing_admin, value="Working", text="Trabajando")
    lead = LeadFactory(owner_user=rep, status="Stalled")
    working = PicklistValue.objects.get(object_name="lead", field_name="status", api_name="Working")

    # when it is deleted, its leads moving to Working
    picklist_value_delete(value=gone, replacement=working, acting_user=marketing_admin)

    # then its translations are gone, the replacement keeps its own, and a new value of the same
    # name starts untranslated
    assert list(LabelTranslation.objects.values_list("value", "text")) == [("Working", "Trabajando")]
    lead.refresh_from_db()
    assert lead.status == "Working"
    picklist_value_create(object_name="lead", field_name="status", label="Stalled", acting_user=marketing_admin)
    assert ("picklist_value", "lead", "status", "Stalled") not in admin_translations("es")
    assert ("picklist_value", "lead", "status", "Working") in admin_translations("es")


def test_a_value_whose_deletion_is_refused_keeps_its_translations(marketing_admin, rep):
    from core.services import picklist_value_create, picklist_value_delete
    from tests.factories import LeadFactory

    used = picklist_value_create(object_name="lead", field_name="status", label="Stalled", acting_user=marketing_admin)
    _save(marketing_admin, value="Stalled", text="Estancado")
    LeadFactory(owner_user=rep, status="Stalled")

    with pytest.raises(ValidationError):
        picklist_value_delete(value=used, replacement=None, acting_user=marketing_admin)

    assert LabelTranslation.objects.filter(value="Stalled").count() == 1


def test_dropping_a_fields_translations_removes_its_label_help_text_and_values(marketing_admin):
    from core.label_translations import label_translations_drop

    _save(marketing_admin, kind="field_label", field_name="industry", value="", text="Sector")
    _save(marketing_admin, kind="help_text", field_name="industry", value="", text="Ayuda")
    _save(marketing_admin, field_name="industry", value="Banking", text="Banca")
    _save(marketing_admin, kind="field_label", field_name="rating", value="", text="Valoración")

    assert label_translations_drop(object_name="lead", field_name="industry") == 3
    assert list(LabelTranslation.objects.values_list("field_name", flat=True)) == ["rating"]
