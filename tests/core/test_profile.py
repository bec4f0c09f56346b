"""My profile (page and /api/me/): name, email, language, time zone and email signature; the
request is then served in the user's language and time zone, else the browser's language; dates
and numbers follow the language."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation

from core.locale import UserLocaleMiddleware
from core.models import UserPreferences
from core.preferences import user_profile_update

pytestmark = pytest.mark.django_db


def test_the_profile_page_saves_name_email_language_time_zone_and_signature(client, rep):
    client.force_login(rep)
    assert 'data-testid="my-profile"' in client.get(reverse("home"), follow=True).content.decode()

    response = client.post(
        reverse("my_profile"),
        {
            "first_name": "Rita",
            "last_name": "Rep",
            "email": "rita@example.com",
            "language": "es",
            "time_zone": "Europe/Madrid",
            "email_signature": "Rita\r\nSales",
        },
    )

    assert response.status_code == 302
    rep.refresh_from_db()
    preferences = UserPreferences.objects.get(user=rep)
    assert (rep.first_name, rep.email) == ("Rita", "rita@example.com")
    assert (preferences.language, preferences.time_zone, preferences.email_signature) == (
        "es",
        "Europe/Madrid",
        "Rita\nSales",
    )
    page = client.get(reverse("my_profile"))
    assert page["Content-Language"] == "es"
    assert '<html lang="es"' in page.content.decode()


def test_the_profile_page_shows_field_errors(client, rep):
    client.force_login(rep)

    response = client.post(reverse("my_profile"), {"email": "not an email", "time_zone": "Mars/Olympus"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"email", "time_zone"}
    assert not UserPreferences.objects.filter(user=rep).exists()


def test_the_service_refuses_an_unknown_time_zone_and_another_users_profile(rep, other_rep):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError) as error:
        user_profile_update(user=rep, data={"time_zone": "Nowhere/City", "language": "de"}, acting_user=rep)
    assert set(error.value.message_dict) == {"time_zone", "language"}
    with pytest.raises(PermissionDenied):
        user_profile_update(user=rep, data={"language": "fr"}, acting_user=other_rep)


def test_the_api_reads_and_changes_the_own_profile(api, rep):
    client = api.as_user(rep)

    before = client.get("/api/me/")
    changed = client.patch("/api/me/", {"language": "fr", "time_zone": "America/Montreal"}, format="json")
    refused = client.patch("/api/me/", {"time_zone": "Atlantis/Capital", "email": "x"}, format="json")

    assert before.status_code == 200
    assert before.json()["language"] == ""
    assert before.json()["username"] == rep.username
    assert changed.status_code == 200
    assert (changed.json()["language"], changed.json()["time_zone"]) == ("fr", "America/Montreal")
    assert refused.status_code == 400
    assert set(refused.json()) >= {"time_zone", "email"}
    assert UserPreferences.objects.get(user=rep).time_zone == "America/Montreal"


def test_the_api_needs_a_signed_in_user(client):
    assert client.get("/api/me/").status_code in (401, 403)


def test_without_a_choice_the_browsers_language_applies(client, rep):
    client.force_login(rep)

    french = client.get(reverse("my_profile"), HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9")
    unknown = client.get(reverse("my_profile"), HTTP_ACCEPT_LANGUAGE="de")

    assert french["Content-Language"] == "fr"
    assert unknown["Content-Language"] == "en"


def test_the_users_choice_wins_over_the_browser(client, rep):
    user_profile_update(user=rep, data={"language": "es"}, acting_user=rep)
    client.force_login(rep)

    assert client.get(reverse("my_profile"), HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "es"


def test_the_middleware_serves_the_request_in_the_users_time_zone(rf, rep):
    user_profile_update(user=rep, data={"time_zone": "Asia/Tokyo", "language": "fr"}, acting_user=rep)
    rep = type(rep).objects.select_related("preferences").get(pk=rep.pk)
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        seen["language"] = translation.get_language()
        seen["shown"] = formats.date_format(
            timezone.localtime(datetime.datetime(2026, 12, 4, 23, 30, tzinfo=datetime.UTC)), "SHORT_DATETIME_FORMAT"
        )
        from django.http import HttpResponse

        return HttpResponse()

    request = rf.get("/")
    request.COOKIES["sessionid"] = "x"
    request.user = rep
    UserLocaleMiddleware(view)(request)

    assert seen == {"zone": "Asia/Tokyo", "language": "fr", "shown": "05/12/2026 08:30"}
    assert timezone.get_current_timezone_name() != "Asia/Tokyo"  # deactivated after the request


def test_the_preferences_cost_no_query_on_a_page(client, rep, django_assert_num_queries):
    client.force_login(rep)
    client.get(reverse("my_profile"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as without:
        client.get(reverse("my_profile"))
    user_profile_update(user=rep, data={"language": "es", "time_zone": "Europe/Paris"}, acting_user=rep)
    with CaptureQueriesContext(connection) as with_preferences:
        client.get(reverse("my_profile"))

    assert len(with_preferences) == len(without)


@pytest.mark.parametrize(
    ("language", "date", "number", "short"),
    [
        ("en", "Dec. 4, 2026", "1,234.50", "12/04/2026 3:30 p.m."),
        ("es", "4 de diciembre de 2026", "1\xa0234,50", "04/12/2026 15:30"),
        ("fr", "4 décembre 2026", "1\xa0234,50", "04/12/2026 15:30"),
    ],
)
def test_dates_and_numbers_are_formatted_for_the_language(language, date, number, short):
    with translation.override(language):
        assert formats.date_format(datetime.date(2026, 12, 4)) == date
        assert formats.number_format(1234.5, 2, force_grouping=True) == number
        assert formats.date_format(datetime.datetime(2026, 12, 4, 15, 30), "SHORT_DATETIME_FORMAT") == short


def test_a_message_the_user_writes_starts_with_their_signature(client, rep):
    from tests.factories import LeadFactory

    lead = LeadFactory(owner_user=rep, email="ada@example.net")
    user_profile_update(user=rep, data={"email_signature": "Rita Rep\nAcme Sales"}, acting_user=rep)
    client.force_login(rep)

    form = client.get(reverse("leads:send_email", args=[lead.pk])).context["form"]

    assert form["body_text"].value() == "\n\n-- \nRita Rep\nAcme Sales"
