"""A form moved from Salesforce keeps working when only the host of its action changes."""

import pytest

from core.salesforce_ids import id15, id18
from leads.models import Lead
from webtolead.models import Intake
from webtolead.services import webtolead_form_update

pytestmark = pytest.mark.django_db

SF_URL = "/servlet/servlet.WebToLead"
OID15 = "00D5g000004XyZa"
OID18 = "00D5g000004XyZaEAK"


@pytest.fixture
def moved_form(web_form, marketing_admin):
    return webtolead_form_update(form=web_form, data={"salesforce_oid": OID15}, acting_user=marketing_admin)


def _form_body(encoding: str, **fields) -> bytes:
    from urllib.parse import quote_plus

    return "&".join(f"{k}={quote_plus(v, encoding=encoding)}" for k, v in fields.items()).encode("ascii")


def test_the_salesforce_path_is_an_alias_of_the_endpoint(client, moved_form):
    body = _form_body("utf-8", oid=OID15, last_name="Hopper", company="Navy", email="grace@navy.example")

    response = client.post(f"{SF_URL}?encoding=UTF-8", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 303
    assert Lead.objects.get().last_name == "Hopper"


@pytest.mark.parametrize("encoding", ["UTF-8", "ISO-8859-1", "Shift_JIS"])
def test_the_encoding_parameter_decodes_the_form_body(client, moved_form, encoding):
    name = "Müller" if encoding != "Shift_JIS" else "山田"
    body = _form_body(encoding, oid=OID15, last_name=name, company="ACME", email="m@example.ch")

    response = client.post(f"{SF_URL}?encoding={encoding}", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 303
    assert Lead.objects.get().last_name == name


def test_a_charset_in_the_content_type_wins_over_the_encoding_parameter(client, moved_form):
    body = _form_body("iso-8859-1", oid=OID15, last_name="Müller", company="ACME", email="m@example.ch")

    client.post(f"{SF_URL}?encoding=UTF-8", body, content_type="application/x-www-form-urlencoded; charset=ISO-8859-1")

    assert Lead.objects.get().last_name == "Müller"


def test_an_unknown_encoding_falls_back_without_failing(client, moved_form):
    body = _form_body("utf-8", oid=OID15, last_name="Plain", company="ACME", email="p@example.ch")

    response = client.post(f"{SF_URL}?encoding=x-no-such", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 303
    assert Lead.objects.get().last_name == "Plain"


@pytest.mark.parametrize("posted", [OID15, OID18, OID18.lower()])
def test_the_org_id_is_recognised_in_its_15_and_18_character_forms(client, moved_form, posted):
    body = _form_body("utf-8", oid=posted, last_name="Either", company="ACME", email="e@example.ch")

    response = client.post(SF_URL, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 303
    assert Intake.objects.get().form == moved_form


def test_an_18_character_org_id_entered_by_the_admin_is_kept_as_the_same_org(web_form, marketing_admin):
    form = webtolead_form_update(form=web_form, data={"salesforce_oid": OID18}, acting_user=marketing_admin)

    assert form.salesforce_oid == OID15


def test_an_org_id_that_is_not_one_is_refused_on_the_form(web_form, marketing_admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        webtolead_form_update(form=web_form, data={"salesforce_oid": "00D5g00000"}, acting_user=marketing_admin)

    assert "salesforce_oid" in exc.value.message_dict


def test_salesforce_ids_convert_between_their_forms():
    assert id18("001A0000006Vm9r") == "001A0000006Vm9rIAC"
    assert id15("001A0000006Vm9rIAC") == "001A0000006Vm9r"
    # a case-insensitive tool lowered it: the checksum restores the case
    assert id15("001a0000006vm9riac") == "001A0000006Vm9r"
    assert id15("001A0000006Vm9") is None
    assert id15("001A0000006Vm9r!!!") is None
