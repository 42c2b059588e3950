"""Which account pages exist: ours and allauth's that work with Cognito; the rest are 404."""

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/confirm/",
        "/accounts/logout/",
        "/accounts/password/reset/",
        "/accounts/password/reset/code/",
        "/accounts/password/change/",
        "/accounts/logout/everywhere/",
    ],
)
def test_supported_pages_answer(client, db, path):
    assert client.get(path).status_code in (200, 302)


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/email/",
        "/accounts/confirm-email/",
        "/accounts/password/set/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/1-set-password/",
        "/accounts/password/reset/key/done/",
        "/accounts/reauthenticate/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_pages_that_cannot_work_with_cognito_are_not_found(client, db, path, method):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response.templates[0].name == "404.html"


def test_allauth_pages_we_do_not_override_use_the_site_layout(client, db):
    response = client.get("/accounts/inactive/")
    assert "base.html" in [t.name for t in response.templates]
    assert '<a class="skip-link" href="#main">' in response.content.decode()
