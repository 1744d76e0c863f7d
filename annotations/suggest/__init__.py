"""Claim candidates: sentences likely to hold a check-worthy factual claim, scored and typed.

``units`` cuts a document into the sentences that are candidates (and that gold files label);
the suggesters score them; the annotator decides.
"""
