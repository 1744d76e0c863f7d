"""``annotty serve``'s rules, without a browser: the token, the cookie, Host and Origin checks,
the headers, the page's sources, and the command each tab runs (``tests/test_browser_serve.py``
drives the real thing in Chromium)."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient, TestServer

from annotations.cli.serve_cmd import tab_command
from annotations.store import Store
from tests.serve_support import WAIT, free_port, serving
from tests.test_cli_support import Ran
from tui.web.access import Access, needs_token
from tui.web.server import AnnottyServer

TOKEN = "k" * 20 + "-right_token"
EXIT_AT_ONCE = "true"  # a tab's command that ends at once: the WebSocket itself is what is tested


async def client_for(access: Access, public_url: str | None = None) -> TestClient:
    server = AnnottyServer(
        EXIT_AT_ONCE, host="127.0.0.1", port=access.port, access=access, public_url=public_url
    )
    client = TestClient(TestServer(await server._make_app(), host="127.0.0.1", port=access.port))
    await client.start_server()
    return client


@pytest.fixture
async def open_server() -> AsyncIterator[TestClient]:
    """Loopback, no token: what `annotty serve` does by default."""
    port = free_port()
    client = await client_for(Access(port=port, loopback=True))
    yield client
    await client.close()


@pytest.fixture
async def token_server() -> AsyncIterator[TestClient]:
    """A token, as beyond loopback (here on loopback, as with --token)."""
    port = free_port()
    client = await client_for(Access(port=port, loopback=True, token=TOKEN))
    yield client
    await client.close()


def origin(client: TestClient) -> str:
    return f"http://127.0.0.1:{client.port}"


async def test_loopback_needs_no_token_and_the_page_loads_nothing_remote(
    open_server: TestClient,
) -> None:
    response = await open_server.get("/")
    assert response.status == 200
    page = await response.text()
    assert "googleapis" not in page and "https://" not in page
    base = origin(open_server)
    assert f'src="{base}/static/js/textual.js"' in page
    assert f'url("{base}/static/fonts/RobotoMono-VariableFont_wght.ttf")' in page
    assert f'data-session-websocket-url="ws://127.0.0.1:{open_server.port}/ws"' in page
    assert response.headers["Server"] == "annotty"  # not the versions of aiohttp and Python
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'nonce-" in csp and "unsafe-eval" not in csp
    for name, value in {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }.items():
        assert response.headers[name] == value
    # the fonts the page names are served (the page's only fonts: nothing from the network)
    font = await open_server.get("/static/fonts/RobotoMono-VariableFont_wght.ttf")
    assert font.status == 200
    assert font.headers["X-Content-Type-Options"] == "nosniff"


async def test_static_folder_is_not_listed(open_server: TestClient) -> None:
    for path in ("/static/", "/static/js/", "/static/fonts"):
        response = await open_server.get(path)
        assert response.status in (403, 404)
        assert "textual.js" not in await response.text()
    traversal = await open_server.get("/static/..%2f..%2fserver.py")
    assert traversal.status in (403, 404)


@pytest.mark.parametrize(
    "host", ["evil.example:{port}", "127.0.0.1.nip.io:{port}", "localhost:1", "127.0.0.1"]
)
async def test_a_loopback_bind_answers_only_loopback_names(
    open_server: TestClient, host: str
) -> None:
    """DNS rebinding: a page on a name that now resolves to 127.0.0.1 gets nothing."""
    headers = {"Host": host.format(port=open_server.port)}
    for path in ("/", "/static/js/textual.js", "/ws", "/download/x"):
        response = await open_server.get(path, headers=headers)
        assert response.status == 403, path
    for good in ("localhost", "127.0.0.1", "[::1]"):
        response = await open_server.get("/", headers={"Host": f"{good}:{open_server.port}"})
        assert response.status == 200, good


async def test_without_the_token_every_route_is_refused(token_server: TestClient) -> None:
    for path in ("/", "/ws", "/static/js/textual.js", "/static/", "/download/abc"):
        response = await token_server.get(path)
        assert response.status == 403, path
        body = await response.text()
        assert body.startswith("403 forbidden") and len(body) < 120
        assert response.headers["X-Frame-Options"] == "DENY"
    wrong = await token_server.get("/", params={"token": TOKEN[:-1] + "X"})
    assert wrong.status == 403
    assert "Set-Cookie" not in wrong.headers


async def test_the_token_once_then_the_cookie(token_server: TestClient) -> None:
    response = await token_server.get("/", params={"token": TOKEN})
    assert response.status == 200
    cookie = response.headers["Set-Cookie"]
    name = f"annotty_token_{token_server.port}"
    assert cookie.startswith(f"{name}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http on loopback: a Secure cookie would be dropped
    # the page drops the token from the address bar
    assert 'searchParams.delete("token")' in await response.text()
    # the client now sends the cookie, not the token
    again = await token_server.get("/")
    assert again.status == 200 and "Set-Cookie" not in again.headers
    static = await token_server.get("/static/js/textual.js")
    assert static.status == 200
    token_server.session.cookie_jar.clear()
    forged = await token_server.get("/", cookies={name: "not-the-token-at-all"})
    assert forged.status == 403


async def test_the_websocket_needs_its_own_pages_origin(token_server: TestClient) -> None:
    own = origin(token_server)
    assert (await token_server.get("/", params={"token": TOKEN})).status == 200  # the cookie
    for bad in ("http://evil.example", f"http://127.0.0.1:{token_server.port + 1}", None):
        headers = {} if bad is None else {"Origin": bad}
        with pytest.raises(WSServerHandshakeError) as refused:
            await token_server.ws_connect("/ws", headers=headers)
        assert refused.value.status == 403, bad
    socket_ = await token_server.ws_connect("/ws", headers={"Origin": own})
    await socket_.close()


async def test_the_websocket_needs_the_token_too(token_server: TestClient) -> None:
    with pytest.raises(WSServerHandshakeError) as refused:
        await token_server.ws_connect("/ws", headers={"Origin": origin(token_server)})
    assert refused.value.status == 403


async def test_behind_a_proxy_the_public_origin_is_the_pages() -> None:
    port = free_port()
    public = "https://annotate.example.org"
    access = Access(port=port, loopback=True, token=TOKEN, public_url=public)
    client = await client_for(access, public_url=public)
    try:
        page = await client.get("/", params={"token": TOKEN})
        assert "Secure" in page.headers["Set-Cookie"]  # the browser sees https
        text = await page.text()
        assert 'data-session-websocket-url="wss://annotate.example.org/ws"' in text
        assert (
            "connect-src 'self' wss://annotate.example.org"
            in page.headers["Content-Security-Policy"]
        )
        # the proxy passes the public host on: answered on a loopback bind too (the cookie
        # is Secure: this client, on plain http, does not send it, so the token goes along)
        proxied = await client.get(
            "/", headers={"Host": "annotate.example.org"}, params={"token": TOKEN}
        )
        assert proxied.status == 200
        socket_ = await client.ws_connect(
            "/ws",
            headers={"Origin": public, "Host": "annotate.example.org"},
            params={"token": TOKEN},
        )
        await socket_.close()
    finally:
        await client.close()


@pytest.mark.parametrize(
    ("host", "public_url", "needed"),
    [
        ("127.0.0.1", None, False),
        ("localhost", None, False),
        ("::1", None, False),
        ("0.0.0.0", None, True),
        ("::", None, True),
        ("192.168.1.20", None, True),
        ("127.0.0.1", "https://annotate.example.org", True),  # the proxy lets others in
    ],
)
def test_who_needs_a_token(host: str, public_url: str | None, needed: bool) -> None:
    assert needs_token(host, public_url) is needed


def test_each_tabs_command_survives_the_shell(tmp_path: Path) -> None:
    """textual-serve runs the command with /bin/sh: a path with spaces, quotes, ``;`` and
    ``$(...)`` reaches the app as it is (here: `db check` on it, after the tab's options)."""
    folder = tmp_path / 'it\'s a "test"; $(touch pwned) `x`'
    folder.mkdir()
    db = folder / "my db.db"
    Store(db, annotator="t").close()
    schema = tmp_path / "schema; rm -rf.yaml"
    command = tab_command(db, "O'Brien $HOME", [("--schema", schema), ("--recognizer", None)])
    argv = shlex.split(command)
    assert argv[:4] == ["exec", sys.executable, "-P", "-c"]
    assert argv[5:] == ["--db", str(db), "--schema", str(schema), "--annotator", "O'Brien $HOME"]
    asks = shlex.split(tab_command(db, None, []))
    assert asks[-1] == "--ask-annotator"
    # a server URL: given with --db, passed on; from $ANNOTTY_DB (None), inherited, not shown
    url = "postgresql://ann:pa ss@db.example/project"
    assert shlex.split(tab_command(url, None, []))[5:7] == ["--db", url]
    assert "--db" not in shlex.split(tab_command(None, None, []))
    ran = subprocess.run(
        ["/bin/sh", "-c", tab_command(db, "O'Brien $HOME", []) + " db check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert "ok" in ran.stdout
    assert not (tmp_path / "pwned").exists() and not (folder / "pwned").exists()


def test_a_missing_database_is_one_line(tmp_path: Path, annotty: Callable[..., Ran]) -> None:
    ran = annotty("--db", str(tmp_path / "nope.db"), "serve", "--port", str(free_port()))
    assert ran.returncode == 1
    assert ran.stderr.startswith("annotty: no database at")
    assert ran.stderr.count("\n") == 1


def test_a_port_in_use_is_one_line(tmp_path: Path, annotty: Callable[..., Ran]) -> None:
    db = tmp_path / "a.db"
    Store(db, annotator="t").close()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ran = annotty("--db", str(db), "serve", "--port", str(port))
    assert ran.returncode == 1
    assert ran.stderr == (
        f"annotty: 127.0.0.1:{port} is in use (another annotty serve? choose another --port)\n"
    )
    assert ran.stdout == ""  # no banner for a server that never listened


@pytest.mark.parametrize("token", ["short", "has space in it but long enough", "x" * 15])
def test_a_weak_token_is_refused(tmp_path: Path, annotty: Callable[..., Ran], token: str) -> None:
    ran = annotty("--db", str(tmp_path / "a.db"), "serve", "--token", token)
    assert ran.returncode == 2
    assert "--token" in ran.stderr and ran.stderr.count("\n") == 1


def test_the_token_may_come_from_the_environment(
    tmp_path: Path, annotty: Callable[..., Ran], monkeypatch: pytest.MonkeyPatch
) -> None:
    """$ANNOTTY_SERVE_TOKEN keeps the token out of the process list; it is checked the same."""
    monkeypatch.setenv("ANNOTTY_SERVE_TOKEN", "too-short")
    ran = annotty("--db", str(tmp_path / "a.db"), "serve")
    assert ran.returncode == 2 and "--token" in ran.stderr


@pytest.fixture(scope="module")
def lan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, list[str]]]:
    """`annotty serve --host 0.0.0.0` without --token, a real process: (port, stdout lines)."""
    folder = tmp_path_factory.mktemp("lan")
    db = folder / "a.db"
    Store(db, annotator="t").close()
    with serving(db, "--host", "0.0.0.0") as served:
        lines = [served.banner]  # printed once the port is bound
        yield served.port, lines
        served.process.terminate()  # as Ctrl+C: a clean stop
        out, err = served.process.communicate(timeout=WAIT)
        lines += out.splitlines()
        assert served.process.returncode == 0, err
        assert err == ""
    assert lines[1:] == ["annotty serve: stopped"]  # the token was shown once, at start


def test_beyond_loopback_a_token_is_made_and_printed_once(
    lan_server: tuple[int, list[str]],
) -> None:
    port, lines = lan_server
    banner = lines[0]
    assert banner.startswith(f"annotty serve: http://{socket.gethostname()}:{port}/?token=")
    token = banner.split("?token=", 1)[1].split()[0]
    assert len(token) == 32  # secrets.token_urlsafe(24)
    base = f"http://127.0.0.1:{port}/"
    with pytest.raises(HTTPError) as refused:
        urlopen(base, timeout=10)
    assert refused.value.code == 403
    with urlopen(Request(f"{base}?token={token}"), timeout=10) as page:
        assert page.status == 200
        assert "annotty_token" in page.headers["Set-Cookie"]
