"""dmgbuild settings: a disk image holding the app and a link to /Applications to drag it onto.

    dmgbuild -s packaging/macos/dmg_settings.py -D app="dist/Soniox Desktop.app" \
        "Soniox Desktop" dist/Soniox-Desktop-<version>.dmg

dmgbuild runs this file with ``exec`` and reads the names it sets; ``defines`` holds the ``-D``
values. Paths are relative to where dmgbuild runs (the repository root).
"""

# ruff: noqa: F821 - `defines` is provided by dmgbuild when it executes this file
from __future__ import annotations

import os.path

application = defines.get("app", "dist/Soniox Desktop.app")
app_name = os.path.basename(application)

# LZMA-compressed, read-only (hdiutil's ULMO needs macOS 10.15; the app needs 13 anyway).
format = defines.get("format", "ULMO")
filesystem = "HFS+"
files = [application]
symlinks = {"Applications": "/Applications"}
hide_extensions = [app_name]
icon = defines.get("icon", "resources/icons/app.icns")  # the mounted volume's icon in Finder

# A plain window: the app on the left, Applications on the right.
default_view = "icon-view"
window_rect = ((200, 160), (560, 300))
icon_size = 112
text_size = 13
icon_locations = {app_name: (140, 130), "Applications": (420, 130)}
show_status_bar = False
show_toolbar = False
show_pathbar = False
show_sidebar = False
