from django.core.management.base import BaseCommand, CommandError

from accounts.cognito import CognitoError
from accounts.staff import StaffChangeRefused, account_sub, grant_staff, list_staff, revoke_staff
from campaigns_site import audit

# The command's actions as the audit log names them (campaigns_site.audit.ACTIONS).
AUDITED_AS = {"add": "make-staff", "remove": "remove-staff"}


class Command(BaseCommand):
    help = (
        "Add or remove a staff member (the Cognito group `staff` and the profile's flag, so it "
        "counts from their next request), or list the staff. Changes are recorded in the audit log."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("add", help="make an account staff").add_argument("email")
        actions.add_parser("remove", help="end an account's staff access at once").add_argument("email")
        actions.add_parser("list", help="list the staff")

    def handle(self, *args, action, email=None, **options):
        email = (email or "").strip().lower()
        try:
            if action == "list":
                members = list_staff()
                for member in members:
                    self.stdout.write(f"{member['email']}  {member['sub']}")
                self.stdout.write(f"{len(members)} staff.")
                return
            sub = account_sub(email=email)
        except StaffChangeRefused as error:
            raise CommandError(str(error)) from error
        except CognitoError as error:
            raise CommandError(f"Cognito refused ({error.code}): run the command again.") from error
        self._change(action, sub=sub, email=email)

    def _change(self, action, *, sub, email):
        """Make the change and record it (done, or failed with Cognito's error code)."""
        record = {"by": audit.OPERATOR, "action": AUDITED_AS[action], "target_sub": sub, "target_email": email}
        try:
            (grant_staff if action == "add" else revoke_staff)(sub=sub)
        except CognitoError as error:
            audit.record_action(**record, outcome=audit.FAILED, reason=error.code)
            raise CommandError(f"Cognito refused ({error.code}): run the command again to finish.") from error
        audit.record_action(**record)
        if action == "add":
            self.stdout.write(self.style.SUCCESS(f"{email} ({sub}) is staff from their next request."))
        else:
            self.stdout.write(self.style.SUCCESS(f"{email} ({sub}) is no longer staff, from their next request."))
