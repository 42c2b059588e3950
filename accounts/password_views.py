"""Password pages on Cognito: forgot/reset with an emailed code, change, log out everywhere.

allauth's own password views reset and change the password of this container's ORM row,
which Cognito never sees; these replace them under the same URL names.
"""

from functools import wraps

from allauth.core.internal import ratelimit
from allauth.decorators import rate_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.password_forms import (
    ChangePasswordForm,
    PasswordResetCodeForm,
    PasswordResetRequestForm,
    reset_code_url,
    reset_request_url,
)
from campaigns_site.owners import sub
from campaigns_site.templatetags.site_tags import optional_url

# Where a local run keeps the code the embedded Cognito made, between page 1 and page 2.
LOCAL_CODE_SESSION_KEY = "password_reset_local_code"

CODE_SENT = "If an account uses {email}, we have emailed it a code. It can take a minute to arrive."
PASSWORD_RESET = "Your password is changed, and every device was logged out. Log in with your new password."
PASSWORD_CHANGED = "Your password is changed. Every other device was logged out; this one stays logged in."
LOGGED_OUT_EVERYWHERE = "You are logged out everywhere: on every device and browser, this one included."


def rate_limit_per_email(action):
    """allauth's rate limit `action`, counted per IP and per posted email address.

    allauth's decorator has no per-request key, and the reset limit ("5/m/key") counts
    per address, as allauth's own reset view does: it stops one inbox from being flooded
    with codes from many addresses.
    """

    def decorate(view):
        @wraps(view)
        def limited(request, *args, **kwargs):
            email = request.POST.get("email", "").strip().lower()
            too_many = ratelimit.consume_or_429(request, app="allauth.account", action=action, key=email)
            return too_many or view(request, *args, **kwargs)

        return limited

    return decorate


@never_cache
@rate_limit_per_email("reset_password")
@require_http_methods(["GET", "POST"])
def reset_password(request):
    """Page 1: ask for the email. The answer is the same whether or not it has an account."""
    if request.method == "POST":
        form = PasswordResetRequestForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            if form.local_code and not settings.PRODUCTION:
                request.session[LOCAL_CODE_SESSION_KEY] = {"email": email, "code": form.local_code}
            messages.success(request, CODE_SENT.format(email=email))
            return redirect(reset_code_url(email))
    else:
        form = PasswordResetRequestForm(initial={"email": request.GET.get("email", "")})
    return render(request, "account/password_reset.html", {"form": form})


@never_cache
@sensitive_post_parameters("code", "new_password1", "new_password2")
@rate_limit(action="reset_password_from_key")
@require_http_methods(["GET", "POST"])
def reset_password_with_code(request):
    """Page 2: the emailed code and a new password; then every session ends, this one too."""
    if request.method == "POST":
        form = PasswordResetCodeForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            # Whoever holds the code owns the account now: no session outlives a reset,
            # not even this browser's (its item is gone already; logout gives it a fresh one).
            logout(request)
            messages.success(request, PASSWORD_RESET)
            return redirect(f"{reverse('account_login')}?{urlencode({'email': email})}")
    else:
        form = PasswordResetCodeForm(initial={"email": request.GET.get("email", "")})
    context = {
        "form": form,
        "local_cognito": not settings.PRODUCTION,
        "local_code": _local_code(request, email=form["email"].value()),
        # The first page again, its email filled in: one click to a new code.
        "new_code_url": reset_request_url(form["email"].value() or ""),
    }
    return render(request, "account/password_reset_code.html", context)


def _local_code(request, *, email):
    """The code the embedded Cognito made for `email` (local runs only), or None."""
    if settings.PRODUCTION or not email:
        return None
    stored = request.session.get(LOCAL_CODE_SESSION_KEY) or {}
    return stored.get("code") if stored.get("email") == email.strip().lower() else None


@never_cache
@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@rate_limit(action="change_password")
@require_http_methods(["GET", "POST"])
def change_password(request):
    if request.method == "POST":
        form = ChangePasswordForm(request.POST, user=request.user)
        if form.is_valid():
            # The bump ended every session, this one too: store the new hash in this one
            # (under a new key, as Django's update_session_auth_hash does) to keep it.
            request.user.auth_version = form.auth_version or request.user.auth_version
            update_session_auth_hash(request, request.user)
            messages.success(request, PASSWORD_CHANGED)
            return redirect(optional_url("account_profile") or "account_change_password")
    else:
        form = ChangePasswordForm(user=request.user)
    return render(request, "account/password_change.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def logout_everywhere(request):
    """GET asks; POST ends every session of the user (Cognito's refresh tokens too)."""
    if request.method == "POST":
        # Imported here: this module also serves the reset pages to visitors without a
        # session (and accounts.views imports it at start-up); they must not load PynamoDB.
        from accounts import password_services

        password_services.end_every_session(sub=sub(request))
        logout(request)
        messages.success(request, LOGGED_OUT_EVERYWHERE)
        return redirect("home")
    return render(request, "account/logout_everywhere.html")
