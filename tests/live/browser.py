"""Headless Chromium (Debian's /usr/bin/chromium) driven over the DevTools protocol.

A minimal client on ``websockets``: launch the browser with every host but 127.0.0.1
unresolvable (so the page has no network beyond this machine), attach to its page, send
commands, and collect the events a test looks at (requests, console errors, exceptions).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import websockets

CHROMIUM = Path("/usr/bin/chromium")
INSTALL = "apt-get install -y chromium fonts-noto-cjk"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
    # The network is off for the page: no name but 127.0.0.1 resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)
TIMEOUT_S = 30


def require_chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = f"Chromium is not installed at {CHROMIUM} (install it with: {INSTALL})"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(f"{message}; browser test skipped")


@dataclass
class Page:
    """One page target, attached over the browser's DevTools websocket."""

    connection: Any
    session_id: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _pending: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self.connection.send(
            json.dumps(
                {"id": message_id, "method": method, "params": params, "sessionId": self.session_id}
            )
        )
        return await asyncio.wait_for(future, TIMEOUT_S)

    def dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message:
            future = self._pending.pop(message["id"], None)
            if future is not None and not future.done():
                if "error" in message:
                    future.set_exception(RuntimeError(f"CDP error: {message['error']}"))
                else:
                    future.set_result(message.get("result", {}))
            return
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.requests.append(params["request"])
        elif method == "Runtime.exceptionThrown":
            self.problems.append(f"exception: {params['exceptionDetails']}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            self.problems.append(f"console.error: {params.get('args')}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.problems.append(f"log: {params['entry'].get('text')}")

    async def evaluate(self, expression: str) -> Any:
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, expression: str, timeout_s: float = TIMEOUT_S) -> Any:
        """Poll ``expression`` until it is truthy; return its value."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            value = await self.evaluate(expression)
            if value:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"still false after {timeout_s} s: {expression}")
            await asyncio.sleep(0.2)

    async def goto(self, url: str) -> None:
        await self.send("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete'")

    async def screenshot(self, path: Path) -> Path:
        shot = await self.send("Page.captureScreenshot", format="png")
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))
        return path


@asynccontextmanager
async def chromium_page(profile: Path) -> AsyncIterator[Page]:
    """A fresh browser (empty profile) and its one page, with the network off."""
    chromium = require_chromium()
    process = await asyncio.create_subprocess_exec(
        str(chromium),
        *FLAGS,
        f"--user-data-dir={profile}",
        "--remote-debugging-port=0",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        lines: list[str] = []
        for _ in range(TIMEOUT_S * 10):
            lines = await asyncio.to_thread(_lines, port_file)
            if len(lines) >= 2:
                break
            await asyncio.sleep(0.1)
        port, path = lines[:2]
        async with websockets.connect(
            f"ws://127.0.0.1:{port}{path}", max_size=64 * 1024 * 1024
        ) as connection:
            pages: dict[str, Page] = {}

            async def read() -> None:
                async for raw in connection:
                    message = json.loads(raw)
                    page = pages.get(message.get("sessionId", ""))
                    if page is not None:
                        page.dispatch(message)
                    elif "id" in message and message["id"] in browser_pending:
                        browser_pending.pop(message["id"]).set_result(message.get("result", {}))

            browser_pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
            reader = asyncio.create_task(read())

            async def browser(method: str, message_id: int, **params: Any) -> dict[str, Any]:
                future = asyncio.get_running_loop().create_future()
                browser_pending[message_id] = future
                await connection.send(
                    json.dumps({"id": message_id, "method": method, "params": params})
                )
                return await asyncio.wait_for(future, TIMEOUT_S)

            target = await browser("Target.createTarget", 1, url="about:blank")
            attached = await browser(
                "Target.attachToTarget", 2, targetId=target["targetId"], flatten=True
            )
            page = Page(connection, attached["sessionId"])
            pages[page.session_id] = page
            for domain in ("Page", "Runtime", "Network", "Log"):
                await page.send(f"{domain}.enable")
            try:
                yield page
            finally:
                reader.cancel()
    finally:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []
