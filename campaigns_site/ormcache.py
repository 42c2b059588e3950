"""The per-process ORM cache database.

Nothing durable lives in the ORM; it only holds the framework's own rows. A fresh
process (a new Lambda container) starts from a migrated template shipped in the
package: copying a file takes a millisecond, running migrations takes far longer.
"""

import shutil
from pathlib import Path

from django.conf import settings

TEMPLATE_PATH = Path(__file__).resolve().parent / "orm-cache-template.sqlite3"


def ensure_orm_cache():
    name = settings.DATABASES["default"]["NAME"]
    if str(name).startswith((":memory:", "file:")) or Path(name).exists():
        return "present"
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    if TEMPLATE_PATH.exists():
        shutil.copyfile(TEMPLATE_PATH, name)
        return "copied"
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return "migrated"
