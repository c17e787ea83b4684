"""The `[kiosk]` section: the visitor kiosk's own settings.

Filled in by the kiosk issue; kept apart from contract/config.py so each
process's section stays small and readable.
"""

from __future__ import annotations

from contract.config_base import Strict


class KioskConfig(Strict):
    pass
