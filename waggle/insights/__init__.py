"""Insights: the organization's view of how knowledge flows (space health, the help network)."""
