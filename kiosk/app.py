"""`run_app`: the kiosk's composition root, started by `frontdesk-kiosk run`.

Kivy reads its settings (home folder, window, keyboard) when it is first imported, so this
module imports nothing of Kivy at the top: `run_app` prepares the environment and the
configuration first, then imports the app (kiosk/kiosk_app.py).
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_WINDOW = (800, 480)


def prepare_kivy(data_dir: Path, fullscreen: bool, size: tuple[int, int]) -> None:
    """Kivy's settings for a kiosk: no exit on Escape, no multitouch emulation, our own keyboard."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # our command line is ours, not Kivy's
    # SDL would turn SIGTERM into a window-close request, which the kiosk refuses; systemd's
    # stop must stop it, so the kiosk handles the signals itself (KioskApp.on_start).
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    os.environ.setdefault("KIVY_CLIPBOARD", "sdl2")  # no probing for xclip/xsel on a Pi without X
    if "KIVY_HOME" not in os.environ:
        # The kiosk's service user has no home folder to speak of: Kivy's logs and settings
        # live with the kiosk's data instead of ~/.kivy.
        kivy_home = data_dir / "kivy"
        kivy_home.mkdir(parents=True, exist_ok=True)
        os.environ["KIVY_HOME"] = str(kivy_home)
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")  # the on-screen keyboard is the kiosk's own
    Config.set("kivy", "log_level", os.environ.get("FRONTDESK_KIOSK_LOG", "warning"))
    Config.set("input", "mouse", "mouse,multitouch_on_demand")  # no red dots from a right click
    Config.set("graphics", "resizable", "0")
    Config.set("graphics", "width", str(size[0]))
    Config.set("graphics", "height", str(size[1]))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")


def run_app(config, windowed: bool = False, size: tuple[int, int] | None = None) -> int:
    """Runs the kiosk until staff close it (behind the PIN); returns the exit status."""
    kiosk = config.kiosk
    fullscreen = kiosk.fullscreen and not windowed
    window = tuple(size or kiosk.window_size or DEFAULT_WINDOW)
    prepare_kivy(Path(kiosk.data_dir), fullscreen, window)
    from frontdesk.kiosk.kiosk_app import KioskApp

    KioskApp(config).run()
    return 0
