"""Hidden command-line options of the library, for automation and the crash-recovery test.

They are not shown in ``--help`` (``argparse.SUPPRESS``) because they exist for scripted runs:

``--live-file PATH``
    As soon as the main window is up, start a live session that streams ``PATH`` (at real-time
    pace, like choosing "File" as the live source and pressing Start). Needs an API key.

``--recovery-report PATH``
    After start-up, take the "interrupted session found" offer as a user would (open every
    offered session in its transcript window), write what was offered and what the windows
    show as JSON to ``PATH``, and quit. ``tests/app/test_crash_recovery.py`` uses it to check, in a
    real app process, that a session killed with SIGKILL comes back complete.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--live-file", metavar="PATH", help=argparse.SUPPRESS)
    parser.add_argument("--recovery-report", metavar="PATH", help=argparse.SUPPRESS)
