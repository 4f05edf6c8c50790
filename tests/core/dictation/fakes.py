"""A dictation target for trigger and hotkey tests: begin/end take time and pass through the
dictation service's states (by name), so presses can land while it connects or finishes."""

from __future__ import annotations

import asyncio
import enum
import time


class State(enum.Enum):
    IDLE = 1
    CONNECTING = 2
    LISTENING = 3
    FINISHING = 4
    ERROR = 5


class FakeDictation:
    """A dictation target whose begin/end take time and pass through the service's states."""

    def __init__(self, connect_s: float = 0.02, finish_s: float = 0.02, fail_begin: bool = False) -> None:
        self.state = State.IDLE
        self.connect_s = connect_s
        self.finish_s = finish_s
        self.fail_begin = fail_begin
        self.calls: list[str] = []
        self.call_times: list[float] = []  # time.monotonic() of each call, for latency figures

    async def begin(self) -> None:
        self.calls.append("begin")
        self.call_times.append(time.monotonic())
        self.state = State.CONNECTING
        await asyncio.sleep(self.connect_s)
        if self.fail_begin:
            self.state = State.ERROR
            raise RuntimeError("no API key")
        self.state = State.LISTENING

    async def end(self) -> None:
        self.calls.append("end")
        self.call_times.append(time.monotonic())
        self.state = State.FINISHING
        await asyncio.sleep(self.finish_s)
        self.state = State.IDLE

    def cancel(self) -> None:
        self.calls.append("cancel")
        self.state = State.IDLE
