from django.core.management.base import CommandError

from campaigns_site.operations import OperationsCommand
from campaigns_site.provision import ProvisionError, provision


class Command(OperationsCommand):
    help = "Create or update the table, transcript bucket and Cognito user pool. Safe to re-run."

    def handle(self, *args, **options):
        try:
            report = provision(progress=self.stdout.write)
        except ProvisionError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS("Provisioned. Settings for this deployment:"))
        self.stdout.write(f"  COGNITO_USER_POOL_ID={report.user_pool_id}")
        self.stdout.write(f"  COGNITO_APP_CLIENT_ID={report.app_client_id}")
        if report.app_client_secret:
            self.stdout.write("  COGNITO_APP_CLIENT_SECRET=<in the app client; not printed>")
