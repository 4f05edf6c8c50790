"""The job options the sheet starts with, and remembering the ones the user last chose.

Kept out of the panel so any front end that submits jobs (tray, hotkey) starts from the same
defaults: the last options used, else the app settings' async model and language hints. The
webhook header value is a secret, so it lives in the keyring, not in the settings file.
"""

from __future__ import annotations

import logging

from desktop.core.context import AppContext
from desktop.core.jobs.job_options import JobOptions, recall_secret, remember_secret

log = logging.getLogger(__name__)

#: Where the last-used job options are kept in ``settings.defaults``.
DEFAULTS_KEY = "jobs"


def default_job_options(context: AppContext) -> JobOptions:
    settings = context.settings
    saved = settings.defaults.get(DEFAULTS_KEY)
    options = JobOptions.from_dict(saved)
    if not saved:
        options.model = settings.async_model
        options.language_hints = list(settings.language_hints)
    if options.webhook_auth_header_name:
        options.webhook_auth_header_value = recall_secret()
    return options


def remember_job_options(context: AppContext, options: JobOptions) -> None:
    context.settings.defaults[DEFAULTS_KEY] = options.to_dict()
    remember_secret(options.webhook_auth_header_value if options.webhook_auth_header_name else "")
    # Remembered defaults, not a settings edit other panels react to: just write the file.
    try:
        context.settings_store.save()
    except (OSError, ValueError) as exc:
        log.warning("Saving job defaults failed: %s", exc)
