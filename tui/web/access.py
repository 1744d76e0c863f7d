"""Who may use ``annotty serve``: the access token, the Host and Origin checks, the headers.

A served app is a terminal with the annotator's rights on the database, so every route is
guarded, not only the page:

- **Token.** Bound beyond loopback (or with ``--token``), every request needs it: once as
  ``?token=`` (the page then forgets it from the address bar), afterwards from an HttpOnly,
  SameSite=Strict cookie that scripts cannot read and other sites' requests do not carry.
- **Origin** of the WebSocket: browsers let any page open a WebSocket to any address (no
  same-origin policy), so without this check a page on another site could drive the app of
  whoever has it open. Only the page's own origin (or ``--public-url``'s) may connect.
- **Host** on a loopback bind: a name under an attacker's control can be made to resolve to
  127.0.0.1 after the page loaded (DNS rebinding); then the page is "same-origin" with the
  server. Only localhost, 127.0.0.1 and [::1] (and the public URL's host) are served. Beyond
  loopback the token does that work: the rebound name never got the cookie.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

TOKEN_QUERY = "token"
SET_COOKIE = web.RequestKey("annotty_set_cookie", bool)
"""Marks a request that brought the token as ``?token=``: its response sets the cookie."""
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
PLAIN_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
"""For everything but the page (static files, downloads, refusals): nothing may run."""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server to this machine."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def needs_token(host: str, public_url: str | None) -> bool:
    """Whether others can reach the server: bound beyond loopback, or behind a proxy (a public
    URL), where every visitor arrives from 127.0.0.1 like the annotator herself."""
    return not is_loopback(host) or public_url is not None


def _origin(url: str) -> str:
    """scheme://host[:port] of ``url``, lower-cased, the default port left out."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443, "ws": 80, "wss": 443}.get(scheme)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    return f"{scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def _host_of(url: str) -> str:
    """host[:port] of ``url`` as a Host header carries it."""
    return _origin(url).split("://", 1)[1]


@dataclass(frozen=True)
class Access:
    """The rules of one server: its port, whether it is bound to loopback, its token."""

    port: int
    loopback: bool
    token: str | None = None
    public_url: str | None = None
    cookie: str = field(init=False)

    def __post_init__(self) -> None:
        # one cookie per port: two servers on one machine must not overwrite each other's
        object.__setattr__(self, "cookie", f"annotty_token_{self.port}")

    @property
    def secure_cookie(self) -> bool:
        return (self.public_url or "").lower().startswith("https:")

    def allowed_hosts(self) -> set[str]:
        """Host headers a loopback bind answers (the public URL's too, for a local proxy
        that passes the public host on)."""
        names = {"localhost", "127.0.0.1", "[::1]"}
        hosts = {f"{name}:{self.port}" for name in names}
        if self.port == 80:
            hosts |= names
        if self.public_url:
            hosts.add(_host_of(self.public_url))
        return hosts

    def host_ok(self, request: web.Request) -> bool:
        return not self.loopback or (request.host or "").lower() in self.allowed_hosts()

    def origin_ok(self, request: web.Request) -> bool:
        """The WebSocket comes from our own page: its Origin is the origin the browser
        loaded the page from (this server's Host, or the public URL behind a proxy)."""
        origin = request.headers.get("Origin")
        if not origin:
            return False  # browsers always send one; nothing else needs the WebSocket
        allowed = {_origin(f"{request.scheme}://{request.host}")}
        if self.public_url:
            allowed.add(_origin(self.public_url))
        return _origin(origin) in allowed

    def token_from(self, request: web.Request) -> tuple[bool, bool]:
        """(allowed, from the query): whether the request carries the token, and whether it
        came as ``?token=`` (then the cookie is set on the response)."""
        if self.token is None:
            return True, False
        if _same(request.cookies.get(self.cookie), self.token):
            return True, False
        if _same(request.query.get(TOKEN_QUERY), self.token):
            return True, True
        return False, False

    def cookie_header(self) -> str:
        """The Set-Cookie value that keeps the token: HttpOnly (no script reads it),
        SameSite=Strict (no other site's request carries it), Secure behind https."""
        assert self.token is not None
        jar: SimpleCookie = SimpleCookie()
        jar[self.cookie] = self.token
        morsel = jar[self.cookie]
        morsel["path"] = "/"
        morsel["httponly"] = True
        morsel["samesite"] = "Strict"
        if self.secure_cookie:
            morsel["secure"] = True
        return morsel.OutputString()

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Host, then token, then (for the WebSocket) Origin; a refusal is a short 403."""
        if not self.host_ok(request):
            return refuse("unknown host: open the address annotty serve printed")
        allowed, from_query = self.token_from(request)
        if not allowed:
            return refuse("access token missing or wrong: open the URL annotty serve printed")
        if request.path == "/ws" and not self.origin_ok(request):
            return refuse("this page may not connect: wrong Origin")
        if from_query:
            # the cookie goes with the response, which for a WebSocket or a file is sent
            # (prepared) inside the handler: set it there, before the headers leave
            request[SET_COOKIE] = True
        return await handler(request)

    async def on_prepare(self, request: web.Request, response: web.StreamResponse) -> None:
        """Headers for every response, a page, a file, a refusal or a WebSocket upgrade."""
        response.headers["Server"] = "annotty"  # not which aiohttp and Python, to anyone
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", PLAIN_CSP)
        # added here, not with response.set_cookie: aiohttp writes the cookies it holds into
        # the headers before this hook runs
        if request.get(SET_COOKIE) and self.token is not None:
            response.headers.add("Set-Cookie", self.cookie_header())


def _same(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def refuse(reason: str) -> web.Response:
    return web.Response(status=403, text=f"403 forbidden: {reason}\n")
