"""The reader's theme (light, dark or the device's): a cookie every page reads, so
choosing one needs no account. A signed-in user's choice is kept in their profile too
(accounts.preference_views) and set again as the cookie at each sign-in (accounts.adapter),
so it follows them to another browser."""

from campaigns_site.forms import THEMES

THEME_COOKIE = "theme"
ONE_YEAR = 60 * 60 * 24 * 365


def theme_from_cookie(request):
    """The theme the request's cookie names, "auto" for none or one we do not know."""
    theme = request.COOKIES.get(THEME_COOKIE, "auto")
    return theme if theme in dict(THEMES) else "auto"


def remember_theme(response, *, theme, secure):
    """Set the theme cookie on `response` (`theme` is one of THEMES' keys)."""
    response.set_cookie(THEME_COOKIE, theme, max_age=ONE_YEAR, samesite="Lax", secure=secure, httponly=True)
