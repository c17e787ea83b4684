"""Runs the real kiosk app and lets a test drive it with touches, like a visitor's finger.

    python kiosk_driver.py --config FILE --size 800x480 --socket PATH

The app is exactly what `frontdesk-kiosk run --windowed` starts; this script only adds a
Unix socket on which the test sends one JSON request per line. Requests run on Kivy's UI
thread: taps and strokes are MotionEvents posted to Kivy's event loop (the path a
touchscreen's events take), typing on the touch keyboard is taps on its keys, a scanner is
keyboard events on the window. Nothing in the app is called directly.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import socket
import sys
import threading
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from frontdesk.contract.config import load_config
from frontdesk.kiosk.app import prepare_kivy


def walk(widget):
    yield widget
    for child in widget.children:
        yield from walk(child)


def visible(widget) -> bool:
    while widget is not None:
        if getattr(widget, "opacity", 1) == 0:
            return False
        parent = widget.parent
        if parent is widget:
            break
        widget = parent
    return True


@functools.cache
def finger_class():
    """A touch posted to Kivy's event loop, as a touchscreen's are: Kivy's own UnitTestTouch
    (kivy.tests.common), which cannot be imported where pytest is not installed, as in the
    production venv tests/test_office_deployed.py runs the kiosk from."""
    from kivy.base import EventLoop
    from kivy.input.motionevent import MotionEvent

    class Finger(MotionEvent):
        def __init__(self, x: float, y: float) -> None:
            super().__init__("Finger", 99, self._fractions(x, y), is_touch=True, type_id="touch")
            self.profile = ["pos"]

        @staticmethod
        def _fractions(x: float, y: float) -> dict:
            window = EventLoop.window
            return {"x": x / (window.width - 1.0), "y": y / (window.height - 1.0)}

        def depack(self, args) -> None:
            self.sx, self.sy = args["x"], args["y"]
            super().depack(args)

        def touch_down(self) -> None:
            EventLoop.post_dispatch_input("begin", self)

        def touch_move(self, x: float, y: float) -> None:
            self.move(self._fractions(x, y))
            EventLoop.post_dispatch_input("update", self)

        def touch_up(self) -> None:
            EventLoop.post_dispatch_input("end", self)

    return Finger


class Driver:
    def __init__(self, app) -> None:
        self.app = app

    def screen(self):
        return self.app.screens.current_screen

    def find(self, ref: str):
        matches = [w for w in walk(self.screen()) if getattr(w, "ref", None) == ref and visible(w)]
        if not matches:
            refs = sorted({getattr(w, "ref", "") for w in walk(self.screen())} - {""})
            raise LookupError(f"no {ref!r} on screen {self.app.screens.current!r}; there are {refs}")
        return matches[0]

    def op_state(self) -> dict:
        texts = [w.text for w in walk(self.screen()) if hasattr(w, "text") and isinstance(w.text, str)
                 and w.text.strip() and visible(w) and not getattr(w, "ref", "").startswith("key:")]
        refs = sorted({w.ref for w in walk(self.screen()) if getattr(w, "ref", "") and visible(w)})
        # Buttons still drawn pressed: a tap's release shows for Kivy's min_state_time after it.
        pressed = sorted(getattr(w, "ref", "") or type(w).__name__ for w in walk(self.screen())
                         if getattr(w, "state", None) == "down" and visible(w))
        return {"screen": self.app.screens.current, "language": self.app.tr.language, "texts": texts,
                "refs": refs, "pressed": pressed}

    def op_widget(self, ref: str) -> dict:
        widget = self.find(ref)
        return {"text": getattr(widget, "text", None), "disabled": widget.disabled}

    def _touch(self, x: float, y: float):
        return finger_class()(x, y)

    def op_tap(self, ref: str) -> dict:
        widget = self.find(ref)
        if widget.disabled:
            raise RuntimeError(f"{ref!r} is disabled")
        x, y = widget.to_window(*widget.center)
        touch = self._touch(x, y)
        touch.touch_down()
        touch.touch_up()
        return self.op_state()

    def op_draw(self, ref: str, points: list[list[float]]) -> dict:
        """A stroke through `points`, given as fractions of the widget's width and height."""
        widget = self.find(ref)
        spots = [widget.to_window(widget.x + fx * widget.width, widget.y + fy * widget.height) for fx, fy in points]
        touch = self._touch(*spots[0])
        touch.touch_down()
        for x, y in spots[1:]:
            touch.touch_move(x, y)
        touch.touch_up()
        return {}

    def op_type(self, text: str) -> dict:
        """Types on the on-screen keyboard key by key, as a visitor would, switching to the
        accent page or pressing shift first when a letter needs it. (The keyboard relabels
        its keys rather than rebuilding them, so they stay where the taps land.)"""
        keyboard = self.screen().keyboard
        for char in text:
            key = "space" if char == " " else char.lower()
            if key not in keyboard.keys:
                self.op_tap("key:accents" if "accents" in keyboard.keys else "key:letters")
            if char.isalpha() and char.lower() != char.upper() and char.isupper() != keyboard.shifted:
                self.op_tap("key:shift")
            self.op_tap(f"key:{key}")
        return self.op_state()

    def op_keys(self, text: str = "", enter: bool = False, key: int | None = None) -> dict:
        """What a USB keyboard or barcode scanner sends: text, then Enter."""
        from kivy.core.window import Window

        for char in text:
            Window.dispatch("on_textinput", char)
        for code in ([key] if key else []) + ([13] if enter else []):
            if not Window.dispatch("on_key_down", code, 0, None, []):
                Window.dispatch("on_keyboard", code, 0, None, [])
        return self.op_state()

    def op_fps(self) -> dict:
        from kivy.clock import Clock

        return {"fps": Clock.get_fps(), "rfps": Clock.get_rfps()}

    def op_close(self) -> dict:
        """The window manager's close button (or Alt+F4): the kiosk must refuse it."""
        from kivy.core.window import Window

        return {"refused": bool(Window.dispatch("on_request_close"))}

    def op_screenshot(self, path: str) -> dict:
        from kivy.core.window import Window

        Path(path).parent.mkdir(parents=True, exist_ok=True)
        taken = Window.screenshot(name=str(Path(path).with_suffix("")) + "-%(counter)04d.png")
        shutil.move(taken, path)
        return {"path": path}


