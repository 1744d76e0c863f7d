"""Server database URLs: which ones annotty opens, and how they are shown (never a password).

Kept apart from ``pg`` so that showing or checking a URL never imports psycopg.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from annotations.errors import InputError

SCHEMES = ("postgresql", "postgres")


def redact(url: str) -> str:
    """The URL without its password, for every message and title."""
    try:
        parts = urlsplit(url)
        password = parts.password
        host, port, user = parts.hostname or "", parts.port, parts.username
    except ValueError:
        return "the database URL"
    if password is None:
        return url
    netloc = f"{user}@" if user else ""
    netloc += f"[{host}]" if ":" in host else host
    if port:
        netloc += f":{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def check_scheme(url: str) -> None:
    """Refuse URLs of servers annotty has no backend for, in one line."""
    scheme = url.split(":", 1)[0].lower()
    if scheme not in SCHEMES:
        raise InputError(
            redact(url),
            f"unsupported database URL scheme {scheme!r}: give an SQLite file path "
            "or a postgresql:// URL",
        )
