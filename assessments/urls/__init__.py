"""URL groups, one module per area, each owned by its views module."""
