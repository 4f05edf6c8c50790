"""The desktop around the app: global hotkeys, typing into other apps, login items, notifications.

Each capability is one small interface with one implementation per system (X11/Wayland, Windows,
macOS), imported only on its own system. Like ``desktop.audio`` this package never imports Qt or
the UI: the OS is reached through kept libraries (pynput, dbus-fast, desktop-notifier, pyobjc,
the Windows registry), and the Qt side only calls the interfaces.
"""
