"""Start-up: arguments, logging, the Qt application on a qasync loop, and clean shutdown.

The main coroutine waits on ``aboutToQuit`` rather than on the window: when the last window
closes, pending tasks are cancelled and ``qasync.run`` returns normally, instead of raising
"Event loop stopped before Future completed".

Start-up paints the main window first (``bench/bench_startup.py`` measures it against a bare
PySide6 window): only what that first picture shows is imported and built before it. After the
first paint come the version, the API key (finding the keyring's backend is slow), the jobs and
History panels, the microphone list, the connection check (which imports the SDK) and the offer
of interrupted sessions.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from desktop import APP_ID, APP_NAME, ORGANIZATION, version
from desktop.core.context import AppContext, EndpointOverrides
from desktop.core.library import cli as library_cli
from desktop.core.logs import setup_logging
from desktop.core.paths import AppPaths

log = logging.getLogger(__name__)


class _PrintVersion(argparse.Action):
    """``--version``, looked up only when asked (finding it costs every start ~25 ms otherwise)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help=str(kwargs.get("help", "")))

    def __call__(self, parser: argparse.ArgumentParser, *_args: object, **_kwargs: object) -> None:
        print(f"{parser.prog} {version()}")
        parser.exit()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="soniox-desktop", description=APP_NAME)
    parser.add_argument("--api-base-url", help="REST base URL for this run, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--websocket-url", help="realtime WebSocket URL for this run")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start headless, load every resource, build the main window, run one loop tick, exit 0",
    )
    parser.add_argument("--no-onboarding", action="store_true", help="do not show the API key dialog at start")
    parser.add_argument(
        "--autostart",
        "--hidden",
        dest="hidden",
        action="store_true",
        help="start hidden in the system tray, as at login (the window shows if there is no tray)",
    )
    parser.add_argument("--verbose", action="store_true", help="also log to the terminal")
    parser.add_argument("--version", action=_PrintVersion, help="show the version and exit")
    library_cli.add_arguments(parser)
    return parser.parse_args(argv)


