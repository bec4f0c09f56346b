"""The production password hasher: tests hash with a fast one, so this checks the real one."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import get_hasher

from tests.conftest import PRODUCTION_HASHERS
from tests.factories import UserFactory


def test_production_settings_hash_with_a_slow_salted_hasher():
    assert "MD5" not in PRODUCTION_HASHERS[0]
    assert PRODUCTION_HASHERS[0].endswith(("PBKDF2PasswordHasher", "Argon2PasswordHasher", "ScryptPasswordHasher"))


@pytest.mark.django_db
def test_a_password_hashed_by_the_production_hasher_logs_in(settings):
    # Given the production hashers
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = UserFactory(username="real-hash")
    user.set_password("s3cret-pass-word")
    user.save()

    # Then the stored hash is the production algorithm's and the password checks out
    algorithm = user.password.split("$", 1)[0]
    assert algorithm == get_hasher("default").algorithm
    assert algorithm != "md5"
    assert authenticate(username="real-hash", password="s3cret-pass-word") == user
    assert authenticate(username="real-hash", password="wrong") is None
