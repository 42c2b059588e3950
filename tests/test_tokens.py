import time

import jwt
import pytest
from moto.utilities.utils import load_resource

from accounts import cognito
from accounts.tokens import InvalidToken, verify_id_token

PASSWORD = "correct horse 42"


@pytest.fixture
def tokens(aws):
    cognito.sign_up(email="alice@example.com", password=PASSWORD)
    cognito.confirm_sign_up(email="alice@example.com", code="1")
    return cognito.password_auth(email="alice@example.com", password=PASSWORD)


def test_valid_id_token_gives_its_claims(tokens):
    claims = verify_id_token(tokens["IdToken"])
    assert claims["email"] == "alice@example.com"
    assert claims["token_use"] == "id"


def test_access_token_is_not_an_id_token(tokens):
    with pytest.raises(InvalidToken):
        verify_id_token(tokens["AccessToken"])


def test_tampered_token_is_refused(tokens):
    header, payload, signature = tokens["IdToken"].split(".")
    forged = jwt.encode({"sub": "someone-else", "token_use": "id"}, "k" * 32, algorithm="HS256").split(".")[1]
    with pytest.raises(InvalidToken):
        verify_id_token(f"{header}.{forged}.{signature}")


def test_other_audience_is_refused(settings, tokens):
    settings.COGNITO_APP_CLIENT_ID = "another-client"
    with pytest.raises(InvalidToken):
        verify_id_token(tokens["IdToken"])


def test_other_issuer_is_refused(settings, tokens):
    settings.COGNITO_USER_POOL_ID = settings.COGNITO_USER_POOL_ID  # same pool, other region
    settings.AWS_REGION = "eu-west-1"
    with pytest.raises(InvalidToken):
        verify_id_token(tokens["IdToken"])


def _signed_with_the_pools_key(claims):
    """A token signed with the key moto's pool signs with (moto ships its private JWK)."""
    private_jwk = load_resource("cognitoidp/resources/jwks-private.json")
    key = jwt.PyJWK.from_dict(private_jwk).key
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "dummy"})


def test_expired_token_is_refused(tokens):
    claims = verify_id_token(tokens["IdToken"])
    assert verify_id_token(_signed_with_the_pools_key(claims)) == claims  # the helper signs validly
    expired = {**claims, "iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}
    with pytest.raises(InvalidToken):
        verify_id_token(_signed_with_the_pools_key(expired))
