"""Dictation: speak while a key is held, and the words are typed into whatever app has focus.

Qt-free like the rest of ``desktop.core``: the microphone, the way text reaches the other app and
the question "which app is focused" are injected (``desktop.audio``, ``desktop.platform``), so a
tray item, a global hotkey and the main window's Dictate action all drive one
:class:`~desktop.core.dictation.service.DictationService`.
"""
