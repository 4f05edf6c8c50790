"""Dictation in the UI: the global hotkey's host and Settings section, the floating indicator."""
