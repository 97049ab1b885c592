"""JSON API controllers, one module per room."""
