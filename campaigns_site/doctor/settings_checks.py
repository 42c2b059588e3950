"""The settings, as `manage.py check --deploy` sees them (Django's system checks with the
deployment ones): an error fails, a warning warns. Run through the checks framework
itself rather than the command's text, so each message keeps its own hint as the fix."""

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
        fix = message.hint or "See `manage.py check --deploy`."
        if message.is_serious():
            yield fail(label, message.msg, fix)
        elif message.level >= checks.WARNING:
            yield warn(label, message.msg, fix)
