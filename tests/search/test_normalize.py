"""The normalisation that queries and values go through before they are compared."""

import sqlite3

from core.normalize import normalize, phone_digits, register_sqlite_functions
from search.selectors import clean_query, is_searchable


def test_normalize_removes_accents_folds_case_and_collapses_spaces():
    assert normalize("  Zoë   Ångström ") == "ZOE ANGSTROM"


def test_normalize_spells_letters_without_a_decomposition_as_unaccent_does():
    assert normalize("Straße Søren Œuvre Łódź") == "STRASSE SOREN OEUVRE LODZ"


def test_normalize_of_nothing_is_empty():
    assert normalize(None) == ""
    assert normalize("   ") == ""


def test_phone_digits_only_for_a_query_that_looks_like_a_phone_number():
    assert phone_digits("+1 (555) 010-99") == "155501099"
    assert phone_digits("55") == ""
    assert phone_digits("Acme 555") == ""


def test_a_query_needs_two_characters_after_normalisation():
    assert not is_searchable("é")
    assert is_searchable("év")


def test_clean_query_trims_collapses_and_caps_the_length():
    assert clean_query("  ada   lovelace ") == "ada lovelace"
    assert len(clean_query("x" * 500)) == 100


def test_sqlite_connections_get_the_same_normalisation_in_sql():
    # given a SQLite connection as the embedded default opens one
    class Wrapper:
        vendor = "sqlite"
        connection = sqlite3.connect(":memory:")

    # when the search app prepares it
    register_sqlite_functions(connection=Wrapper)

    # then SQL compares the same forms as Python
    row = Wrapper.connection.execute("SELECT crm_normalize('Crème  Brûlée'), crm_digits('+1 (555) 01')").fetchone()
    assert row == ("CREME BRULEE", "155501")
