"""The `arrears` command: Django's management commands behind one entry point."""

from __future__ import annotations

import os
import sys

# The commands that start a server: they refuse before anything starts when there is no secret key
# (the WSGI module refuses too, for servers started any other way).
SERVERS = {"runserver", "testserver"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    from django.core.management import execute_from_command_line

    if len(sys.argv) > 1 and sys.argv[1] in SERVERS:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from arrears.secret_key import refuse_to_serve

        try:
            refuse_to_serve(settings)
        except ImproperlyConfigured as exc:
            sys.exit(f"arrears {sys.argv[1]}: {exc}")
    execute_from_command_line(["arrears", *sys.argv[1:]])


if __name__ == "__main__":
    main()
