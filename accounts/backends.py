"""The authentication backend: Cognito checks passwords, DynamoDB holds the user.

Nothing about a signed-in user depends on the container that served the login: the
session (DynamoDB) holds the sub, and get_user rebuilds the local row from the profile.
"""

from django.contrib.auth.backends import BaseBackend

from accounts import profiles, services
from accounts.cognito import CognitoError

# Cognito's answers to a wrong email or password (they read the same, by design).
WRONG_CREDENTIALS = {"NotAuthorizedException", "UserNotFoundException"}


class CognitoBackend(BaseBackend):
    def authenticate(self, request, email=None, password=None, **credentials):
        """The user, or None for credentials that are not ours or not right.

        A password Cognito refuses may be a v1.0 user's old one (accounts.legacy_sign_in).
        Any other refusal (unconfirmed, locked out, Cognito unavailable) raises
        CognitoError, which Django's authenticate() lets through (it stops only
        PermissionDenied): the login form turns it into a message.
        """
        if not email or not password:
            return None
        try:
            return services.log_in_with_password(email=email, password=password)
        except CognitoError as error:
            if error.code not in WRONG_CREDENTIALS:
                raise
            if error.code != "NotAuthorizedException":
                return None
        # Imported here: bcrypt is needed only when Cognito refused a password.
        from accounts import legacy_sign_in

        # A v1.0 user's first sign-in: their old password may still be the right one.
        return legacy_sign_in.log_in_with_old_password(email=email, password=password)

    def get_user(self, user_id):
        profile = profiles.profile_for_request(sub=user_id)
        if profile is None or profile.deleting_since:
            services.forget_user(sub=user_id)  # the account ended: its cached row goes too
            return None
        return services.cache_user(profile)
