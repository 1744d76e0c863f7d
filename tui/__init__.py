"""annotty's terminal app (Textual). It reaches the core only through ``annotations``' API."""
