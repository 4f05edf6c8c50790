"""``python -m desktop`` starts the app exactly as the ``soniox-desktop`` launcher does."""

from __future__ import annotations

import sys

from desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
