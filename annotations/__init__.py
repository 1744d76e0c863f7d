"""annotty's core: documents, annotations, storage, import, recognition and export.

This package never imports Textual, so scripts, the CLI and tests can use it without a terminal.
"""

__version__ = "0.1.0"