def serve(app, path: str, ready: threading.Event) -> None:
    from kivy.clock import Clock

    driver = Driver(app)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    ready.wait()
    connection, _ = server.accept()
    stream = connection.makefile("rw", encoding="utf-8")
    for line in stream:
        request = json.loads(line)
        done, answer = threading.Event(), {}

        def run(_dt, request=request, done=done, answer=answer) -> None:
            op = request.pop("op")
            try:
                answer["result"] = getattr(driver, f"op_{op}")(**request)
            except Exception as error:  # noqa: BLE001 - reported to the test, which fails with it
                answer["error"] = f"{type(error).__name__}: {error}\n{traceback.format_exc()}"
            done.set()

        # At the next frame, so what the last request changed has been laid out.
        Clock.schedule_once(run, 0)
        done.wait()
        stream.write(json.dumps(answer, ensure_ascii=False) + "\n")
        stream.flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--size", default="800x480")
    parser.add_argument("--socket", required=True)
    args = parser.parse_args()
    config = load_config(args.config)
    width, height = (int(n) for n in args.size.split("x"))
    prepare_kivy(config.kiosk.data_dir, fullscreen=False, size=(width, height))
    from kivy.clock import Clock

    from frontdesk.kiosk.kiosk_app import KioskApp

    app = KioskApp(config)
    ready = threading.Event()
    threading.Thread(target=serve, args=(app, args.socket, ready), daemon=True).start()
    # Ready on the second frame: the first one (laid out and drawn) is on the screen by then.
    Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt: ready.set(), 0), 0)
    app.run()
    os._exit(0)  # paho's and the driver's threads must not keep a stopped kiosk alive


if __name__ == "__main__":
    main()
