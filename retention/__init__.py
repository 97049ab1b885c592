"""Segments, triggers, offers, campaigns and web push delivery (no HTTP here)."""
