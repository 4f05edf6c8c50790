#!/usr/bin/env bash
# Sign "Soniox Desktop.app" (or a .dmg) with a Developer ID for the hardened runtime.
#
#   MACOS_CODESIGN_IDENTITY="Developer ID Application: Name (TEAMID)" packaging/macos/sign.sh "dist/Soniox Desktop.app"
#   MACOS_CODESIGN_IDENTITY=... packaging/macos/sign.sh dist/Soniox-Desktop-0.1.0.dmg
#
# Without MACOS_CODESIGN_IDENTITY it prints that it skipped and exits 0: the app keeps the ad-hoc
# signature PyInstaller gave it, which runs on the machine that built it (Gatekeeper will ask
# elsewhere). MACOS_KEYCHAIN optionally names the keychain holding the identity (CI imports the
# certificate into a temporary one).
#
# Signs inside out, as Apple asks instead of --deep: every Mach-O file first (libraries and
# extension modules, no entitlements), then nested bundles (Qt's .framework folders), then the
# main executable and the .app with packaging/macos/entitlements.plist.
set -euo pipefail

target="${1:?usage: sign.sh <path to .app or .dmg>}"
here="$(cd "$(dirname "$0")" && pwd)"
entitlements="$here/entitlements.plist"

if [ -z "${MACOS_CODESIGN_IDENTITY:-}" ]; then
    echo "sign.sh: MACOS_CODESIGN_IDENTITY not set, $target left unsigned (ad-hoc)"
    exit 0
fi

sign=(codesign --force --timestamp --sign "$MACOS_CODESIGN_IDENTITY")
if [ -n "${MACOS_KEYCHAIN:-}" ]; then
    sign+=(--keychain "$MACOS_KEYCHAIN")
fi

case "$target" in
    *.dmg)
        "${sign[@]}" "$target"
        codesign --verify --verbose=2 "$target"
        exit 0
        ;;
    *.app) ;;
    *)
        echo "sign.sh: expected a .app or .dmg, got $target" >&2
        exit 2
        ;;
esac

main_exe="$target/Contents/MacOS/$(/usr/libexec/PlistBuddy -c 'Print :CFBundleExecutable' "$target/Contents/Info.plist")"

# 1. Every Mach-O file but the main executable (symlinks are skipped: their targets get signed).
count=0
while IFS= read -r -d '' file; do
    [ "$file" = "$main_exe" ] && continue
    if file -b "$file" | grep -q "Mach-O"; then
        "${sign[@]}" --options runtime "$file"
        count=$((count + 1))
    fi
done < <(find "$target/Contents" -type f -print0)
echo "sign.sh: signed $count Mach-O files"

# 2. Nested bundles, deepest first (find -depth), so each seal covers already-signed contents.
while IFS= read -r -d '' bundle; do
    "${sign[@]}" --options runtime "$bundle"
done < <(find "$target/Contents" -depth -type d \( -name '*.framework' -o -name '*.bundle' -o -name '*.plugin' \) -print0)

# 3. The executable and the app itself, with the entitlements (microphone; PyInstaller needs).
"${sign[@]}" --options runtime --entitlements "$entitlements" "$main_exe"
"${sign[@]}" --options runtime --entitlements "$entitlements" "$target"

codesign --verify --deep --strict --verbose=2 "$target"
codesign --display --entitlements - "$target" >/dev/null
echo "sign.sh: $target signed by $MACOS_CODESIGN_IDENTITY"
