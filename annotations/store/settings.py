"""Settings: small key/value pairs kept in the database (review filters, ...)."""

from __future__ import annotations

from annotations.store.base import StoreBase


class Settings(StoreBase):
    """Key/value settings."""

    def setting(self, key: str, default: str = "") -> str:
        rows = self._rows("select value from settings where key = ?", [key])
        return rows[0]["value"] if rows else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "insert into settings(key, value) values (?, ?)"
                " on conflict (key) do update set value = excluded.value",
                (key, value),
            )
