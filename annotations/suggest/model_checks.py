"""Reading a stored model back: its data came from a database file, so every field is checked.

``ModelError`` names the first thing wrong (a field missing or of the wrong kind, a number that
is not finite), never a traceback; ``read_stored`` turns the checker's own slips (a missing key,
a wrong type met while converting) into that one error.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ModelError(ValueError):
    """A stored model that cannot be used: wrong shape, unknown format, a non-finite number."""


def finite(what: str, value: object) -> None:
    """Refuse anything but a finite int or float (a bool is no number here)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ModelError(f"{what} is not a finite number: {value!r}")


def read_stored(data: object, read: Callable[[object], T], what: str) -> T:
    """``read(data)``, every failure of it a ``ModelError`` saying it is no stored ``what``."""
    try:
        return read(data)
    except ModelError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ModelError(f"not a stored {what}: {type(e).__name__}: {e}") from None
