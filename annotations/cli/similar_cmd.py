"""``annotty similar CLAIM_ID``: the claims most like one claim, in other documents.

The same search as the app's ``=`` key (``annotations.similar_claims``), for scripts and for
checking by hand which claims a team has already annotated elsewhere.
"""

from __future__ import annotations

import click

from annotations.cli import Settings, cli, pass_settings
from annotations.similar_claims import SimilarClaims
from annotations.store import Store
from annotations.terminal_safe import clean, dumps


@cli.command("similar")
@click.argument("claim_id")
@click.option(
    "--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="How many."
)
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON for scripts.")
@click.option(
    "--embeddings",
    metavar="MODEL",
    help="Also compare meanings with this local sentence-transformers model (name or path; "
    "needs the package and the model installed: nothing is downloaded).",
)
@pass_settings
def similar_cmd(
    settings: Settings, claim_id: str, limit: int, as_json: bool, embeddings: str | None
) -> None:
    """List the claims most like CLAIM_ID (an id or its unique start) in other documents,
    best first: score, document, claim type, review status, annotator, quote; claims linked
    to it as the same claim are marked (=) and carry their cluster id."""
    store = settings.store()
    claim = _resolve(store, claim_id)
    encoder = None
    if embeddings:
        from annotations.suggest.embeddings import EncoderUnavailable, encoder_for

        try:
            encoder = encoder_for(embeddings)
        except EncoderUnavailable as exc:
            raise click.BadParameter(str(exc), param_hint="--embeddings") from None
    found = SimilarClaims(store, encoder).similar(claim, limit)
    if as_json:
        rows = [
            {
                "claim_id": s.claim.id,
                "doc_id": s.claim.doc_id,
                "title": s.claim.title,
                "score": s.score,
                "quote": s.claim.quote,
                "claim_type": s.claim.claim_type,
                "annotator": s.claim.annotator,
                "review_status": s.claim.review_status,
                "linked": s.linked,
                "cluster_id": s.cluster_id or None,
            }
            for s in found
        ]
        click.echo(dumps({"claim_id": claim, "similar": rows}, indent=2))
        return
    if not found:
        click.echo(f"no similar claim in other documents for {clean(claim)}")
        return
    for s in found:
        c = s.claim
        mark = "=" if s.linked else " "
        click.echo(
            f"{mark} {s.score:.2f}  {clean(c.id)}  {clean(c.title or c.doc_id)[:40]}  "
            f"{clean(c.claim_type)}  {clean(c.review_status)}  {clean(c.annotator)[:20]}  "
            f"{clean(c.quote)[:100]}"
        )


def _resolve(store: Store, claim_id: str) -> str:
    """The claim an id or a unique start of one names; a usage error otherwise."""
    found = store.claim_ids_starting(claim_id.strip()) if claim_id.strip() else []
    if claim_id in found:
        return claim_id
    if len(found) == 1:
        return found[0]
    what = "more than one claim starts with" if found else "no claim"
    raise click.BadParameter(f"{what} {clean(claim_id)!r}", param_hint="CLAIM_ID")
