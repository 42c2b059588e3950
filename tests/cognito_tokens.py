"""Whether Cognito still accepts a refresh token: the proof that a user was signed out everywhere
(tests/test_logout_everywhere_view.py, tests/test_staff_user_actions.py)."""

from django.conf import settings as django_settings

from accounts import cognito
from campaigns_site import aws as aws_clients


def refresh_works(refresh_token, *, username):
    secret_hash = cognito.secret_hash(username)
    parameters = {"REFRESH_TOKEN": refresh_token}
    if secret_hash:
        parameters["SECRET_HASH"] = secret_hash["SecretHash"]
    client = aws_clients.client("cognito-idp")
    try:
        client.initiate_auth(
            AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=parameters, ClientId=django_settings.COGNITO_APP_CLIENT_ID
        )
    except client.exceptions.NotAuthorizedException:
        return False
    return True
