"""Scoring pages: the reviewers' queue and review page (``reviews``), the standings (``standings``)."""
