from django.apps import AppConfig


class V1Config(AppConfig):
    """The move from v1.0 (PostgreSQL): import_v1 and verify_v1 (docs/migration.md)."""

    name = "v1"
    label = "v1"
    verbose_name = "v1.0 migration"
