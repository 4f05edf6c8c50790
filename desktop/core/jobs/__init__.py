"""File transcription jobs: checking, uploading, creating, listing and polling async transcriptions.

Everything here is Qt-free so it can be tested on a plain asyncio loop against the emulator; the
widgets in ``desktop.ui.jobs`` only present what these modules report.
"""
