"""Dictation: speak while a hotkey is held (or toggled) and the words are typed into the focused app."""
