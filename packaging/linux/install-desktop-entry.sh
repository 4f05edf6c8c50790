#!/bin/sh
# Adds Soniox Desktop to this user's application menu (no root needed): a desktop entry in
# ~/.local/share/applications that starts the app from this folder, and its icon.
# Run it again after moving the folder; `install-desktop-entry.sh --remove` takes both away.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data="${XDG_DATA_HOME:-$HOME/.local/share}"
entry="$data/applications/soniox-desktop.desktop"
icon="$data/icons/hicolor/256x256/apps/soniox-desktop.png"

if [ "${1:-}" = "--remove" ]; then
    rm -f "$entry" "$icon"
    echo "Removed $entry"
    exit 0
fi

if [ ! -x "$here/soniox-desktop" ]; then
    echo "soniox-desktop not found next to this script ($here)" >&2
    exit 1
fi

mkdir -p "$(dirname "$entry")" "$(dirname "$icon")"
cp "$here/soniox-desktop.png" "$icon"
# Desktop entries quote Exec arguments with double quotes and escape \ " ` $ inside them.
exec_path=$(printf '%s' "$here/soniox-desktop" | sed -e 's/[\\"`$]/\\\\&/g')
cat > "$entry" <<ENTRY
[Desktop Entry]
Type=Application
Name=Soniox Desktop
Comment=Live transcription and file jobs with the Soniox speech-to-text API
Exec="$exec_path"
Icon=soniox-desktop
Terminal=false
Categories=AudioVideo;Audio;Utility;
StartupWMClass=soniox-desktop
ENTRY
echo "Added $entry"
