"""Our own account pages: confirming a sign-up with Cognito's emailed code.

allauth's code-confirmation flow makes and checks its own codes; Cognito's code is
checked by Cognito, so this small view does it (allauth's views do the rest).
"""

from allauth.decorators import rate_limit
from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import ConfirmSignUpForm, ResendCodeForm, confirm_url
from accounts.password_views import rate_limit_per_email

# moto (the local Cognito) accepts any confirmation code and sends no email.
LOCAL_CODE = "123456"


@never_cache
@sensitive_post_parameters("code")
@rate_limit(action="confirm_signup")
@require_http_methods(["GET", "POST"])
def confirm_signup(request):
    if request.method == "POST":
        form = ConfirmSignUpForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            messages.success(request, "Your email address is confirmed. Log in to start.")
            return redirect(f"{reverse('account_login')}?{urlencode({'email': email})}")
    else:
        initial = {"email": request.GET.get("email", "")}
        if not settings.PRODUCTION:
            initial["code"] = LOCAL_CODE
        form = ConfirmSignUpForm(initial=initial)
    return render(request, "account/confirm_signup.html", {"form": form, "local_cognito": not settings.PRODUCTION})


@rate_limit(action="confirm_signup")
@rate_limit_per_email("resend_code")  # each one emails the address: no flooding one inbox
@require_POST
def resend_code(request):
    form = ResendCodeForm(request.POST) if settings.PRODUCTION else None
    email = request.POST.get("email", "")
    if form is None:
        messages.info(request, "The local Cognito sends no email: any code works.")
    elif form.is_valid():
        messages.success(request, "If an account waits for confirmation, we have sent it a new code.")
    else:
        for error in form.non_field_errors() or form.errors.get("email", []):
            messages.error(request, error)
    return redirect(confirm_url(email))


def not_available(request, *args, **kwargs):
    """allauth pages that cannot work while Cognito holds the credentials."""
    raise Http404("Not available")
