"""Linked claims as groups: "same claim" links between pairs of claims, closed transitively.

A reviewer links claims two at a time; A = B and B = C make one group of three. Each group's id
is its smallest claim id, so the ids do not depend on the order the links were made or read,
and an export made twice names the same clusters.
"""

from __future__ import annotations

from collections.abc import Iterable


def clusters(links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Every linked claim's cluster id (the smallest claim id of its group, by string order).
    A claim linked to itself is a group of one; claims never linked are absent."""
    parent: dict[str, str] = {}

    def root(claim: str) -> str:
        parent.setdefault(claim, claim)
        top = claim
        while parent[top] != top:
            top = parent[top]
        while parent[claim] != top:  # path compression: later look-ups are one step
            parent[claim], claim = top, parent[claim]
        return top

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            # the smaller root wins, so each root is always its group's smallest id
            low, high = (ra, rb) if ra < rb else (rb, ra)
            parent[high] = low
    return {claim: root(claim) for claim in parent}
