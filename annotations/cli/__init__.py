"""The ``annotty`` command: a thin click layer over the core.

With no subcommand it opens the terminal app; the app is imported only then, so the other
commands start fast and never load Textual.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import click

from annotations import __version__, paths
from annotations.entities import Recognizer, default_gazetteer_path, resolve
from annotations.errors import AnnottyError
from annotations.store import Store


@dataclass
class Settings:
    """What the global options chose; the store opens on first use."""

    db: Path
    annotator: str | None
    schema: Path | None
    recognizer: str | None = None
    entities: Path | None = None
    _store: Store | None = field(default=None, repr=False)
    _recognizer: Recognizer | None = field(default=None, repr=False)

    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.db, annotator=self.annotator)
        return self._store

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
                click.echo(f"annotty: {warning}", err=True)
        return self._recognizer


pass_settings = click.make_pass_decorator(Settings)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Database file [default: annotty.db in the user data directory].")
@click.option("--annotator", default=None, help="Your name on annotations [default: login name].")
@click.option("--schema", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Label schema YAML file [default: the built-in schema].")
@click.option("--recognizer", default=None, metavar="SPEC",
              help="Entity recognizer: builtin (default) or spacy:NAME_OR_PATH.")
@click.option("--entities", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Project gazetteer YAML [default: entities.yaml beside the database].")
@click.version_option(__version__, prog_name="annotty")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, annotator: str | None, schema: Path | None,
        recognizer: str | None, entities: Path | None) -> None:
    """annotty: read documents, tag claims and stance, export annotations.

    Run without a command to open the terminal app.
    """
    settings = Settings(db=db or paths.default_db(), annotator=annotator, schema=schema,
                        recognizer=recognizer, entities=entities)
    ctx.obj = settings
    ctx.call_on_close(lambda: settings._store.close() if settings._store else None)
    if ctx.invoked_subcommand is None:
        from annotations import schema as schema_mod

        labels = schema_mod.load(schema)  # a bad schema fails here, before the UI starts
        from tui.app import run  # the only place the core reaches for the UI

        run(settings.db, annotator=annotator, schema=labels, seed=db is None,
            recognizer=settings.entity_recognizer(), recognizer_spec=recognizer,
            gazetteer=settings.gazetteer or default_gazetteer_path(settings.db))


def main(argv: list[str] | None = None) -> None:
    """Console entry point: user-facing errors become one line on stderr and exit status 1."""
    try:
        cli.main(args=argv, prog_name="annotty", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except AnnottyError as exc:
        click.echo(f"annotty: {exc}", err=True)
        sys.exit(1)


# Importing a command module registers its subcommand on ``cli``.
from annotations.cli import (  # noqa: E402,F401
    entities_cmd,
    export_cmd,
    import_cmd,
    review_cmd,
    stats_cmd,
    team_cmd,
)
