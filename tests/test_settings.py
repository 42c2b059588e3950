"""Settings as an operator meets them: manage.py and the WSGI entry in fresh processes,
with environments built from nothing, so the test runner's own variables cannot leak in."""

import pytest

from tests.fresh_processes import PRODUCTION, REAL_KEY, manage, run


def assert_one_line_naming(result, variable):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("Configuration error: ")
    assert variable in lines[0]


def without(name):
    return {key: value for key, value in PRODUCTION.items() if key != name}


@pytest.mark.parametrize(
    "env, variable",
    [
        (without("DJANGO_SECRET_KEY"), "DJANGO_SECRET_KEY"),
        ({**PRODUCTION, "DJANGO_SECRET_KEY": "django-insecure-" + REAL_KEY}, "DJANGO_SECRET_KEY"),
        ({**PRODUCTION, "DJANGO_SECRET_KEY": "too-short-to-be-a-key"}, "DJANGO_SECRET_KEY"),
        (without("DJANGO_ALLOWED_HOSTS"), "DJANGO_ALLOWED_HOSTS"),
        ({**PRODUCTION, "DJANGO_ALLOWED_HOSTS": " , "}, "DJANGO_ALLOWED_HOSTS"),
        (without("COGNITO_USER_POOL_ID"), "COGNITO_USER_POOL_ID"),
        (without("COGNITO_APP_CLIENT_ID"), "COGNITO_APP_CLIENT_ID"),
        ({**PRODUCTION, "DJANGO_DEBUG": "true"}, "DJANGO_DEBUG"),
    ],
    ids=[
        "no-secret-key",
        "placeholder-key",
        "weak-key",
        "no-hosts",
        "blank-hosts",
        "no-user-pool",
        "no-app-client",
        "debug-on",
    ],
)
def test_production_refuses_to_start_without(env, variable, tmp_path):
    assert_one_line_naming(manage(env, tmp_path), variable)


@pytest.mark.parametrize(
    "name, value",
    [
        ("AWS_REGION", "nowhere"),
        ("DJANGO_DEBUG", "maybe"),
        ("AWS_ENDPOINT_URL", "not-a-url"),
        ("SESSION_COOKIE_AGE", "abc"),
        ("SESSION_COOKIE_AGE", "10"),
        ("APP_ENV", "staging"),
        ("DYNAMODB_TABLE", "no spaces allowed"),
        ("LOG_LEVEL", "LOUD"),
        ("COGNITO_DOMAIN", "https://auth.example.com"),
        ("COGNITO_DOMAIN", "auth.example.com/login"),
    ],
)
@pytest.mark.parametrize("mode", [{}, PRODUCTION], ids=["local", "production"])
def test_malformed_value_is_one_line_naming_it(mode, name, value, tmp_path):
    assert_one_line_naming(manage({**mode, name: value}, tmp_path), name)


def test_complete_production_environment_passes_deploy_checks(tmp_path):
    result = manage(PRODUCTION, tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_with_the_hosted_ui_door_passes_deploy_checks(tmp_path):
    env = {**PRODUCTION, "COGNITO_DOMAIN": "auth.sessions.example.com", "COGNITO_APP_CLIENT_SECRET": "s" * 50}
    result = manage(env, tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_hosted_ui_door_needs_the_pool_and_app_client(tmp_path):
    # Locally they are usually found by provisioning; the door needs them up front.
    assert_one_line_naming(manage({"COGNITO_DOMAIN": "auth.example.com"}, tmp_path), "COGNITO_DOMAIN")


def test_local_mode_needs_no_variables(tmp_path):
    result = manage({}, tmp_path, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert result.stderr == ""


def test_local_mode_shows_the_sites_own_error_pages_unless_debug_is_asked_for(tmp_path):
    probe = "from django.conf import settings; print(settings.DEBUG)"
    assert manage({}, tmp_path, "shell", "-c", probe).stdout.split()[-1] == "False"
    assert manage({"DJANGO_DEBUG": "true"}, tmp_path, "shell", "-c", probe).stdout.split()[-1] == "True"


def test_wsgi_entry_with_a_bad_setting_prints_one_line(tmp_path):
    result = run(["-c", "import campaigns_site.wsgi"], {**PRODUCTION, "AWS_REGION": "nowhere"}, tmp_path)
    assert_one_line_naming(result, "AWS_REGION")
    assert result.returncode == 2


def test_wsgi_entry_loads_with_a_complete_production_environment(tmp_path):
    result = run(
        ["-c", "from campaigns_site.wsgi import application; print(callable(application))"], PRODUCTION, tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert (tmp_path / "orm.sqlite3").exists()


@pytest.mark.parametrize(("mode", "has_runlocal"), [({}, True), (PRODUCTION, False)], ids=["local", "production"])
def test_the_local_run_is_installed_only_outside_production(mode, has_runlocal, tmp_path):
    """devtools (runlocal, the embedded moto, the demo) is a local app: production does not
    install it, so a package without it (zappa_settings.json leaves it out) loses nothing."""
    result = manage(mode, tmp_path, "help", "--commands")
    assert result.returncode == 0, result.stderr
    assert ("runlocal" in result.stdout.split()) is has_runlocal
