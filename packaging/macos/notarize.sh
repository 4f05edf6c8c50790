#!/usr/bin/env bash
# Notarise a signed .dmg with Apple and staple the ticket to it, so Gatekeeper accepts it offline.
#
#   packaging/macos/notarize.sh dist/Soniox-Desktop-0.1.0.dmg
#
# Credentials, from the environment (first complete set wins; none: it prints that it skipped
# and exits 0):
#   App Store Connect API key: APPLE_API_KEY_PATH (the .p8 file), APPLE_API_KEY_ID, APPLE_API_ISSUER
#   Apple ID:                  APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD (an app-specific password)
# The .dmg and the app in it must be signed with a Developer ID first (sign.sh), or Apple rejects it.
set -euo pipefail

dmg="${1:?usage: notarize.sh <path to .dmg>}"

if [ -n "${APPLE_API_KEY_PATH:-}" ] && [ -n "${APPLE_API_KEY_ID:-}" ] && [ -n "${APPLE_API_ISSUER:-}" ]; then
    auth=(--key "$APPLE_API_KEY_PATH" --key-id "$APPLE_API_KEY_ID" --issuer "$APPLE_API_ISSUER")
elif [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    auth=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" --password "$APPLE_APP_PASSWORD")
else
    echo "notarize.sh: no Apple credentials set, $dmg not notarised"
    exit 0
fi

# --wait returns when Apple has a verdict (usually minutes); print the log when it is not Accepted.
result="$(xcrun notarytool submit "$dmg" "${auth[@]}" --wait --timeout 30m --output-format json)"
echo "$result"
status="$(printf '%s' "$result" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("status", ""))')"
if [ "$status" != "Accepted" ]; then
    submission="$(printf '%s' "$result" | python3 -c 'import json, sys; print(json.load(sys.stdin).get("id", ""))')"
    if [ -n "$submission" ]; then
        xcrun notarytool log "$submission" "${auth[@]}" || true
    fi
    echo "notarize.sh: notarisation ended with status '$status'" >&2
    exit 1
fi

xcrun stapler staple "$dmg"
xcrun stapler validate "$dmg"
echo "notarize.sh: $dmg notarised and stapled"
