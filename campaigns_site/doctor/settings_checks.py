"""The settings, as `manage.py check --deploy` sees them (Django's system checks with the
deployment ones): an error fails, a warning warns. Run through the checks framework
itself rather than the command's text, so each message keeps its own hint as the fix."""

from django.conf import settings
from django.core import checks

from campaigns_site.doctor import fail, ok, warn

NAME = "settings (check --deploy)"


def settings_checks():
    messages = [m for m in checks.run_checks(include_deployment_checks=True) if not m.is_silenced()]
    if not messages:
        yield ok(NAME, "no issues")
        return
    for message in messages:
        label = f"{NAME} {message.id}"
        detail = message.msg.split(". ")[0].rstrip(".")  # the first sentence says what; the rest, why
        if message.is_serious():
            yield fail(label, detail, _fix(message))
        elif message.level >= checks.WARNING:
            yield warn(label, detail, _fix(message))


def _fix(message):
    if message.hint:
        return message.hint
    if not settings.PRODUCTION:
        # The local settings leave HTTPS-only cookies, HSTS and a real key out on purpose.
        return "These are local settings: run doctor with the deployment's (APP_ENV=production and its variables)."
    return f"See `manage.py check --deploy` and Django's deployment checklist ({message.id})."
