"""``/_emulator/...``: the control surface for an emulator running in another process.

The CLI emulator (``python -m tests.fake_soniox``) cannot be driven through Python calls, so the
same controls are offered as small JSON endpoints. No authentication: it listens on loopback
only, and it is outside ``/v1`` so clients of the real API never see it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .server import FakeSoniox


def _ok(body: Any = None) -> web.Response:
    return web.json_response({"ok": True} if body is None else body)


class AdminApi:
    """Thin JSON wrappers around ``FakeSoniox`` methods (same names, same arguments)."""

    def __init__(self, emulator: FakeSoniox) -> None:
        self.emu = emulator

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/_emulator/state", self.get_state),
            web.post("/_emulator/advance", self.advance),
            web.post("/_emulator/finish_all_jobs", self.finish_all_jobs),
            web.get("/_emulator/realtime_sessions", self.realtime_sessions),
            web.post("/_emulator/inject", self.inject),
            web.post("/_emulator/fail_next", self.fail_next),
            web.post("/_emulator/latency", self.latency),
            web.post("/_emulator/balance", self.balance),
            web.post("/_emulator/script", self.script),
            web.post("/_emulator/acoustic", self.acoustic),
            web.post("/_emulator/script_job", self.script_job),
            web.post("/_emulator/seed_transcriptions", self.seed_transcriptions),
            web.post("/_emulator/clear_faults", self.clear_faults),
            web.post("/_emulator/chaos", self.chaos),
            web.get("/_emulator/chaos", self.chaos_stats),
            web.get("/_emulator/webhooks", self.webhooks),
        ]

    @staticmethod
    async def _body(request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise web.HTTPBadRequest(text="body must be JSON") from None
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="body must be a JSON object")
        return data

    @staticmethod
    def _call(fn: Any, /, **kwargs: Any) -> Any:
        try:
            return fn(**kwargs)
        except (TypeError, ValueError) as exc:
            raise web.HTTPBadRequest(text=str(exc)) from None

    async def get_state(self, request: web.Request) -> web.Response:
        state = self.emu.state
        with state.lock:
            return _ok(
                {
                    "api_base_url": self.emu.api_base_url,
                    "websocket_url": self.emu.websocket_url,
                    "job_clock_s": state.clock,
                    "files": len(state.files.by_id),
                    "transcriptions": len(state.jobs.by_id),
                    "realtime_sessions": len(state.sessions),
                    "active_realtime_sessions": sum(1 for s in state.sessions if s.active),
                    "acoustic": state.config.acoustic,
                }
            )

    async def advance(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self._call(self.emu.advance, seconds=float(body.get("seconds", 0)))
        return _ok()

    async def finish_all_jobs(self, request: web.Request) -> web.Response:
        self.emu.finish_all_jobs()
        return _ok()

    async def realtime_sessions(self, request: web.Request) -> web.Response:
        with_audio = request.query.get("audio") in ("1", "true")
        sessions = []
        for snap in self.emu.realtime_sessions:
            item = asdict(snap)
            item.pop("audio")
            item["controls"] = [asdict(c) for c in snap.controls]
            item["final_text"] = snap.final_text
            if with_audio:
                item["audio_base64"] = base64.b64encode(snap.audio).decode()
            sessions.append(item)
        return _ok({"sessions": sessions})

    async def inject(self, request: web.Request) -> web.Response:
        self._call(self.emu.inject_realtime, **await self._body(request))
        return _ok()

    async def fail_next(self, request: web.Request) -> web.Response:
        self._call(self.emu.fail_next, **await self._body(request))
        return _ok()

    async def latency(self, request: web.Request) -> web.Response:
        self._call(self.emu.set_latency, **await self._body(request))
        return _ok()

    async def balance(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self._call(self.emu.set_balance_exhausted, error_type=body.get("error_type"))
        return _ok()

    async def script(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        self._call(self.emu.set_script, utterances=body.get("utterances", []), loop=bool(body.get("loop")))
        return _ok()

    async def acoustic(self, request: web.Request) -> web.Response:
        body = await self._body(request)
        on = body.get("on")
        if not isinstance(on, bool):
            raise web.HTTPBadRequest(text='body must be {"on": true} or {"on": false}')
        self.emu.set_acoustic(on)
        return _ok()

    async def script_job(self, request: web.Request) -> web.Response:
        self._call(self.emu.script_job, **await self._body(request))
        return _ok()

    async def seed_transcriptions(self, request: web.Request) -> web.Response:
        ids = self._call(self.emu.seed_transcriptions, **await self._body(request))
        return _ok({"ids": ids})

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.emu.clear_faults()
        return _ok()

    async def chaos(self, request: web.Request) -> web.Response:
        self._call(self.emu.set_chaos, **await self._body(request))
        return _ok()

    async def chaos_stats(self, request: web.Request) -> web.Response:
        return _ok(self.emu.chaos_stats().as_dict())

    async def webhooks(self, request: web.Request) -> web.Response:
        return _ok({"deliveries": [asdict(d) for d in self.emu.webhook_deliveries]})
