"""Drive the system's headless Chromium through the DevTools protocol, for the browser tests.

Chromium is started with `--remote-debugging-pipe`: the protocol runs over two inherited file
descriptors (commands in on fd 3, replies out on fd 4, each message JSON ended by a NUL), so no
socket and no websocket client are needed, and the browser can run in a network namespace of
its own (`unshare --net`, when root) where nothing can leave. `--log-net-log` records every
request the network stack saw, as the proof the page asked for nothing.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
         "--disable-extensions", "--no-pings", "--host-resolver-rules=MAP * ~NOTFOUND",
         "--window-size=1300,1000"]


def can_unshare() -> bool:
    """Whether Chromium can be put in a network namespace of its own (root with unshare)."""
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False).returncode == 0


class Browser:
    """One headless Chromium with one page, driven over the DevTools pipe.

    Use as a context manager; `hosts()` after it closes lists the hosts the net log saw.
    """

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self._profile = tempfile.TemporaryDirectory()
        self.net_log = Path(self._profile.name) / "net.json"
        self.downloads = Path(self._profile.name) / "downloads"
        self._next = 0
        self._buffer = b""

    def __enter__(self) -> Browser:
        to_browser, self._commands = os.pipe()
        self._replies, from_browser = os.pipe()
        command = [CHROMIUM, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={self._profile.name}/data",
                   f"--log-net-log={self.net_log}", "about:blank"]
        if can_unshare():
            command = ["unshare", "--net", *command]
        high_in, high_out = os.dup(to_browser), os.dup(from_browser)  # out of the way of 3 and 4

        def on_three_and_four() -> None:
            os.dup2(high_in, 3)
            os.dup2(high_out, 4)

        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, pass_fds=(3, 4), preexec_fn=on_three_and_four)
        for fd in (to_browser, from_browser, high_in, high_out):
            os.close(fd)
        try:
            target = next(info for info in self.call("Target.getTargets")["targetInfos"] if info["type"] == "page")
            self.session = self.call("Target.attachToTarget", targetId=target["targetId"], flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Network", "Log"):
                self.call(f"{domain}.enable", session=True)
            # downloads go to the profile, never to the user's ~/Downloads
            self.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(self.downloads))
        except BaseException:
            self.__exit__()  # no browser left behind when it could not be driven
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.call("Browser.close")
        except (OSError, TimeoutError, RuntimeError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)

    def downloaded(self, name: str) -> str:
        """The text of a file the page downloaded, once it is complete."""
        deadline = time.monotonic() + self.timeout
        while not (self.downloads / name).exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no download named {name}")
            time.sleep(0.05)
        return (self.downloads / name).read_text(encoding="utf-8")

    def hosts(self) -> set[str]:
        """Scheme and host of every URL in the net log (written when the browser closed)."""
        text = self.net_log.read_text() if self.net_log.exists() else ""
        found = set(re.findall(r'"url":"([a-z-]+://[^/"]*)', text))
        self._profile.cleanup()
        return found

    def call(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its reply; events that come first are kept in `events`."""
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def open(self, url: str) -> None:
        """Navigate the page to `url` and wait for its load event."""
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("document.readyState === 'complete'")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited); page errors raise."""
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, condition: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not self.evaluate(f"Boolean({condition})"):
            if time.monotonic() > deadline:
                raise TimeoutError(condition)
            time.sleep(0.05)

    def click(self, x: float, y: float) -> None:
        """A real left click at page coordinates (CSS pixels from the viewport's corner)."""
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", session=True, type=kind, x=x, y=y, button="left",
                      clickCount=0 if kind == "mouseMoved" else 1)

    def problems(self) -> list[str]:
        """Uncaught exceptions and console errors seen so far."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(params["exceptionDetails"].get("exception", {}).get("description", "exception"))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning"):
                found.append(" ".join(str(arg.get("value", arg.get("description"))) for arg in params["args"]))
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(params["entry"].get("text", ""))
        return found

    def requested(self) -> list[str]:
        """URLs the page asked the network stack for (Network.requestWillBeSent), in order."""
        return [event["params"]["request"]["url"] for event in self.events
                if event.get("method") == "Network.requestWillBeSent"]

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._replies], [], [], remaining)[0]:
                raise TimeoutError("no reply from Chromium")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)
