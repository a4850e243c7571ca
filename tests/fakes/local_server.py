"""The lifecycle both fakes share: an aiohttp app on a free 127.0.0.1 port, as an async context."""
from __future__ import annotations

from typing import Any, Optional

from aiohttp import web


class LocalAiohttpServer:
    host = "127.0.0.1"
    port = 0
    _runner: Optional[web.AppRunner] = None

    def build_app(self) -> web.Application:  # pragma: no cover - each fake defines its routes
        raise NotImplementedError

    async def start(self):
        self._runner = web.AppRunner(self.build_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self):
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()
