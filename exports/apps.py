from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """A user's data out and back in (docs/export-format.md): a zip of JSON lines, the
    transcripts as uploaded and an Obsidian-friendly Markdown vault; `manage.py
    export_data` and `import_data` for operators."""

    name = "exports"
    label = "exports"
    verbose_name = "export and re-import"
