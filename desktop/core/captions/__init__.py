"""Captions of a live session: the last lines to show over other apps, and a caption file for other tools."""
