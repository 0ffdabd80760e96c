"""Scoring pages, one module per screen family: the reviewers' queue and review page (``reviews``), the
standings of a campaign, a cluster and a unit (``standings``)."""
