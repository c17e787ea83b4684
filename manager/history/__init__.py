"""The manager's history: schema.py (the tables), store.py (History), incidents.py."""
