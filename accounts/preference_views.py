"""The reader's preferences: the theme, for anyone; kept in the profile for a signed-in user."""

from django.http import HttpResponseRedirect
from django.views.decorators.http import require_POST

from accounts import profiles
from campaigns_site.forms import ThemeForm
from campaigns_site.owners import sub
from campaigns_site.themes import remember_theme


@require_POST
def set_theme(request):
    """Remember the reader's light/dark choice in a cookie: no account needed. A signed-in
    user's choice is saved in their profile too (one UpdateItem), so their next sign-in
    on another browser sets it there (accounts.adapter)."""
    form = ThemeForm(request.POST)
    form.is_valid()
    # A plain redirect to the checked path (ThemeForm.clean_next), whatever else was sent:
    # never redirect(), which would try a bare word as a URL name.
    response = HttpResponseRedirect(form.cleaned_data.get("next") or "/")
    if "theme" in form.cleaned_data:  # a valid choice is kept even if `next` was not
        theme = form.cleaned_data["theme"]
        remember_theme(response, theme=theme, secure=request.is_secure())
        if request.user.is_authenticated:
            try:
                profiles.set_preferences(sub=sub(request), theme=theme)
            except profiles.ProfileMissing:  # the account is being deleted: the cookie will do
                pass
    return response
