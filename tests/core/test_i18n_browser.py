"""Spanish and French in a real browser: a rep whose profile says Spanish works on the lead pages
in Spanish, validation errors included; a browser asking for French gets the login page in French."""

import re

import pytest

from core.preferences import user_profile_update
from tests.seeding import seed_fields

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _seeded_picklists(transactional_db):
    # Transactional tests flush the database between tests, seeded rows included.
    seed_fields("leads")


def test_a_rep_who_chose_spanish_sees_the_lead_pages_and_their_errors_in_spanish(page, login, rep):
    user_profile_update(user=rep, data={"language": "es"}, acting_user=rep)
    login(rep)

    page.goto("/leads/new/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("h1").inner_text() == "Nuevo candidato"
    page.fill("#id_last_name", "Lovelace")
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar", exact=True).click()
    company_error = page.locator("#div_id_company .invalid-feedback, #error_1_id_company")
    assert "Este campo es obligatorio." in company_error.first.inner_text()

    page.fill("#id_company", "Analytical Engines")
    page.get_by_role("button", name="Guardar", exact=True).click()
    page.wait_for_url(re.compile(r"/leads/\d+/$"))
    assert "Se creó el candidato" in page.locator("#messages").inner_text()
    # Standard field labels and section titles as seeded are translated; values are not.
    assert "Empresa" in page.locator("#field-company").inner_text()
    assert "Analytical Engines" in page.locator("#field-company").inner_text()
    assert page.get_by_text("Información del candidato").first.is_visible()
    assert page.get_by_role("link", name="Cambiar propietario").first.is_visible()
    page.get_by_test_id("user-menu").click()
    assert page.get_by_test_id("my-profile").inner_text().strip() == "Mi perfil"


def test_a_browser_asking_for_french_gets_the_login_page_in_french(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto("/login/")

        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("h1").inner_text() == "Se connecter à LeadCRM"
        assert page.get_by_label("Nom d'utilisateur").is_visible()
        assert page.get_by_role("button", name="Se connecter").is_visible()
    finally:
        context.close()
