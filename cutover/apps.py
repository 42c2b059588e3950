from django.apps import AppConfig


class CutoverConfig(AppConfig):
    """Both stacks live (docs/cutover.md): v1.0's changes captured and synced here, this
    app's changes mirrored into v1.0 through the outbox, the traffic split, retiring v1.0."""

    name = "cutover"
    label = "cutover"
    verbose_name = "cutover from v1.0"
