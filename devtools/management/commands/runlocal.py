import os
import signal
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from campaigns_site import aws
from campaigns_site.operations import (
    LOCAL_CREDENTIALS,
    announce_local_aws,
    aws_errors_as_command_errors,
    withdraw_local_aws,
)
from campaigns_site.provision import provision
from devtools.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo_data
from devtools.demo_costs import preset_cost_explorer, seed_meter_days
from devtools.demo_ops import LOCAL_FUNCTION_NAME, seed_local_error_log
from devtools.demo_staff import STAFF_EMAIL, STAFF_PASSWORD, seed_staff_demo
from devtools.localaws import DEFAULT_PORT, LocalAws, LocalAwsError, aws_mode

DEFAULT_ADDRPORT = "127.0.0.1:8000"
# Names that are both Django settings and environment variables: set in both places so
# this process and the autoreloader's child (which inherits the environment) agree.
SETTINGS_FROM_ENVIRONMENT = (
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "SITE_ORIGIN",
    "COGNITO_USER_POOL_ID",
    "COGNITO_APP_CLIENT_ID",
    "COGNITO_APP_CLIENT_SECRET",
    "LAMBDA_FUNCTION_NAME",
)


def local_state_path():
    return settings.BASE_DIR / ".local" / "aws-state.pickle"


