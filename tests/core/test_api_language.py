"""The API answers in the language of the token's user (their profile), else Accept-Language."""

import datetime

from django.utils import timezone

from core.preferences import user_profile_update


def test_a_spanish_users_token_gets_spanish_messages_without_accept_language(api, rep):
    user_profile_update(user=rep, data={"language": "es"}, acting_user=rep)

    response = api.as_user(rep).get("/api/search/")

    assert response.status_code == 400
    assert response.json()["q"] == ["Este campo es obligatorio."]
    assert response["Content-Language"] == "es"


def test_the_users_language_wins_over_accept_language(api, rep):
    user_profile_update(user=rep, data={"language": "fr"}, acting_user=rep)

    response = api.as_user(rep).get("/api/search/", HTTP_ACCEPT_LANGUAGE="es")

    assert response.json()["q"] == ["Ce champ est obligatoire."]


def test_without_a_language_of_their_own_accept_language_chooses(api, rep):
    client = api.as_user(rep)

    spanish = client.get("/api/search/", HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    english = client.get("/api/search/")

    assert spanish.json()["q"] == ["Este campo es obligatorio."]
    assert english.json()["q"] == ["This field is required."]


def test_the_token_users_time_zone_applies_and_ends_with_the_request(api, rep, monkeypatch):
    from search.api import views

    user_profile_update(user=rep, data={"time_zone": "Asia/Tokyo"}, acting_user=rep)
    seen = {}
    original = views.global_search

    def spy(**kwargs):
        seen["zone"] = timezone.get_current_timezone_name()
        seen["local"] = timezone.localtime(datetime.datetime(2026, 12, 4, 23, 30, tzinfo=datetime.UTC)).hour
        return original(**kwargs)

    monkeypatch.setattr(views, "global_search", spy)

    assert api.as_user(rep).get("/api/search/", {"q": "acme"}).status_code == 200
    assert seen == {"zone": "Asia/Tokyo", "local": 8}
    assert timezone.get_current_timezone_name() != "Asia/Tokyo"


def test_the_token_users_language_costs_no_extra_query(api, rep, django_assert_max_num_queries):
    client = api.as_user(rep)
    client.get("/api/me/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without:
        client.get("/api/me/")
    user_profile_update(user=rep, data={"language": "es"}, acting_user=rep)
    with CaptureQueriesContext(connection) as with_language:
        assert client.get("/api/me/")["Content-Language"] == "es"

    assert len(with_language) == len(without)
