"""Where the app keeps its settings, data, logs and cache.

``SONIOX_DESKTOP_HOME`` puts everything under one folder: tests use it so that a run never
reads or writes the user's real settings, and it doubles as a "portable mode".
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop import APP_ID, ORGANIZATION

HOME_ENV = "SONIOX_DESKTOP_HOME"


@dataclass(frozen=True)
class AppPaths:
    config_dir: Path
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def key_file(self) -> Path:
        """The user-only key file, used only when the user chose it because no keyring exists."""
        return self.config_dir / "api-key"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "soniox-desktop.log"

    def ensure(self) -> AppPaths:
        for folder in (self.config_dir, self.data_dir, self.log_dir, self.cache_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    @classmethod
    def default(cls) -> AppPaths:
        home = os.environ.get(HOME_ENV)
        if home:
            root = Path(home)
            return cls(root / "config", root / "data", root / "logs", root / "cache")
        dirs = platformdirs.PlatformDirs(appname=APP_ID, appauthor=ORGANIZATION)
        return cls(
            Path(dirs.user_config_dir),
            Path(dirs.user_data_dir),
            Path(dirs.user_log_dir),
            Path(dirs.user_cache_dir),
        )
