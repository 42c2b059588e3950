from django.conf import settings

from campaigns_site.forms import THEMES


def site(request):
    theme = request.COOKIES.get("theme", "auto")
    return {
        "local_mode": not settings.PRODUCTION,
        "theme": theme if theme in dict(THEMES) else "auto",
        "themes": THEMES,
    }
