"""Qt-free application logic: sessions, transcripts, jobs, storage, export.

Nothing under this package may import Qt, qasync or ``desktop.ui``; ``tests/app/test_layering.py``
enforces it so the logic stays testable without a display and reusable from a CLI.
"""
