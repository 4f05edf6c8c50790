"""A protocol-faithful Soniox emulator (REST ``/v1`` + real-time WebSocket) for tests.

    from tests.fake_soniox import FakeSoniox

    with FakeSoniox(api_keys={"test-key"}) as emu:
        client = AsyncSonioxClient(api_key="test-key", api_base_url=emu.api_base_url,
                                   websocket_base_url=emu.websocket_url)

See ``server.FakeSoniox`` for the control methods (job clock, scripts, injected faults) and
``python -m tests.fake_soniox --help`` for running it as a separate process.
"""

from .recognizer import RecognizerSettings
from .records import RealtimeSessionSnapshot, WebhookDelivery
from .script import DEFAULT_SCRIPT, Utterance, script_text
from .server import FakeSoniox
from .state import Limits
from .webhooks import WebhookPolicy

__all__ = [
    "DEFAULT_SCRIPT",
    "FakeSoniox",
    "Limits",
    "RealtimeSessionSnapshot",
    "RecognizerSettings",
    "Utterance",
    "WebhookDelivery",
    "WebhookPolicy",
    "script_text",
]
