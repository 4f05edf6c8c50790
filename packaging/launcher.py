"""PyInstaller's entry script: the frozen app starts exactly as the ``soniox-desktop`` launcher does.

A script outside the ``desktop`` package keeps PyInstaller from putting ``desktop/`` itself on the
module search path (which ``desktop/__main__.py`` as the entry would do).
"""

from __future__ import annotations

import sys

from desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
