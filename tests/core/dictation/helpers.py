"""Test doubles for dictation: an inserter that records what it was given, a focused app, and a
service wired to the emulator with a numpy "microphone"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop.core.dictation.service import DictationListener, DictationService, DictationState
from desktop.core.dictation.types import FocusedApp, InsertMethod, InsertResult
from desktop.core.library.store import Library
from desktop.core.live import LiveOptions
from tests.core.live.test_live_session_support import NumpySource, make_pcm

OPTIONS = LiveOptions(model="stt-rt-v4", language_hints=["en"])
EDITOR = FocusedApp("Editor", "editor")
FAST = {"keepalive_interval_s": 0.25, "response_timeout_s": 3.0}


class RecordingInserter:
    """Keeps what it inserted; ``before`` is what the field held before the cursor (None: unknown)."""

    def __init__(self, before: str | None = None, result: InsertResult | None = None) -> None:
        self.field = before
        self.inserted: list[str] = []
        self._result = result

    def text_before_cursor(self) -> str | None:
        return self.field

    def insert(self, text: str) -> InsertResult:
        self.inserted.append(text)
        if self.field is not None:
            self.field += text
        return self._result or InsertResult(True, InsertMethod.TYPE)


class Heard(DictationListener):
    def __init__(self) -> None:
        self.states: list[tuple[DictationState, str]] = []
        self.words: list[tuple[str, str]] = []
        self.done: list[Any] = []

    def on_state(self, state: DictationState, detail: str) -> None:
        self.states.append((state, detail))

    def on_words(self, final: str, provisional: str) -> None:
        self.words.append((final, provisional))

    def on_done(self, dictation: Any) -> None:
        self.done.append(dictation)

    @property
    def state_names(self) -> list[str]:
        return [s.value for s, _ in self.states]


def speaking_source(**kwargs: Any) -> NumpySource:
    """A microphone someone keeps talking into: 300 ms words with 300 ms gaps, forever."""
    plan = [("silence", 100)] + [("speech", 300), ("silence", 300)] * 10
    return NumpySource(make_pcm(plan), pace_s=kwargs.pop("pace_s", 0.01), repeat=True, **kwargs)


def make_service(
    client: Any,
    inserter: RecordingInserter,
    *,
    source_factory: Callable[[], Any] | None = None,
    library: Library | None = None,
    app: FocusedApp | None = EDITOR,
    **kwargs: Any,
) -> tuple[DictationService, Heard, list[NumpySource]]:
    heard = Heard()
    sources: list[NumpySource] = []

    def new_source() -> Any:
        source = source_factory() if source_factory else speaking_source()
        sources.append(source)
        return source

    kwargs.setdefault("session_options", FAST)
    service = DictationService(
        lambda: client,
        new_source,
        lambda: inserter,
        lambda: app,
        options=lambda: (OPTIONS, None),
        library=lambda: library,
        listener=heard,
        **kwargs,
    )
    return service, heard, sources
