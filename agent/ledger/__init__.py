"""The agent's durable records (SQLite, WAL): what was done, kept across crashes."""
