import pytest

from campaigns_site.config import (
    ConfigError,
    env_bool,
    env_host,
    env_int,
    env_list,
    env_str,
    env_url,
    production_secret_key,
)

GOOD_KEY = "q3Jx8-vN2pLr7TzWk0bYcHs5FmUaEdGi9oXj4RnQy6Vt1ZwKl_Ps" * 2


def test_env_str_default_when_missing_or_blank():
    assert env_str("NAME", "fallback", environ={}) == "fallback"
    assert env_str("NAME", "fallback", environ={"NAME": "   "}) == "fallback"


def test_env_str_strips_whitespace():
    assert env_str("NAME", environ={"NAME": "  value \n"}) == "value"


def test_env_str_required_names_the_variable():
    with pytest.raises(ConfigError, match="^NAME must be set$"):
        env_str("NAME", required=True, environ={})


def test_env_str_pattern_must_match_whole_value():
    assert env_str("REGION", pattern=r"[a-z]+-\d", environ={"REGION": "eu-1"}) == "eu-1"
    with pytest.raises(ConfigError, match="^REGION is malformed"):
        env_str("REGION", pattern=r"[a-z]+-\d", environ={"REGION": "eu-1x"})


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", " yes ", "on"])
def test_env_bool_true(raw):
    assert env_bool("FLAG", False, environ={"FLAG": raw}) is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_env_bool_false(raw):
    assert env_bool("FLAG", True, environ={"FLAG": raw}) is False


def test_env_bool_default_and_malformed():
    assert env_bool("FLAG", True, environ={}) is True
    with pytest.raises(ConfigError, match="^FLAG must be true or false, not 'maybe'$"):
        env_bool("FLAG", False, environ={"FLAG": "maybe"})


def test_env_int():
    assert env_int("AGE", 7, environ={}) == 7
    assert env_int("AGE", 7, environ={"AGE": " 42 "}) == 42
    with pytest.raises(ConfigError, match="^AGE must be a whole number, not 'abc'$"):
        env_int("AGE", 7, environ={"AGE": "abc"})
    with pytest.raises(ConfigError, match="^AGE must be at least 300, not 10$"):
        env_int("AGE", 7, minimum=300, environ={"AGE": "10"})


def test_env_list():
    assert env_list("HOSTS", ["a"], environ={}) == ["a"]
    assert env_list("HOSTS", ["a"], environ={"HOSTS": " "}) == ["a"]
    assert env_list("HOSTS", [], environ={"HOSTS": "x.example, y.example,,"}) == ["x.example", "y.example"]


def test_env_list_default_is_not_shared():
    default = ["a"]
    env_list("HOSTS", default, environ={}).append("b")
    assert default == ["a"]


def test_env_url():
    assert env_url("URL", environ={}) is None
    assert env_url("URL", "http://127.0.0.1:5000/", environ={}) == "http://127.0.0.1:5000"
    assert env_url("URL", environ={"URL": "https://example.com/"}) == "https://example.com"


@pytest.mark.parametrize("raw", ["not-a-url", "ftp://example.com", "http://", "example.com"])
def test_env_url_rejects_non_http_urls(raw):
    with pytest.raises(ConfigError, match="^URL must be an http\\(s\\) URL"):
        env_url("URL", environ={"URL": raw})


def test_production_secret_key_accepts_a_long_random_key():
    assert production_secret_key(environ={"DJANGO_SECRET_KEY": GOOD_KEY}) == GOOD_KEY


@pytest.mark.parametrize(
    "raw, problem",
    [
        ("", "must be set"),
        ("django-insecure-" + GOOD_KEY, "placeholder"),
        ("local-insecure-only-for-runs-on-this-machine", "placeholder"),
        ("change-me" + GOOD_KEY, "placeholder"),
        ("short", "too weak"),
        ("ab" * 40, "too weak"),
    ],
)
def test_production_secret_key_rejects(raw, problem):
    with pytest.raises(ConfigError, match=f"^DJANGO_SECRET_KEY .*{problem}"):
        production_secret_key(environ={"DJANGO_SECRET_KEY": raw})


def test_env_host_takes_a_bare_host_name():
    assert env_host("DOMAIN", environ={}) == ""
    assert env_host("DOMAIN", environ={"DOMAIN": " Auth.Example.COM "}) == "auth.example.com"
    assert env_host("DOMAIN", environ={"DOMAIN": "my-app.auth.us-east-1.amazoncognito.com"}) == (
        "my-app.auth.us-east-1.amazoncognito.com"
    )
    for raw in ("https://auth.example.com", "auth.example.com/", "auth.example.com:443", "localhost", "-a.example.com"):
        with pytest.raises(ConfigError, match="^DOMAIN must be a host name such as auth.example.com, not "):
            env_host("DOMAIN", environ={"DOMAIN": raw})
