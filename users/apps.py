from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "users"
    verbose_name = "Users and permission sets"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from .services import standard_permission_sets_ensure

        # After the roles (core), so that every permission a standard set names exists.
        post_migrate.connect(standard_permission_sets_ensure, dispatch_uid="users-standard-permission-sets")
