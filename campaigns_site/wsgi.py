"""WSGI entry, used by runserver and by Zappa's handler on Lambda."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaigns_site.settings")

from campaigns_site.coldstart import collect_less_until_first_response  # noqa: E402
from campaigns_site.config import ConfigError  # noqa: E402

collect_less_until_first_response()  # a cold start makes objects that live as long as the process

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ConfigError as error:
    # One line in the log that names the variable, not a traceback.
    print(f"Configuration error: {error}", file=sys.stderr)
    raise SystemExit(2) from None

from campaigns_site.ormcache import ensure_orm_cache  # noqa: E402

ensure_orm_cache()
