"""The one exception the simulator's command handlers raise."""


class CommandError(Exception):
    """A command the printer would reject or misprint; recorded, never raised to callers."""
