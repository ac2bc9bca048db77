"""The `arrears` command: Django's management commands behind one entry point."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["arrears", *sys.argv[1:]])


if __name__ == "__main__":
    main()
