"""``annotty serve``: the app in a browser; each tab runs its own app on the same database.

The web server (``tui.web.server``) is imported inside the command: the core never imports
the UI, and the other commands never pay for aiohttp.
"""

from __future__ import annotations

import errno
import shlex
import sys
from pathlib import Path

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.cli.boundary import one_line

BOOT = "import sys; from annotations.cli import main; main(sys.argv[1:])"
"""A tab's app: this very interpreter running the CLI (``annotations.cli`` has no
``__main__``, and an ``annotty`` script on PATH may be another installation's). ``-P`` keeps
the working directory off ``sys.path``, so a folder named ``annotations`` there is never run."""
MIN_TOKEN = 16


def tab_command(
    db: Path | str | None,
    annotator: str | None,
    options: list[tuple[str, str | Path | None]],
) -> str:
    """The shell command a tab runs (textual-serve starts it with ``/bin/sh -c``), every part
    quoted: a database path may hold spaces, quotes or ``;``. ``db`` is a file, a server URL
    given with ``--db``, or None for a URL the tab reads from ``$ANNOTTY_DB`` as the server did
    (a password there stays off command lines, which every local user can read). Without
    ``annotator`` the app first asks who is annotating."""
    argv = [sys.executable, "-P", "-c", BOOT]
    if db is not None:
        argv += ["--db", str(db.absolute()) if isinstance(db, Path) else db]
    for flag, value in options:
        if value is not None:
            argv += [flag, str(value.absolute()) if isinstance(value, Path) else value]
    argv += ["--annotator", annotator] if annotator else ["--ask-annotator"]
    # exec: the shell becomes the app, so the server's signals (and Linux's parent-death
    # signal, tui.web.server) reach the app itself
    return "exec " + shlex.join(argv)


def _check_token(token: str) -> str:
    if len(token) < MIN_TOKEN or not all(c.isalnum() or c in "-_.~" for c in token):
        raise click.BadParameter(
            f"use at least {MIN_TOKEN} characters, letters, digits and - _ . ~ only "
            "(or leave it out to have one made)",
            param_hint="--token",
        )
    return token


def _check_public_url(url: str | None) -> str | None:
    if url is None:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise click.BadParameter(
            "an http:// or https:// address, as browsers reach the server",
            param_hint="--public-url",
        )
    return url


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="Port."
)
@click.option(
    "--token",
    envvar="ANNOTTY_SERVE_TOKEN",
    default=None,
    help="Access token every browser needs (also $ANNOTTY_SERVE_TOKEN, which other users "
    "cannot read in the process list) [default: none on loopback; beyond it, or with "
    "--public-url, one is made and printed once].",
)
@click.option(
    "--public-url",
    default=None,
    metavar="URL",
    help="The address browsers use, behind a reverse proxy (https://annotate.example.org).",
)
@click.option(
    "--annotator",
    "tab_annotator",
    default=None,
    help="Everyone annotates as NAME [default: each browser tab asks for a name].",
)
@pass_settings
@click.pass_context
def serve_cmd(
    ctx: click.Context,
    settings: Settings,
    host: str,
    port: int,
    token: str | None,
    public_url: str | None,
    tab_annotator: str | None,
) -> None:
    """Serve the app to web browsers: each tab is its own session on the same database.

    Bound to this machine (127.0.0.1) by default. Any other --host, or a --public-url (a
    reverse proxy), needs an access token: the one given with --token, or one made now and
    printed once, in the URL to open.
    """
    from annotations import schema as schema_mod
    from annotations.keymap import find_keymap
    from annotations.store import Store

    public_url = _check_public_url(public_url)
    if token is not None:
        token = _check_token(token)
    root = ctx.find_root().params
    keys_file: Path | None = root.get("keys_file")
    schema_mod.load(settings.schema)  # a bad schema or keymap: one line now, not in each tab
    find_keymap(settings.db, keys_file)
    default_db = root.get("db") is None and settings.url is None
    store = Store(settings.target, create=default_db, background_check=False)
    try:  # a missing, foreign or damaged database: one line now (the error boundary's)
        if default_db and not store.readonly:
            from annotations.seeding import ensure_seeded

            ensure_seeded(store, settings.entity_recognizer())  # as the app does on first use
    finally:
        store.close()
    # a URL reaches the tabs as it reached us: with --db, or from $ANNOTTY_DB, which they inherit
    given_url = settings.url if root.get("db") is not None else None
    command = tab_command(
        settings.db if settings.url is None else given_url,
        tab_annotator or settings.annotator,
        [
            ("--schema", settings.schema),
            ("--recognizer", settings.recognizer),
            ("--suggester", settings.suggester),
            ("--entities", settings.entities),
            ("--keys", keys_file),
        ],
    )
    from tui.web.server import serve

    try:
        serve(command, host, port, token, public_url, say=lambda line: click.echo(one_line(line)))
    except OSError as exc:
        where = f"{host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"{where} is in use (another annotty serve? choose another --port)"
            ) from None
        raise click.ClickException(f"cannot listen on {where}: {exc.strerror or exc}") from None
    if sys.stdout.isatty():
        click.echo()  # after the terminal's "^C"
    click.echo("annotty serve: stopped")
