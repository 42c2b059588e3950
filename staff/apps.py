from django.apps import AppConfig


class StaffConfig(AppConfig):
    """The staff's pages across users (docs/operations.md): the user directory and the
    actions on an account with their audit log, summary jobs and share links of every
    user, the real cost, the last errors. Metadata only: never a user's text."""

    name = "staff"
    label = "staff"
    verbose_name = "staff pages"
