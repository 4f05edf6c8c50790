"""Dictation's Qt side: the floating indicator, the Qt clipboard for pasting, and the host that
wires the core :class:`~desktop.core.dictation.service.DictationService` to the microphone, the
focused app and the main window."""