class Command(BaseCommand):
    help = (
        "Serve the site on http://127.0.0.1:8000 against a local AWS (moto) started here, "
        "with its data kept in .local/. Safe to stop and start again."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDRPORT, help="Address and port of the site.")
        parser.add_argument("--reset", action="store_true", help="Delete the local data first and start over.")
        parser.add_argument("--aws-port", type=int, default=DEFAULT_PORT, help="Port of the local AWS.")
        parser.add_argument(
            "--real-aws",
            action="store_true",
            help="Use the AWS account configured in the environment: start no emulator, create nothing.",
        )
        parser.add_argument(
            "--noreload", action="store_false", dest="use_reloader", help="Do not reload on code edits."
        )

    def handle(self, *args, addrport, reset, aws_port, real_aws, use_reloader, **options):
        mode = aws_mode(environ=os.environ, use_real_aws=real_aws)
        if mode == "child":
            # The first process started the local AWS and put its address in our environment.
            return self.serve(addrport, use_reloader)

        if reset:
            if mode != "embedded":
                raise CommandError("--reset deletes the embedded local AWS's data; it is not in use here.")
            self.reset_local_data()
        # A `kill` or a closing terminal then ends like Ctrl-C: through `finally`, which saves.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        local_aws = None
        try:
            if mode == "embedded":
                starting = LocalAws(state_path=local_state_path(), port=aws_port)
                try:
                    state = starting.start()
                except LocalAwsError as error:
                    raise CommandError(str(error)) from None
                local_aws = starting
                self.stdout.write(f"Local AWS: {'restored' if state == 'restored' else 'new, empty'}.")
                os.environ.pop("AWS_PROFILE", None)
                os.environ.pop("AWS_SESSION_TOKEN", None)
                export(
                    AWS_ENDPOINT_URL=local_aws.endpoint_url,
                    AWS_REGION=settings.AWS_REGION,
                    AWS_DEFAULT_REGION=settings.AWS_REGION,
                    **LOCAL_CREDENTIALS,
                    # Ids left in the shell from elsewhere mean nothing here: provisioning
                    # finds the local pool and client by name and exports their ids.
                    COGNITO_USER_POOL_ID="",
                    COGNITO_APP_CLIENT_ID="",
                    COGNITO_APP_CLIENT_SECRET="",
                    # A function of its own, so /staff/errors/ reads the local log group
                    # (devtools/demo_ops.py writes it), never production's by the default name.
                    LAMBDA_FUNCTION_NAME=os.environ.get("LAMBDA_FUNCTION_NAME") or LOCAL_FUNCTION_NAME,
                )
            seed = None
            if mode in ("embedded", "external"):
                # Your own emulator not answering is one line, not a traceback.
                with aws_errors_as_command_errors():
                    seed = self.provision_and_seed(addrport)
                    if local_aws is not None:
                        self.seed_operations(local_aws)
            if local_aws is not None:
                # Operations commands in another terminal find this run's AWS by this file.
                announce_local_aws(
                    endpoint_url=local_aws.endpoint_url,
                    user_pool_id=settings.COGNITO_USER_POOL_ID,
                    app_client_id=settings.COGNITO_APP_CLIENT_ID,
                )
            call_command("migrate", verbosity=0, interactive=False)
            self.banner(addrport, mode=mode, local_aws=local_aws, seed=seed)
            self.serve(addrport, use_reloader)
        finally:
            if local_aws is not None:
                withdraw_local_aws()
                local_aws.stop()
                self.stdout.write(f"Local data saved in {local_aws.state_path}.")

    def provision_and_seed(self, addrport):
        if not os.environ.get("SITE_ORIGIN"):
            export(SITE_ORIGIN=f"http://{_address(addrport)}")
        report = provision(progress=lambda line: self.stdout.write(f"  {line}", self.style.HTTP_INFO))
        export(
            COGNITO_USER_POOL_ID=report.user_pool_id,
            COGNITO_APP_CLIENT_ID=report.app_client_id,
            COGNITO_APP_CLIENT_SECRET=report.app_client_secret,
        )
        seed = seed_demo_data()
        self.staff_seed = seed_staff_demo(demo_seed=seed)
        if seed.created:
            seed_meter_days()  # the cost page's own model: what the meter would have counted
        return seed

    def seed_operations(self, local_aws):
        """moto's logs and Cost Explorer are not in the snapshot: given again at each start."""
        seed_local_error_log(function=settings.LAMBDA_FUNCTION_NAME)
        preset_cost_explorer(endpoint_url=local_aws.endpoint_url)

    def reset_local_data(self):
        for path in (local_state_path(), settings.DATABASES["default"]["NAME"]):
            if os.path.exists(path):
                os.remove(path)
                self.stdout.write(f"Deleted {path}")

    def banner(self, addrport, *, mode, local_aws, seed):
        lines = ["", self.style.SUCCESS("Campaign Sessions, local run"), f"  Site:        http://{_address(addrport)}/"]
        if local_aws is not None:
            lines += [
                f"  Local AWS:   {local_aws.endpoint_url} (moto: DynamoDB, S3, Cognito), started here",
                f"  Data:        {local_aws.state_path}, saved as you go and on exit",
                "  Start over:  make reset-local   (or: manage.py runlocal --reset)",
            ]
        elif mode == "external":
            lines.append(f"  AWS:         {settings.AWS_ENDPOINT_URL} (yours; provisioned, not started here)")
        else:
            lines.append(f"  AWS:         the account configured in the environment, region {settings.AWS_REGION}")
        if seed is not None:
            note = "just created" if seed.created else "unless you changed the password"
            lines.append(f"  Demo login:  {DEMO_EMAIL} / {DEMO_PASSWORD}   ({note})")
            if seed.upgraded:
                lines.append("  Demo:        transcripts, summaries, a story and a second session added to your demo")
            staff = getattr(self, "staff_seed", None)
            staff_note = "just created" if staff is not None and staff.created else "unless you changed the password"
            lines.append(f"  Staff login: {STAFF_EMAIL} / {STAFF_PASSWORD}   ({staff_note}; the staff pages: /staff/)")
            if seed.share_path:
                # Only the token's hash is kept: this is the one time the link can be shown.
                lines.append(f"  Demo share:  {settings.SITE_ORIGIN}{seed.share_path}   (shown this once: copy it now)")
        lines.append("  Stop:        Ctrl-C")
        self.stdout.write("\n".join(lines) + "\n")

    def serve(self, addrport, use_reloader):
        # The cutover's scheduled work, while the site runs (in the process that serves, not
        # in the autoreloader's parent): v1.0's changes followed, the outbox drained.
        serving = not use_reloader or os.environ.get("RUN_MAIN") == "true"
        if settings.V1_SOURCE_DSN and serving:
            from cutover.background import follow_in_background

            follow_in_background(settings.V1_SOURCE_DSN)
            self.stdout.write("  Sync:        following v1.0's change log (V1_SOURCE_DSN)")
        if settings.V1_MIRROR_DSN and serving:
            from cutover.background import drain_in_background

            drain_in_background(settings.V1_MIRROR_DSN)
            self.stdout.write("  Mirror:      this app's changes into v1.0, retried every minute (V1_MIRROR_DSN)")
        call_command("runserver", addrport, use_reloader=use_reloader)


def export(**values):
    """Set for this process and for the autoreloader's child, which inherits the environment."""
    os.environ.update(values)
    for name, value in values.items():
        if name in SETTINGS_FROM_ENVIRONMENT:
            setattr(settings, name, value)
    aws.reset()


def _address(addrport):
    """runserver's addrport ("8001", "0.0.0.0:8001" or "127.0.0.1:8000") as host:port."""
    host, _, port = addrport.rpartition(":")
    return f"{host or '127.0.0.1'}:{port}"
