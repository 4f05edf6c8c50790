"""A key test result counts only for the key it tested: editing the key after a test means test again."""

from __future__ import annotations

import keyring
from PySide6.QtCore import Qt

from desktop.core.secrets import KEYRING_SERVICE, KEYRING_USER
from desktop.ui.main_window import MainWindow
from desktop.ui.widgets.api_key_form import ApiKeyForm


def _form(qtbot, ctx) -> ApiKeyForm:  # noqa: ANN001
    form = ApiKeyForm(lambda: ctx.endpoints, keyring_available=True, key_file_hint="key file")
    qtbot.addWidget(form)
    form.show()
    return form


def test_a_check_is_current_only_for_the_key_it_tested(qtbot, qloop, fake_soniox, make_context) -> None:  # noqa: ANN001
    form = _form(qtbot, make_context(fake_soniox))
    assert form.current_check() is None
    qtbot.keyClicks(form.key_edit, "test-key")
    qtbot.mouseClick(form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "✓" in form.result_label.text(), timeout=5000)
    check = form.current_check()
    assert check is not None and check.ok and form.check_is_current()
    qtbot.keyClicks(form.key_edit, "x")
    assert form.current_check() is None and not form.check_is_current()


def test_saving_a_key_edited_after_a_good_test_tests_it_again(qtbot, qloop, fake_soniox, make_context) -> None:  # noqa: ANN001
    window = MainWindow(make_context(fake_soniox))
    qtbot.addWidget(window)
    window.show()
    dialog = window.open_onboarding()
    qtbot.keyClicks(dialog.key_form.key_edit, "test-key")
    qtbot.mouseClick(dialog.key_form.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "✓" in dialog.key_form.result_label.text(), timeout=5000)
    qtbot.keyClicks(dialog.key_form.key_edit, "-typo")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "✗" in dialog.key_form.result_label.text(), timeout=5000)
    qtbot.wait(200)
    assert dialog.isVisible(), "the edited key was rejected, so nothing is saved"
    assert keyring.get_password(KEYRING_SERVICE, KEYRING_USER) is None
