"""Rate tables as data: one `<carrier>-<effective-date>.toml` file per published price list."""
