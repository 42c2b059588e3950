"""Verify Cognito ID tokens before any claim is used.

The signature is checked against the user pool's JSON Web Key Set, then issuer, audience
(our app client), expiry and `token_use`. Keys are cached per process and fetched again
once when a token names a key we have not seen (Cognito rotates keys rarely).

PyJWT and requests are imported on use: with the hosted UI door on (COGNITO_DOMAIN), this
module is loaded at start-up (allauth's URLconf, accounts.hosted_ui), and a cold start
serving the home page verifies no token.
"""

import threading

from django.conf import settings

_jwks_cache = {}
_jwks_lock = threading.Lock()


class InvalidToken(Exception):
    pass


def issuer():
    return f"https://cognito-idp.{settings.AWS_REGION}.amazonaws.com/{settings.COGNITO_USER_POOL_ID}"


def jwks_url():
    # The endpoint override serves the JWKS at the same path (moto does).
    base = settings.AWS_ENDPOINT_URL or f"https://cognito-idp.{settings.AWS_REGION}.amazonaws.com"
    return f"{base}/{settings.COGNITO_USER_POOL_ID}/.well-known/jwks.json"


def _fetch_jwks(url):
    import requests

    response = requests.get(url, timeout=5)
    response.raise_for_status()
    return response.json()


def _signing_key(kid):
    import jwt

    url = jwks_url()
    for refresh in (False, True):
        with _jwks_lock:
            if refresh or url not in _jwks_cache:
                _jwks_cache[url] = {key["kid"]: key for key in _fetch_jwks(url).get("keys", [])}
            key = _jwks_cache[url].get(kid)
        if key is not None:
            return jwt.PyJWK.from_dict(key).key
    raise InvalidToken("the token was signed with an unknown key")


def verify_id_token(token):
    """The verified claims of a Cognito ID token, or InvalidToken."""
    import jwt

    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(
            token,
            key=_signing_key(header.get("kid")),
            algorithms=["RS256"],
            audience=settings.COGNITO_APP_CLIENT_ID,
            issuer=issuer(),
            options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            leeway=30,
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    if claims.get("token_use") != "id":
        raise InvalidToken("not an ID token")
    return claims
