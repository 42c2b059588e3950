from django.conf import settings

from campaigns_site.forms import THEMES
from campaigns_site.themes import theme_from_cookie


def site(request):
    return {
        "local_mode": not settings.PRODUCTION,
        "theme": theme_from_cookie(request),
        "themes": THEMES,
    }
