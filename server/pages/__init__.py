"""Server-rendered shop pages, their HTML parts, images and formats, and the PWA asset bundle."""
