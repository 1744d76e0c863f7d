"""Importing: plain documents (``plain_files``) and annotation exports (``annotation_files``).

A file's records are read one at a time (``records``), decoded by the format's reader (beside its
writer in ``annotations.export``), placed into the store without duplicates (``placement``) and
written in batches (``doc_batches``); everything is counted in one ``ImportReport`` (``report``).
"""
