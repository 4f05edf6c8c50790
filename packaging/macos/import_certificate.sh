#!/usr/bin/env bash
# CI helper: put the Developer ID certificate from the environment into a temporary keychain, so
# sign.sh can use it without a password prompt. Prints the keychain path for MACOS_KEYCHAIN.
#
#   MACOS_CERTIFICATE_P12_BASE64=... MACOS_CERTIFICATE_PASSWORD=... packaging/macos/import_certificate.sh
#
# Without MACOS_CERTIFICATE_P12_BASE64 it prints nothing and exits 0 (signing is then skipped).
# On a developer's Mac the identity is already in the login keychain: this script is not needed.
set -euo pipefail

if [ -z "${MACOS_CERTIFICATE_P12_BASE64:-}" ]; then
    echo "import_certificate.sh: no certificate given, nothing imported" >&2
    exit 0
fi

scratch="${RUNNER_TEMP:-${TMPDIR:-/tmp}}"
keychain="$scratch/soniox-signing.keychain-db"
keychain_password="$(uuidgen)"
certificate="$scratch/soniox-signing.p12"

printf '%s' "$MACOS_CERTIFICATE_P12_BASE64" | base64 --decode > "$certificate"
security create-keychain -p "$keychain_password" "$keychain"
security set-keychain-settings -lut 3600 "$keychain"
security unlock-keychain -p "$keychain_password" "$keychain"
security import "$certificate" -k "$keychain" -P "${MACOS_CERTIFICATE_PASSWORD:-}" -T /usr/bin/codesign
security set-key-partition-list -S apple-tool:,apple:,codesign: -s -k "$keychain_password" "$keychain" >/dev/null
# Keep the login keychain in the search list; codesign looks identities up there.
existing=()
while IFS= read -r line; do
    line="${line//\"/}"
    existing+=("${line#"${line%%[![:space:]]*}"}")
done < <(security list-keychains -d user)
security list-keychains -d user -s "$keychain" "${existing[@]}"
rm -f "$certificate"
echo "$keychain"
