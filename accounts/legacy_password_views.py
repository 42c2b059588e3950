"""Pages for v1.0 users: a new password when the old one breaks the pool's rules, and
what a Discord/Google-only account does to get a password."""

from allauth.decorators import rate_limit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from accounts import legacy_passwords
from accounts.password_forms import NewPasswordForm, reset_request_url
from campaigns_site.owners import sub

NEW_PASSWORD_SET = "Your new password is set. Use it from now on."


@never_cache
@login_required
@sensitive_post_parameters("new_password1", "new_password2")
@rate_limit(action="change_password")
@require_http_methods(["GET", "POST"])
def new_password(request):
    """Only for a user signed in with an old password the policy refused; others change
    their password on the usual page."""
    if not legacy_passwords.needs_new_password(sub=sub(request)):
        return redirect("account_change_password")
    if request.method == "POST":
        form = NewPasswordForm(request.POST, user=request.user)
        if form.is_valid():
            messages.success(request, NEW_PASSWORD_SET)
            return redirect("home")
    else:
        form = NewPasswordForm(user=request.user)
    return render(request, "account/legacy_new_password.html", {"form": form})


@require_GET
def social_only(request):
    # The email typed on the login page, so "Forgot password" opens with it filled in.
    email = request.GET.get("email", "")[:254]
    return render(request, "account/legacy_social_only.html", {"reset_url": reset_request_url(email)})
