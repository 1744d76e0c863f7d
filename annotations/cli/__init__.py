"""The ``annotty`` command: a thin click layer over the core.

With no subcommand it opens the terminal app; the app is imported only then, so the other
commands start fast and never load Textual.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from annotations import __version__, paths, terminal_safe
from annotations.cli import boundary
from annotations.cli.boundary import one_line
from annotations.entities import Recognizer, default_gazetteer_path, resolve
from annotations.errors import AnnottyError, ReadOnlyDatabase
from annotations.store import Store
from annotations.store import sqlite as dbmod

if TYPE_CHECKING:  # the suggesters load only for the commands that suggest
    from annotations.suggest.choice import Suggester


@dataclass
class Settings:
    """What the global options chose; the store opens on first use."""

    db: Path
    """The database file; with a server ``url``, where the local files live beside it would
    (the gazetteer, the keymap): the default database's folder."""
    annotator: str | None
    schema: Path | None
    recognizer: str | None = None
    entities: Path | None = None
    suggester: str | None = None
    url: str | None = None
    """``--db postgresql://...`` (or ``$ANNOTTY_DB``): the server database instead of a file."""
    _store: Store | None = field(default=None, repr=False)
    _recognizer: Recognizer | None = field(default=None, repr=False)
    _suggester: Suggester | None = field(default=None, repr=False)

    _documents_at_open: int | None = field(default=None, repr=False)
    _documents_at_close: int | None = field(default=None, repr=False)

    @property
    def target(self) -> str | Path:
        """What ``Store`` opens: the server URL, else the file."""
        return self.url if self.url is not None else self.db

    @property
    def location(self) -> str:
        """The database as it may be shown: the file, or the URL without its password."""
        if self.url is None:
            return str(self.db)
        from annotations.store.pg_url import redact

        return redact(self.url)

    def db_exists(self) -> bool:
        """Whether there is a database to read (a server database is created on connect)."""
        return self.url is not None or self.db.exists()

    def store(self, create: bool = False) -> Store:
        """The database, opened on first use. Only commands that make work (``import``) pass
        ``create=True``; for the others a missing file is a typo in ``--db``, not a new
        project. A read-only file opens for reading, with one line saying so."""
        if self._store is None:
            store = Store(
                self.target, annotator=self.annotator, create=create, background_check=create
            )
            if store.readonly and create:  # a command that writes: say so once, and stop
                store.close()
                raise ReadOnlyDatabase(self.location, store.readonly)
            if store.readonly:
                click.echo(
                    f"annotty: {one_line(f'{self.db}: read-only ({store.readonly})')}; "
                    "reading only, nothing will be saved",
                    err=True,
                )
            self._store = store  # from here on closed at the end, whatever happens
            if create:
                self._documents_at_open = self._count_documents(store)
        return self._store

    def app_store(self, create: bool) -> Store:
        """The database for the app, opened (and checked) once, before the UI starts: a
        missing file only when ``create`` (the default database), a read-only one for reading
        (the app says so itself). Closed at the end of the command like ``store``."""
        if self._store is None:
            self._store = Store(
                self.target, annotator=self.annotator, create=create, background_check=True
            )
        return self._store

    @staticmethod
    def _count_documents(store: Store) -> int:
        return store.document_count()

    def documents_added(self) -> int | None:
        """New documents since a writing command opened the database (for a disk-full line)."""
        if self._store is None or self._documents_at_open is None:
            return None
        if self._documents_at_close is not None:
            return self._documents_at_close - self._documents_at_open
        try:
            return self._count_documents(self._store) - self._documents_at_open
        except sqlite3.Error:
            return None

    def close(self) -> None:
        """End of the command (also after an error): count what was saved, then close."""
        if self._store is None:
            return
        if self._documents_at_open is not None:
            self._documents_at_close = self.documents_added()
            if self._documents_at_close is not None:
                self._documents_at_close += self._documents_at_open
        self._store.close()

    @property
    def gazetteer(self) -> Path | None:
        """``--entities``, else ``entities.yaml`` beside the database when there is one."""
        if self.entities is not None:
            return self.entities
        beside = default_gazetteer_path(self.db)
        return beside if beside.exists() else None

    def entity_recognizer(self) -> Recognizer:
        """The one recognizer every command and the app use, so their caches agree."""
        if self._recognizer is None:
            self._recognizer, warnings = resolve(self.recognizer, self.gazetteer)
            for warning in warnings:
                click.echo(f"annotty: {terminal_safe.clean(warning)}", err=True)
        return self._recognizer

    def use_suggester(self, spec: str) -> None:
        """A command's own ``--suggester``: it overrides the global one."""
        self.suggester = spec
        self._suggester = None

    def claim_suggester(self, store: Store | None = None) -> Suggester:
        """The claim suggester ``--suggester`` names (a command's own option overrides the
        global one), with the trained model it needs from ``store`` (by default the database,
        when it exists); fallback reasons go to stderr once."""
        if self._suggester is None:
            from annotations.cli.suggester_option import choose_suggester

            if store is None and self.db_exists():
                store = self.store()
            self._suggester, warnings = choose_suggester(self.suggester, store, self.schema)
            for warning in warnings:
                click.echo(f"annotty: {terminal_safe.clean(warning)}", err=True)
        return self._suggester


