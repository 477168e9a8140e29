#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cnam_territoires.settings")
    from django.core.management import execute_from_command_line

    from cnam_territoires.priority import batch_command_priority

    # Batch commands (national batch, warm-up, loaders) yield the CPU to the web server.
    batch_command_priority(sys.argv)
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
