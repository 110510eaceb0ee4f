"""revlog."""
