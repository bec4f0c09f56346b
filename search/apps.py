from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .normalize import register_sqlite_functions

        # SQLite has no unaccent: each new connection gets the Python normalisation.
        connection_created.connect(register_sqlite_functions, dispatch_uid="search_sqlite_functions")
