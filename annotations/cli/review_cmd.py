"""``annotty review``: open the app on the review screen, optionally pre-filtered."""

from __future__ import annotations

import click

from annotations import terminal_safe
from annotations.cli import Settings, cli, pass_settings
from annotations.review.filters import ReviewError, ReviewFilter, saved_filter

_KEYS = (
    "claim_type (type), stance, target, annotator, review_status (status), document (doc), "
    "search (q), source (suggested: made by accepting a candidate, or manual), "
    "cluster (linked: claims linked as the same claim, grouped; or a claim id: its group), "
    "comments (unresolved: an open comment on the claim, or any)"
)


@cli.command("review")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="KEY=VALUE",
    help=f"Show only matching claims (repeatable; all must match). Keys: {_KEYS}.",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="Start with no filter (otherwise your last review filter is kept).",
)
@pass_settings
def review_cmd(settings: Settings, filters: tuple[str, ...], show_all: bool) -> None:
    """Review claims: accept, reject with a reason, edit, filter, bulk-decide.

    Example: annotty review --filter stance=against --filter q=tariff
    """
    try:
        review_filter = ReviewFilter.parse(filters) if filters or show_all else None
    except ReviewError as exc:
        raise click.BadParameter(str(exc), param_hint="--filter") from exc
    from annotations import schema as schema_mod

    labels = schema_mod.load(settings.schema)  # a bad schema fails here, before the UI starts
    store = settings.app_store(create=False)  # opened once; a missing --db is a typo
    if review_filter is not None:
        try:  # a value nothing can match is an error, so it is never remembered either
            review_filter = review_filter.validated(labels, store)
        except ReviewError as exc:
            raise click.BadParameter(str(exc), param_hint="--filter") from exc
    else:
        try:
            saved_filter(store).validated(labels, store)
        except ReviewError as exc:  # remembered before values were checked, or data changed
            click.echo(
                f"annotty: the remembered review filter no longer applies ({exc}); "
                "showing all claims",
                err=True,
            )
            review_filter = ReviewFilter()
    terminal_safe.require_terminal("annotty review")
    from tui.app import run  # the UI is imported only when it is about to run

    run(
        store,
        schema=labels,
        seed=False,
        start_screen="review",
        review_filter=review_filter,
        recognizer=settings.entity_recognizer(),
        recognizer_spec=settings.recognizer,
        suggester_spec=settings.suggester,
        gazetteer=settings.gazetteer,
    )
