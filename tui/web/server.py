"""``annotty serve``: the whole app in a browser, one app process per tab, with textual-serve.

textual-serve's ``Server`` runs a shell command per WebSocket and relays the terminal; this
subclass adds what serving a terminal to a network needs (``tui.web.access``: the token, the
Host and Origin checks, security headers), a page that loads nothing from the network
(``templates/app_index.html``), no directory listing, a one-line banner instead of the logo,
and a clean stop: Ctrl+C reaches only the server, which closes every tab's app in turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
import textual_serve
from aiohttp import WSCloseCode, web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from tui.web.access import TOKEN_QUERY, Access, is_loopback, needs_token, new_token

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(textual_serve.__file__).resolve().parent / "static"
"""textual-serve's own xterm.js, its CSS and the Roboto Mono fonts."""
TOKEN_ENV = "ANNOTTY_SERVE_TOKEN"
"""Where ``--token`` may come from instead (``annotations.cli.serve_cmd``)."""
QUIT_WAIT_SECONDS = 5.0
"""How long a tab's app may take to quit when its tab or the server closes; then it is killed."""
log = logging.getLogger("textual-serve")


class TabSession(AppService):
    """One tab's app process, in a process group of its own: Ctrl+C in the server's terminal
    reaches only the server (which then quits each app), never the apps directly. On Linux
    the app also ends when the server does, even one killed outright (no orphans)."""

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:  # noqa: V105
        environment = self._build_environment(width=width, height=height)
        environment.pop(TOKEN_ENV, None)  # the app has no use for the server's access token
        self._process = process = await asyncio.create_subprocess_shell(
            self.command,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            process_group=0,
            preexec_fn=_end_with_parent(),
        )
        assert process.stdin is not None
        self._stdin = process.stdin  # noqa: V101  (textual-serve's AppService reads it)
        return process

    async def stop(self) -> None:
        """Ask the app to quit; if it has not within ``QUIT_WAIT_SECONDS``, end its group."""
        task = self._task
        if task is None:
            return
        with contextlib.suppress(Exception):
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        with contextlib.suppress(Exception):
            await self.send_meta({"type": "quit"})
        try:
            await asyncio.wait_for(asyncio.shield(task), QUIT_WAIT_SECONDS)
        except (TimeoutError, asyncio.CancelledError):
            self.kill()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 1.0)
        self._task = None
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._process.wait(), QUIT_WAIT_SECONDS)
            self.kill()

    def kill(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


def _end_with_parent() -> Callable[[], None] | None:
    """For the child between fork and exec: ask Linux to send it SIGTERM when its parent, the
    server, ends (``PR_SET_PDEATHSIG``; kept across exec; the tab's command ``exec``s the app,
    so the app itself is the child). Elsewhere None: a server killed outright leaves its apps
    waiting on a closed pipe."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1

    def end_with_parent() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return end_with_parent


class AnnottyServer(Server):
    """textual-serve's server with annotty's access rules; ``serve()`` runs it."""

    def __init__(
        self,
        command: str,
        host: str,
        port: int,
        access: Access,
        public_url: str | None = None,
        say: Callable[[str], None] = print,
        show_token: bool = False,
    ) -> None:
        """``show_token``: the banner's URL carries the token (one that was generated: the
        only time anyone sees it); ``say`` prints the banner once the port is bound."""
        super().__init__(
            command,
            host=host,
            port=port,
            title="annotty",
            public_url=public_url,
            statics_path=STATIC,
            templates_path=TEMPLATES,
        )
        self.given_public_url = public_url.rstrip("/") if public_url else None
        self.access = access
        self.say = say
        self.show_token = show_token
        self.sockets: set[web.WebSocketResponse] = set()

    def initialize_logging(self) -> None:
        """Warnings only, one plain line each (textual-serve logs every session at INFO)."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("annotty serve: %(message)s"))
        log.handlers[:] = [handler]
        log.setLevel(logging.WARNING)
        log.propagate = False

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.access.middleware])
        aiohttp_jinja2.setup(
            app, loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True
        )
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_response_prepare.append(self.access.on_prepare)
        app.on_shutdown.append(self.on_shutdown)
        return app

    def base_url(self, request: web.Request) -> str:
        """Where the browser reached us: ``--public-url`` behind a proxy, else the address
        in its own request (after the Host check, on loopback)."""
        return self.given_public_url or f"{request.scheme}://{request.host}"

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        base = self.base_url(request)
        websocket = ("wss:" if base.startswith("https:") else "ws:") + base.split(":", 1)[1]
        nonce = secrets.token_urlsafe(16)
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{websocket}/ws",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
            "nonce": nonce,
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        ws_origin = websocket.split("/", 3)[:3]
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self' 'unsafe-inline'; "  # xterm.js sizes its rows with style elements
            "font-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {'/'.join(ws_origin)}; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        )
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """As textual-serve's, with the tab's app in ``TabSession`` and the socket remembered,
        so that a stopping server can close every tab (and so quit every app) first."""
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        session: TabSession | None = None
        self.sockets.add(websocket)
        try:
            await websocket.prepare(request)

            async def close() -> None:
                await websocket.close()

            session = TabSession(
                self.command,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # a tab's trouble must not stop the server
            log.warning("a session ended with an error: %s", error)
        finally:
            self.sockets.discard(websocket)
            if session is not None:
                await session.stop()
        return websocket

    async def on_shutdown(self, app: web.Application) -> None:
        """Close every tab: each handler then quits its app (``TabSession.stop``)."""
        for websocket in list(self.sockets):
            with contextlib.suppress(Exception):
                await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

    def banner(self) -> str:
        """One line: where to open the app (with the token the first and only time it is
        shown, when it was generated) and how to stop."""
        if self.given_public_url:
            base = self.given_public_url
        else:
            host = self.host
            if host in ("0.0.0.0", "::", ""):
                host = socket.gethostname()
            elif ":" in host:
                host = f"[{host}]"
            base = f"http://{host}:{self.port}"
        url = f"{base}/"
        if self.show_token and self.access.token:
            url += f"?{TOKEN_QUERY}={self.access.token}"
        where = "this machine only" if is_loopback(self.host) else f"bound to {self.host}"
        if self.access.token and not self.show_token:
            where += ", with the token given"
        return f"annotty serve: {url} ({where}; Ctrl+C stops)"

    def serve(self, debug: bool = False) -> None:
        """Run until Ctrl+C (or SIGTERM); a port in use raises ``OSError`` before anything
        is printed."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_exit)
        try:
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                shutdown_timeout=QUIT_WAIT_SECONDS + 2,
                print=lambda *_: self.say(self.banner()),
                access_log=None,
            )
        except GracefulExit:
            pass
        finally:
            if not loop.is_closed():
                loop.close()


def serve(
    command: str,
    host: str,
    port: int,
    token: str | None,
    public_url: str | None,
    say: Callable[[str], None],
) -> None:
    """Serve ``command`` (one per tab) on ``host``:``port`` until Ctrl+C. Reachable by others
    (``needs_token``), a token is required: ``token``, else one made now and shown once in the
    banner. A port in use raises ``OSError`` before anything is printed."""
    loopback = is_loopback(host)
    made = token is None and needs_token(host, public_url)
    if made:
        token = new_token()
    AnnottyServer(
        command,
        host=host,
        port=port,
        access=Access(port=port, loopback=loopback, token=token, public_url=public_url),
        public_url=public_url,
        say=say,
        show_token=made,
    ).serve()
