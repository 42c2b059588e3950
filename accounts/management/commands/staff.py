from django.core.management.base import BaseCommand, CommandError

from accounts.cognito import CognitoError
from accounts.staff import StaffChangeRefused, add_staff, list_staff, remove_staff


class Command(BaseCommand):
    help = (
        "Add or remove a staff member (the Cognito group `staff` and the profile's flag, so it "
        "counts from their next request), or list the staff."
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
            elif action == "add":
                sub = add_staff(email=email)
                self.stdout.write(self.style.SUCCESS(f"{email} ({sub}) is staff from their next request."))
            else:
                sub = remove_staff(email=email)
                self.stdout.write(self.style.SUCCESS(f"{email} ({sub}) is no longer staff, from their next request."))
        except StaffChangeRefused as error:
            raise CommandError(str(error)) from error
        except CognitoError as error:
            raise CommandError(f"Cognito refused ({error.code}): run the command again to finish.") from error
