"""Real-ESRGAN degradations (placeholder, filled below)."""
