"""Check that every control a user can reach is named for tests and screen readers.

Controls (buttons, inputs, lists, combos, sliders, tabs) need an objectName and an accessibleName;
labels need an objectName only (an accessible name would replace a label's changing text on Linux).
Qt's own internal children (a combo's popup view, a tab bar's scroll buttons, scroll bars) are
skipped: the app cannot name them and screen readers handle them through their owner.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

CONTROLS = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QTabWidget,
)


def _internal(widget: QWidget) -> bool:
    if widget.objectName().startswith("qt_") or isinstance(widget, (QScrollBar, QTabBar)):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox, QTabBar, QLineEdit, QAbstractItemView)):
            return True
        if parent.objectName().startswith("qt_"):
            return True
        parent = parent.parentWidget()
    # Buttons QDialogButtonBox or QMessageBox make themselves are named by the code that adds them.
    return False


def unnamed_controls(root: QWidget) -> list[str]:
    problems = []
    for widget in [root, *root.findChildren(QWidget)]:
        if _internal(widget):
            continue
        kind = type(widget).__name__
        if isinstance(widget, CONTROLS):
            if not widget.objectName():
                problems.append(f"{kind} without objectName (text={getattr(widget, 'text', lambda: '')()!r})")
            elif not widget.accessibleName():
                problems.append(f"{kind} {widget.objectName()} without accessibleName")
        elif (
            isinstance(widget, QLabel)
            and widget.text().strip()
            and not widget.objectName()
            and widget.buddy() is None
            and not isinstance(widget.parentWidget(), QDialogButtonBox)
        ):
            problems.append(f"QLabel without objectName: {widget.text()[:40]!r}")
    return problems


def assert_accessible(root: QWidget) -> None:
    problems = unnamed_controls(root)
    assert not problems, "unnamed controls:\n" + "\n".join(problems)
