from django.template import Context, Template

from tests.factories import UserFactory


def test_user_name_shows_full_name_username_or_system(db):
    template = Template("{{ a|user_name }}/{{ b|user_name }}/{{ c|user_name }}/{{ c|user_name:'—' }}")
    named = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    bare = UserFactory(username="bare", first_name="", last_name="")

    out = template.render(Context({"a": named, "b": bare, "c": None}))

    assert out == "Ada Lovelace/bare/System/—"
