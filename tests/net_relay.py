"""A loopback TCP relay that can fail the way real networks do, for live-session outage tests.

The app connects to the relay's port instead of the emulator's. The relay forwards bytes both
ways until a test breaks it in one of two ways:

* :meth:`TcpRelay.black_out` is a network that is gone (a train tunnel, a laptop moving between
  networks): every open connection is reset, and so is every new one the moment it arrives, so
  reconnect attempts fail without an answer until :meth:`TcpRelay.restore`, on the same port.
* :meth:`TcpRelay.stall` is Wi-Fi that vanished without a reset: sockets stay open but no byte
  moves in either direction, and new connections are accepted and then hear nothing, until
  :meth:`TcpRelay.resume`.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct


class TcpRelay:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._server: asyncio.Server | None = None
        self._port = 0
        self._stalled = asyncio.Event()
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self.connections = 0  # accepted connections, all time
        self._down = False

    @property
    def port(self) -> int:
        return self._port

    def url(self, scheme: str, path: str = "") -> str:
        return f"{scheme}://127.0.0.1:{self._port}{path}"

    async def start(self) -> None:
        await self._listen()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self._port, reuse_address=True)
        self._port = self._server.sockets[0].getsockname()[1]

    async def black_out(self) -> None:
        """Reset every connection, and every new one at once, until :meth:`restore`.

        The listening socket stays bound (new connections are reset as soon as they arrive, which
        the client sees as a refused/reset connect, no HTTP answer): closing it would let another
        process on this machine take the port meanwhile, and "back on the same port" would fail.
        """
        self._down = True
        for client_w, upstream_w in list(self._links):
            for writer in (client_w, upstream_w):
                _reset(writer)
        self._links.clear()

    async def restore(self) -> None:
        self._down = False

    def stall(self) -> None:
        """Keep every socket open but let no byte through (and accept new ones into the void)."""
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    async def close(self) -> None:
        await self.black_out()
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self._down:
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._target)
        except OSError:
            _reset(writer)
            return
        link = (writer, up_writer)
        self._links.add(link)
        pumps = [
            asyncio.create_task(self._pump(reader, up_writer)),
            asyncio.create_task(self._pump(up_reader, writer)),
        ]
        self._tasks.update(pumps)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            pass  # the relay is closing
        finally:
            for task in pumps:
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.gather(*pumps, return_exceptions=True)
            self._tasks.difference_update(pumps)
            self._links.discard(link)
            for w in link:
                with contextlib.suppress(Exception):
                    w.close()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while True:
                await self._flowing.wait()
                data = await reader.read(65536)
                if not data:
                    return
                # Bytes read just as the stall began are held, not forwarded: nothing moves.
                await self._flowing.wait()
                writer.write(data)
                await writer.drain()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST rather than FIN, as a dropped network path looks to the peer."""
    sock = writer.get_extra_info("socket")
    with contextlib.suppress(OSError):
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