START_FAILED_EXIT = 70  # EX_SOFTWARE: an internal error stopped the start


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app; an unexpected exception never escapes: it is logged with its traceback, shown
    in a dialog with the log's path (not in ``--self-test``, which has nobody to click it), and
    the exit status is non-zero."""
    args = parse_args(argv)
    if args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_API", "pyside6")  # qasync must bind to PySide6, whatever else is installed

    paths = AppPaths.default()
    try:
        paths.ensure()
        setup_logging(paths.log_file, console=args.verbose or args.self_test)
    except Exception as exc:  # no log yet: the terminal and a dialog are all we have
        print(f"Could not start {APP_NAME}: cannot set up {paths.log_file}: {exc}", file=sys.stderr)
        _show_start_failure(f"{exc}", paths.log_file, interactive=not args.self_test)
        return START_FAILED_EXIT
    try:
        return _start(args, paths)
    except Exception as exc:  # the last net: whatever it was, say so and exit non-zero
        log.exception("Could not start %s", APP_NAME)
        print(f"Could not start {APP_NAME}: {exc!r}; details in {paths.log_file}", file=sys.stderr)
        _show_start_failure(repr(exc), paths.log_file, interactive=not args.self_test)
        return START_FAILED_EXIT


def _show_start_failure(what: str, log_file: Path, *, interactive: bool) -> None:
    """A modal box saying what went wrong and where the log is; any failure of the box itself is
    swallowed, because this runs when things are already broken."""
    if not interactive:
        return
    try:
        from PySide6.QtWidgets import QApplication, QMessageBox

        app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841 - a box needs an app
        box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, f"{APP_NAME} could not start.")
        box.setObjectName("startFailureDialog")
        box.setInformativeText(f"{what}\n\nThe details are in the log file:\n{log_file}")
        box.exec()
    except Exception:
        log.exception("Could not show the start-up failure dialog")


def _start(args: argparse.Namespace, paths: AppPaths) -> int:
    log.info("%s starting (Python %s, %s)", APP_NAME, sys.version.split()[0], sys.platform)

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setDesktopFileName(APP_ID)

    import qasync

    overrides = EndpointOverrides(args.api_base_url, args.websocket_url)
    context = AppContext.create(paths, overrides, load_key=args.self_test)  # else after the first paint
    try:
        return qasync.run(_run(app, context, self_test=args.self_test, onboarding=not args.no_onboarding, args=args))
    except KeyboardInterrupt:
        return 130


def _quit_on_signals(app, request_quit: Callable[[], None]) -> None:  # noqa: ANN001 - QApplication
    """Ctrl+C in a terminal, or a session manager's SIGTERM, quits like File → Quit does, so a
    running live session still finishes and the settings are saved.

    Python runs signal handlers only between bytecodes, and an idle Qt loop runs none; a light
    timer gives the interpreter a turn twice a second (asyncio's signal wake-up was not always
    seen by qasync until the next window-system event).
    """
    from PySide6.QtCore import QTimer

    def quit_now() -> None:
        log.info("Quit requested by a signal")
        request_quit()

    def on_signal(_signum: int, _frame: object) -> None:
        QTimer.singleShot(0, quit_now)  # leave the handler at once; act on the Qt loop

    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(signum, on_signal)
        except (ValueError, OSError):  # not the main thread
            return
    ticker = QTimer(app)
    ticker.setObjectName("signalTicker")
    ticker.timeout.connect(lambda: None)
    ticker.start(500)


async def _first_paint(painted: asyncio.Event, timeout_s: float = 2.0) -> None:
    """Until the window has painted once, so that what follows (the SDK's import for the model
    list, the recovery dialog) does not hold it up; at most ``timeout_s``, as a window that is
    never exposed (minimised at start, some window managers) must not hold up the rest."""
    try:
        await asyncio.wait_for(painted.wait(), timeout_s)
    except TimeoutError:
        log.info("The main window did not paint within %.1f s; going on", timeout_s)


async def _run(
    app, context: AppContext, *, self_test: bool, onboarding: bool, args: argparse.Namespace | None = None
) -> int:
    from desktop.ui.library import startup as library_startup
    from desktop.ui.main_window import MainWindow
    from desktop.ui.resources import load_all_resources
    from desktop.ui.theme import apply_theme

    # Closing the window does not quit Qt by itself: the loop must keep running while a live
    # session finishes and the library flushes, so the window's ``closed`` (or a quit from the
    # OS) sets this event, ``_run`` winds everything down, and returning ends qasync.run.
    quitting = asyncio.Event()
    app.aboutToQuit.connect(quitting.set)
    app.setQuitOnLastWindowClosed(False)

    loaded = load_all_resources()
    apply_theme(app)
    library, library_failure = library_startup.open_library_checked(context)
    window = MainWindow(context)
    window.closed.connect(quitting.set)

    def request_quit() -> None:
        window.quit_app()  # saves geometry, like the Quit action (and never just hides in the tray)
        quitting.set()

    _quit_on_signals(app, request_quit)
    # Without a library the History dock says why; with one, its panel is built after the first paint.
    library_startup.attach(window, library, library_failure, lazy=not self_test)
    if self_test:
        window.jobs_panel  # noqa: B018 - built after the first paint otherwise; the self-test builds all
        await asyncio.sleep(0)  # one loop tick through qasync
        window.close()
        library_startup.shutdown(window, library)
        await context.aclose()
        app.setApplicationVersion(version())
        from desktop.platform.bundle_check import bundle_problems

        problems = bundle_problems()
        if problems:
            print("self-test failed: " + "; ".join(problems))
            return 1
        print(f"self-test ok: {APP_NAME} {version()}, {len(loaded)} resources, window {window.objectName()}")
        return 0

    window.restore_geometry()
    painted = asyncio.Event()
    window.first_painted.connect(painted.set)
    hidden = bool(getattr(args, "hidden", False))
    if not hidden:
        window.show()
        log.info("Main window shown")
        await _first_paint(painted)  # the key, the connection check, the model list and recovery come after it
    app.setApplicationVersion(version())
    log.info("%s %s: main window painted", APP_NAME, version())
    context.reload_key()  # before the jobs panel exists: it reloads its lists when the key changes
    window.jobs_panel  # noqa: B018 - built now, after the paint and the key
    if hidden:
        from desktop.ui.tray import install_when_ready

        if await install_when_ready(window) is None:  # no tray to hide in: a hidden app could not be reached
            window.show()
            log.info("No system tray: main window shown after all")
        else:
            log.info("Started hidden in the tray")
    else:
        window.install_tray()
    window.start_up(onboarding=onboarding)  # without onboarding the connection is still checked
    await library_startup.after_show(window, library, args or argparse.Namespace(), quitting.set)
    await quitting.wait()
    await window.shutdown()
    library_startup.shutdown(window, library)
    await context.aclose()
    log.info("%s stopped", APP_NAME)
    return 0
