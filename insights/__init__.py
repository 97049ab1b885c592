"""Insights: the dashboard's figures, trends and cohorts gathered from every room, request metrics, anomaly alerts."""
