"""/staff/users/<sub>/<action>/: GET asks to confirm, POST does it (staff/user_actions.py)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import staff_required
from staff import user_actions


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def user_action(request, sub, action):
    """GET: who, and what will happen (AdminGetUser and the profile's GetItem). POST: do
    it, record it in the audit log, and go back to the user's page with a message."""
    chosen = user_actions.ACTIONS.get(action)
    target = user_actions.find_target(sub=sub) if chosen else None
    if target is None or not target.allows(chosen):
        raise Http404("No such user or action.")
    if request.method == "GET":
        context = {
            "action": chosen,
            "target": target,
            "refusal": user_actions.refusal(chosen, target=target, by_sub=request.user.sub),
            "already": target.already(chosen),
            "back_url": user_page_url(target.sub),
        }
        return render(request, "staff/user_action_confirm.html", context)
    try:
        done = user_actions.perform(chosen, target=target, by_email=request.user.email, by_sub=request.user.sub)
    except (user_actions.ActionRefused, user_actions.ActionFailed) as error:
        messages.error(request, str(error))
        return redirect(user_page_url(target.sub))
    messages.success(request, done)
    if chosen.name == "delete":
        return redirect(_optional_reverse("staff_users") or reverse("staff_audit"))
    return redirect(user_page_url(target.sub))


def user_page_url(sub):
    """The user's staff page (staff_user), or the audit log until that page exists."""
    return _optional_reverse("staff_user", sub=sub) or reverse("staff_audit")


def _optional_reverse(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""
