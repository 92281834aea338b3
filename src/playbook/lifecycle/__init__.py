"""Lifecycles: the stage each group is in on a day, members' journeys, the shared holiday
calendar (and, beside them, exit criteria and the audit)."""
