#!/usr/bin/env bash
# Runs a command with its own D-Bus session and an unlocked GNOME Keyring
# (the freedesktop Secret Service) in a throwaway HOME: what a desktop
# session gives Cachet, without touching the user's keyring.
#   with_keyring.sh <command> [args...]
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: with_keyring.sh <command> [args...]" >&2; exit 2; }
if [ -z "${CACHET_KEYRING_INNER:-}" ]; then
  exec env CACHET_KEYRING_INNER=1 dbus-run-session -- "$0" "$@"
fi
home=$(mktemp -d /tmp/cachet-keyring.XXXXXX)
trap 'rm -rf "$home"' EXIT
export HOME=$home XDG_RUNTIME_DIR=$home/run XDG_DATA_HOME=$home/.local/share
mkdir -m 0700 "$XDG_RUNTIME_DIR"
# The login keyring is created and unlocked with this throwaway password.
eval "$(printf 'cachet-test-keyring' | gnome-keyring-daemon --daemonize --unlock --components=secrets)"
export CACHET_TEST_KEYRING_DIR=$XDG_DATA_HOME/keyrings
deadline=$((SECONDS + 20))
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; do
  [ $SECONDS -lt $deadline ] || { echo "with_keyring: the Secret Service did not appear" >&2; exit 1; }
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.ListNames >/dev/null  # a round trip on the bus, not a sleep
done
"$@"
