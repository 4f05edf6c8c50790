"""Read an application's accessible tree over AT-SPI, as a screen reader does (system python3 + pyatspi).

Prints one JSON list of [role, name, text] for every accessible of the application named argv[1].
"""

import json
import sys
import time

import pyatspi


def walk(acc, out):
    text = None
    if "Text" in pyatspi.listInterfaces(acc):
        text = acc.queryText().getText(0, -1)
    out.append([acc.getRoleName(), acc.name, text])
    for i in range(acc.childCount):
        child = acc.getChildAtIndex(i)
        if child is not None:
            walk(child, out)
    return out


def main():
    deadline = time.time() + 15
    while time.time() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == sys.argv[1]:
                print(json.dumps(walk(app, [])))
                return 0
        time.sleep(0.3)
    print("[]")
    return 1


if __name__ == "__main__":
    sys.exit(main())
