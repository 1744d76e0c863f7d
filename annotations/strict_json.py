"""JSON as RFC 8259 defines it, for untrusted files: what Python's ``json`` lets through, refused.

Python's decoder accepts ``NaN`` and ``Infinity`` (not JSON: they would be written back into
exports no other tool can read), integers of any size (SQLite stores 64 bits; past 4,300 digits
``int()`` itself raises), ``\\ud800`` escapes that make a lone surrogate no file or database can
hold, and nesting deep enough to exhaust the stack. Each becomes a ``ValueError`` with a
message for the user, so a bad record is reported and skipped like any other bad JSON.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

_MAX_INT = 2**63 - 1
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class NotJSON(ValueError):
    """The value is not strict JSON, or is deeper or larger than a record may be."""


def _constant(name: str) -> Any:
    raise NotJSON(f"{name} is not a JSON number")


def _integer(digits: str) -> int:
    if len(digits) > 19:
        raise NotJSON(f"integer {digits[:12]}... does not fit in 64 bits")
    value = int(digits)
    if not -_MAX_INT - 1 <= value <= _MAX_INT:
        raise NotJSON(f"integer {digits} does not fit in 64 bits")
    return value


def _float(digits: str) -> float:
    value = float(digits)
    if not math.isfinite(value):
        raise NotJSON(f"number {digits[:20]} is too large")
    return value


DECODER = json.JSONDecoder(parse_constant=_constant, parse_int=_integer, parse_float=_float)


def _surrogate_field(value: Any, where: str = "") -> str | None:
    """The path of the first string (or key) holding a lone surrogate, or None."""
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return at or "(value)"
        elif isinstance(item, dict):
            for key, inner in item.items():
                try:
                    key.encode("utf-8")
                except UnicodeEncodeError:
                    return f"{at}.(a key)" if at else "(a key)"
                stack.append((inner, f"{at}.{key}" if at else key))
        elif isinstance(item, list):
            stack.extend((inner, f"{at}[{n}]") for n, inner in enumerate(item))
    return None


def check_unicode(raw: str, value: Any) -> None:
    """Refuse a value with a lone surrogate anywhere. ``raw`` is the JSON text it came from:
    only a ``\\uD8xx``-``\\uDFxx`` escape can make one, so most records cost one regex search."""
    if _SURROGATE_ESCAPE.search(raw) is None:
        return
    where = _surrogate_field(value)
    if where is not None:
        raise NotJSON(f"{where}: has an unpaired surrogate escape (not Unicode text)")


def loads(raw: str) -> Any:
    """One strict JSON value; ``ValueError`` (with a message fit for the user) if it is not."""
    try:
        value = DECODER.decode(raw)
    except json.JSONDecodeError as exc:
        raise NotJSON(f"bad JSON ({exc.msg})") from None
    except RecursionError:
        raise NotJSON("bad JSON (nested too deeply)") from None
    except NotJSON:
        raise
    except ValueError as exc:  # int() refusing thousands of digits, say
        raise NotJSON(f"bad JSON ({exc})") from None
    check_unicode(raw, value)
    return value
