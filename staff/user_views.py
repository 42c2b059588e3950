"""The staff's user pages: /staff/users/ (the directory, by email, searchable) and
/staff/users/<sub>/ (one user's facts and usage over time).

By key only, never a Scan: the list is one Query of the directory's partition (LSI1, in
email order), a user's page its entry (with its list of the last staff actions on them,
read with the session check: campaigns_site.prefetch) and one Query of their monthly
usage. Metadata only: nothing of a user's campaigns, sessions or summaries but counts.
"""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.decorators import staff_required
from campaigns_site import audit, directory
from campaigns_site.pagination import InvalidCursor
from campaigns_site.prefetch import reads
from campaigns_site.table_keys import InvalidKeyPart
from campaigns_site.views import start_over
from staff import users

RECENT_ACTIONS = audit.RECENT_ACTIONS  # on a user's page; the audit log has them all


class UserSearchForm(forms.Form):
    email = forms.CharField(
        label="Email starts with",
        required=False,
        max_length=directory.MAX_PREFIX,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


@never_cache
@staff_required
@require_GET
def staff_users(request):
    """One page of 25 users in email order (those whose email starts with the search, if
    any); "Next →" by signed cursor."""
    form = UserSearchForm(request.GET)
    prefix = ""
    if form.is_valid():
        prefix = form.cleaned_data["email"]
        form = UserSearchForm(initial={"email": prefix})  # shown as searched: trimmed, lower case
    first_page_url = reverse("staff_users") + (f"?{urlencode({'email': prefix})}" if prefix else "")
    cursor = request.GET.get("cursor") or None
    try:
        entries, next_cursor = directory.list_entries(email_prefix=prefix, cursor=cursor)
    except InvalidCursor:
        return start_over(request, first_page_url)
    context = {
        "form": form,
        "prefix": prefix,
        "rows": [(directory.sub_of(entry), entry) for entry in entries],
        "next_cursor": next_cursor,
        "is_first_page": cursor is None,
        "first_page_url": first_page_url,
    }
    return render(request, "staff/users.html", context)


@reads(directory.entry_keys)
@never_cache
@staff_required
@require_GET
def staff_user(request, sub):
    """One user's entry, their usage month by month and the last staff actions on them; 404
    for a sub not in the directory. The entry (and the actions listed on it) come with the
    session check; then one Query of the usage (and one of the audit log for an entry
    whose list is not kept yet)."""
    try:
        entry = directory.get_entry(sub=sub)
    except InvalidKeyPart:
        raise Http404("No such user") from None
    if entry is None:
        raise Http404("No such user")
    months = users.usage_over_time(sub=sub)
    actions = audit.recent_actions_on(entry)
    if actions is None:
        actions = audit.list_actions_for(sub=sub, limit=RECENT_ACTIONS).items
    context = {
        "sub": sub,
        "entry": entry,
        "actions": actions,
        "months": months,
        "bars": users.usage_bars(months),
        "chart": {"width": users.CHART_WIDTH, "height": users.CHART_HEIGHT, "counter": users.CHARTED},
    }
    return render(request, "staff/user.html", context)
