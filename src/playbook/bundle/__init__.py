"""Message bundles: the schedule rendered into per-group, per-day messages and exported."""