pass_settings = click.make_pass_decorator(Settings)


class _LazyGroup(click.Group):
    """Imports the command modules (``annotations/cli/*_cmd.py``; importing one registers its
    subcommands) only when a subcommand or the help needs them.

    Opening the app names no subcommand, so it never pays for the exporters and importers.
    """

    def _load(self) -> None:
        import importlib
        import pkgutil

        for module in pkgutil.iter_modules(__path__):
            if module.name.endswith("_cmd"):
                importlib.import_module(f"{__name__}.{module.name}")

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._load()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load()
        return super().list_commands(ctx)


@click.group(
    cls=_LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False),
    default=None,
    help="Database file [default: annotty.db in the user data directory].",
)
@click.option("--annotator", default=None, help="Your name on annotations [default: login name].")
@click.option(
    "--schema",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Label schema YAML file [default: the built-in schema].",
)
@click.option(
    "--recognizer",
    default=None,
    metavar="SPEC",
    help="Entity recognizer: builtin (default) or spacy:NAME_OR_PATH.",
)
@click.option(
    "--suggester",
    default=None,
    metavar="SPEC",
    help="Claim suggester: auto (default: the learned model once trained, else builtin), "
    "builtin, learned, spacy:NAME_OR_PATH[#LABEL] or embeddings:NAME.",
)
@click.option(
    "--entities",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Project gazetteer YAML [default: entities.yaml beside the database].",
)
@click.option(
    "--keys",
    "keys_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="YAML file whose 'keys:' section remaps keys [default: "
    "annotty.yaml beside the database, if there is one].",
)
# a browser tab of `annotty serve` without --annotator: the app first asks who is annotating
@click.option("--ask-annotator", is_flag=True, hidden=True)
@click.version_option(__version__, prog_name="annotty")
@click.pass_context
def cli(
    ctx: click.Context,
    db: str | None,
    annotator: str | None,
    schema: Path | None,
    recognizer: str | None,
    suggester: str | None,
    entities: Path | None,
    keys_file: Path | None,
    ask_annotator: bool,
) -> None:
    """annotty: read documents, tag claims and stance, export annotations.

    Run without a command to open the terminal app.
    """
    url = paths.database_url(db)  # before Path() turns "postgresql://h/x" into "postgresql:/h/x"
    settings = Settings(
        db=paths.default_db() if db is None or url is not None else Path(db),
        url=url,
        annotator=annotator,
        schema=schema,
        recognizer=recognizer,
        entities=entities,
        suggester=suggester,
    )
    ctx.obj = settings
    global _session
    _session = settings
    ctx.call_on_close(settings.close)
    if ctx.invoked_subcommand is None:
        from annotations import schema as schema_mod
        from annotations.keymap import find_keymap

        labels = schema_mod.load(schema)  # a bad schema fails here, before the UI starts
        keymap = find_keymap(settings.db, keys_file)  # so does a bad key name
        # an explicit --db must exist (a missing, foreign or damaged file is refused here);
        # the default one is created
        store = settings.app_store(create=db is None)
        if not os.environ.get("TEXTUAL_DRIVER", "").startswith("textual.drivers.web_driver"):
            # no terminal: one line, not a spinning app (a tab of `annotty serve` talks to
            # the server through its pipes, with Textual's web driver)
            terminal_safe.require_terminal("annotty")
        from tui.app import run  # the only place the core reaches for the UI

        run(
            store,
            schema=labels,
            seed=db is None,
            recognizer=settings.entity_recognizer(),
            recognizer_spec=recognizer,
            suggester_spec=suggester,
            gazetteer=settings.gazetteer or default_gazetteer_path(settings.db),
            keymap=keymap,
            ask_annotator=ask_annotator,
        )


_session: Settings | None = None  # the running command's settings, for the error boundary


def main(argv: list[str] | None = None) -> None:
    """Console entry point: every failure becomes one line on stderr and a non-zero exit.

    ``ANNOTTY_DEBUG=1`` lets unexpected exceptions through with their traceback.
    """
    dbmod.forget_opened()
    try:
        cli.main(args=argv, prog_name="annotty", standalone_mode=False)
    except click.exceptions.Abort as exc:  # click's own Ctrl-C (it printed a newline first)
        if isinstance(exc.__cause__, KeyboardInterrupt):
            _fail("interrupted; everything saved before it is kept", 130)
        _fail("aborted")
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        _fail(exc.format_message() + hint, exc.exit_code)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted; everything saved before it is kept", 130)
    except BrokenPipeError:  # the reader of our output went away (``| head``): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("ANNOTTY_DEBUG") and not isinstance(exc, AnnottyError):
            raise
        _fail(boundary.explain(exc, _session))


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"annotty: {one_line(message)}", err=True)
    sys.exit(code)
