"""Widgets of the local library: history with search, a transcript window with playback synced
to the words, corrections, and the "interrupted session found" offer at start."""
