"""Recommendations: recently viewed (synced), "for you" from item-to-item similarity, popularity fallback."""
