"""Wait until Rasa, the action server and the web entry answer, then print where to chat."""
from __future__ import annotations

import sys
import time
import urllib.request

CHECKS = {
    "Rasa": "http://127.0.0.1:5005/",
    "action server": "http://127.0.0.1:5055/health",
    "web": "http://127.0.0.1:8080/healthz",
}


def up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except Exception:
        return False


def main(timeout: float = 600) -> int:
    deadline = time.time() + timeout
    waiting = dict(CHECKS)
    while waiting and time.time() < deadline:
        for name, url in list(waiting.items()):
            if up(url):
                print(f"{name} is up ({url})", flush=True)
                del waiting[name]
        time.sleep(1)
    if waiting:
        print("Not ready after %d s: %s" % (timeout, ", ".join(waiting)), flush=True)
        return 1
    print("\n  Trygg havn is ready: open http://localhost:8080 (Norwegian) or http://localhost:8080/da (Danish)."
          "\n  Ctrl-C stops everything.\n", flush=True)
    while True:  # keep running, so honcho does not stop the others
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
