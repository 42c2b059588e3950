#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaigns_site.settings")
    from django.core.management import execute_from_command_line

    from campaigns_site.config import ConfigError

    try:
        execute_from_command_line(sys.argv)
    except ConfigError as error:
        # One line naming the variable, not a traceback.
        sys.exit(f"Configuration error: {error}")


if __name__ == "__main__":
    main()
