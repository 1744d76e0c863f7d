"""Reviewing a corpus's claims: ``filters`` (what is shown), ``listing`` (the list, paged without
loading it) and ``decisions`` (accept, reject, in bulk)."""
