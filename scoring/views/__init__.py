"""Scoring pages, one module per screen family; re-exported here so ``scoring.views.<name>`` keeps working."""

from .standings import (  # noqa: F401
    campaign_standings,
    cluster_standing,
    period_close,
    period_reopen,
    scoring_campaign,
    unit_standing,
)
