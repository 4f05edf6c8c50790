"""Only here to ship ``resources/`` inside the package as ``desktop/resources``.

pyproject.toml holds all metadata; setuptools' declarative config cannot map a folder outside
the package into it while also discovering subpackages, which this does.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["desktop", "desktop.*"]),
        "desktop.resources",
        "desktop.resources.icons",
        "desktop.resources.icons.ui",
    ],
    package_dir={
        "desktop.resources": "resources",
        "desktop.resources.icons": "resources/icons",
        "desktop.resources.icons.ui": "resources/icons/ui",
    },
    package_data={
        "desktop": ["py.typed"],
        "desktop.resources": ["*.qss"],
        "desktop.resources.icons": ["*.png", "*.ico", "*.icns"],
        "desktop.resources.icons.ui": ["*.svg", "*.md"],
    },
)
