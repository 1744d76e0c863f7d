"""``annotty versions DOC``: a document's versions, and the text of an earlier one.

A news article edited after publication and imported again keeps its id; its earlier texts
stay readable here (the current one is what ``annotty export --doc`` writes).
"""

from __future__ import annotations

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.doc_ref import DocRefError, resolve_document
from annotations.store import StoreError
from annotations.terminal_safe import clean, plural


@cli.command("versions")
@click.argument("doc", metavar="DOC")
@click.option("--show", "show", type=int, metavar="N", help="Print the text of version N.")
@pass_settings
def versions_cmd(settings: Settings, doc: str, show: int | None) -> None:
    """List the versions of DOC (id, id prefix, file name or title), or print one with --show.

    The last version is the current text; claims are on it. Claims that could not be placed
    exactly on the latest version are counted, flagged ones (changed or lost) separately.
    """
    store = settings.store()
    try:
        doc_id = resolve_document(store, doc)
    except DocRefError as exc:
        raise click.BadParameter(str(exc), param_hint="DOC") from exc
    if show is not None:
        try:
            text = store.document_version(doc_id, show).text
        except StoreError as exc:
            raise click.BadParameter(str(exc), param_hint="--show") from exc
        for line in text.split("\n"):  # each line made harmless; the line breaks kept
            click.echo(clean(line))
        return
    document = store.document(doc_id)
    click.echo(f"{clean(doc_id)}  {clean(document.title)}")
    versions = store.document_versions(doc_id)
    for v in versions:
        current = "  (current)" if v.version == len(versions) else ""
        click.echo(f"  version {v.version}  {clean(v.imported_at)}  {v.chars:,} chars{current}")
    anchors = store.claim_anchors(doc_id)
    if anchors:
        flagged = sum(1 for a in anchors.values() if a.flag)
        click.echo(
            f"{plural(len(anchors), 'claim')} not placed exactly on the latest version, "
            f"{flagged} flagged for review"
        )
