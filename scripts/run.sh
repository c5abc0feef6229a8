#!/usr/bin/env bash
# Installs what Cachet needs, builds it (Release) and runs the product on its
# embedded default, everything local and on loopback:
#   - the mail test bed (tests/mailbed: Postfix + Dovecot) with users alice,
#     bob and carol @example.test, their passwords printed below;
#   - cachet-cloud (ACME CA for mailbox certificates, key directory, TSA),
#     sending its challenge mail through the bed;
#   - the browser, `cachet`, at cachet:mail, told where both are.
# The bed and the cloud stop when the browser exits (or on Ctrl-C).
#
#   bash scripts/run.sh [--demo]    --demo: first run the cachet-pki demo (throwaway
#                                   RSA and SM2 CAs; sign, timestamp, encrypt, decrypt, verify)
# Environment:
#   CACHET_RUN_SMOKE=1        headless check: the browser runs offscreen and exits
#                             once it has painted cachet:mail (the run_script_test)
#   CACHET_RUN_BIN_DIR=DIR    use the binaries of the build tree DIR; no install, no build
#   CACHET_RUN_STATE_DIR=DIR  where the bed, the cloud and the browser profile live
#                             (default build/run/local)
#   CACHET_NO_BROWSER=1       start the bed and the cloud only, until Ctrl-C
# Without a display (no DISPLAY/WAYLAND_DISPLAY) the services stay up until
# Ctrl-C and the command that starts the browser against them is printed, for
# a shell that has one.
set -euo pipefail
cd "$(dirname "$0")/.."
readonly SOURCE_DIR=$PWD
readonly DEADLINE=60   # seconds for a service to come up

demo=0
for arg in "$@"; do
  case "$arg" in
    --demo) demo=1 ;;
    *) echo "usage: bash scripts/run.sh [--demo]" >&2; exit 2 ;;
  esac
done
smoke=${CACHET_RUN_SMOKE:-0}

if [ -n "${CACHET_RUN_BIN_DIR:-}" ]; then
  bin_dir=$(cd "$CACHET_RUN_BIN_DIR" && pwd)
else
  bash scripts/install-deps.sh
  cmake -S . -B build/run -G Ninja -DCMAKE_BUILD_TYPE=Release -DCACHET_SANITIZE=OFF -DCACHET_FUZZ=OFF \
    -DCACHET_TESTS=OFF -DCACHET_BENCH=OFF
  cmake --build build/run -j "$(nproc)" --target cachet-pki cachet-cloud cachet
  bin_dir=$SOURCE_DIR/build/run
fi
cachet=$bin_dir/browser/cachet
cloud=$bin_dir/pki/cloud/cachet-cloud
for b in "$cachet" "$cloud"; do [ -x "$b" ] || { echo "run: $b is missing" >&2; exit 1; }; done

if [ "$demo" = 1 ]; then "$bin_dir/pki/tools/cachet-pki" demo; fi

state=${CACHET_RUN_STATE_DIR:-$SOURCE_DIR/build/run/local}
mkdir -p "$state"
state=$(cd "$state" && pwd)
cloud_dir=$state/cloud
# The bed needs root (Postfix's master); a sudoer's run asks sudo for it.
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
mailbed=("${as_root[@]}" bash "$SOURCE_DIR/tests/mailbed/mailbed.sh")
# The bed lives under /tmp: its users (postfix, mail) must be able to enter every
# parent directory, which a checkout in a home directory does not allow.
bed_record=$state/mailbed.path
stop_bed() {
  local old
  old=$(cat "$bed_record" 2>/dev/null) || return 0
  "${mailbed[@]}" stop "$old" >/dev/null 2>&1 || { echo "run: could not stop the mail bed in $old" >&2; return 1; }
  case "$old" in /tmp/cachet-run-bed.*) "${as_root[@]}" rm -rf "$old" ;; esac
  rm -f "$bed_record"
}

serve_pid=
stop_services() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true   # serve finishes requests in flight, then exits
  fi
  stop_bed || true
  echo "run: stopped the mail bed and cachet-cloud"
  exit "$status"
}
trap stop_services EXIT
trap 'exit 130' INT TERM

# wait_until <seconds> <what> <command...>: polls <command> until it succeeds.
wait_until() {
  local limit=$1 what=$2; local deadline=$((SECONDS + limit)); shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "run: timed out after ${limit}s waiting for $what" >&2; return 1; }
    sleep 0.1
  done
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- the mail bed: a fresh one on each run (its mailboxes start empty) ---
stop_bed || true   # the one a killed run left behind
bed=$(mktemp -d /tmp/cachet-run-bed.XXXXXX)
echo "$bed" >"$bed_record"
"${mailbed[@]}" start "$bed"
# shellcheck source=/dev/null
. "$bed/env"

# --- cachet-cloud: its CAs are kept across runs, its config follows the bed's ports ---
mkdir -p "$cloud_dir"
acme_password_file=$state/acme.password
(umask 077 && printf '%s' "$MAILBED_ACME_PASSWORD" >"$acme_password_file")
cloud_port=$(free_port)
cat >"$cloud_dir/cachet-cloud.json" <<EOF
{
  "port": $cloud_port,
  "smtp": {
    "host": "$MAILBED_HOST", "port": $MAILBED_SUBMISSION_PORT, "tls": "starttls",
    "caFile": "$MAILBED_CA_FILE",
    "user": "$MAILBED_ACME_ADDRESS", "passwordFile": "$acme_password_file",
    "from": "$MAILBED_ACME_ADDRESS"
  }
}
EOF
"$cloud" init --dir "$cloud_dir" >"$state/cloud-init.log" 2>&1 ||
  { cat "$state/cloud-init.log" >&2; echo "run: cachet-cloud init failed" >&2; exit 1; }
"$cloud" serve --dir "$cloud_dir" </dev/null >"$state/cloud.log" 2>&1 &
serve_pid=$!
cloud_url=http://127.0.0.1:$cloud_port
cloud_up() { kill -0 "$serve_pid" && curl -fsS "$cloud_url/health"; }
wait_until "$DEADLINE" "cachet-cloud on $cloud_url" cloud_up ||
  { tail -n 20 "$state/cloud.log" >&2; exit 1; }
cat "$cloud_dir/ca/smime-root.cert.pem" "$cloud_dir/ca/sm2-root.cert.pem" >"$state/cloud-roots.pem"

# --- Mozilla autoconfig for the bed's domain: what the account form discovers ---
cat >"$state/autoconfig.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="$MAILBED_DOMAIN">
    <domain>$MAILBED_DOMAIN</domain>
    <displayName>Cachet local test bed</displayName>
    <incomingServer type="imap">
      <hostname>$MAILBED_HOST</hostname>
      <port>$MAILBED_IMAPS_PORT</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>$MAILBED_HOST</hostname>
      <port>$MAILBED_SUBMISSION_PORT</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>
  </emailProvider>
</clientConfig>
EOF

export CACHET_CLOUD_URL=$cloud_url
export CACHET_CLOUD_ROOTS=$state/cloud-roots.pem
export CACHET_MAIL_CA_FILE=$MAILBED_CA_FILE
export CACHET_AUTOCONFIG_FILE=$state/autoconfig.xml
# The bed's mailboxes are new on each run, so is the browser profile (accounts, keys).
profile=$state/profile
rm -rf "$profile"

echo
echo "Cachet runs locally:"
echo "  mail bed   IMAPS $MAILBED_HOST:$MAILBED_IMAPS_PORT, submission $MAILBED_HOST:$MAILBED_SUBMISSION_PORT (STARTTLS), domain $MAILBED_DOMAIN"
echo "  cloud      $cloud_url (ACME directory $cloud_url/acme/directory; log $state/cloud.log)"
echo "  users      (address / password; the login is the address)"
for u in alice bob carol; do
  n=${u^^}
  addr_var=MAILBED_${n}_ADDRESS pw_var=MAILBED_${n}_PASSWORD
  printf '             %-22s %s\n' "${!addr_var}" "${!pw_var}"
done
echo

browser_cmd=("$cachet" --profile "$profile" --no-restore cachet:mail)
if [ "$smoke" = 1 ]; then
  export QT_QPA_PLATFORM=offscreen
  export CACHET_EXIT_AFTER_PAINT=$state/smoke.png
  "${browser_cmd[@]}"
  exit $?
fi
if [ "${CACHET_NO_BROWSER:-0}" != 1 ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  "${browser_cmd[@]}"
  exit $?
fi
[ "${CACHET_NO_BROWSER:-0}" = 1 ] || echo "run: no display (DISPLAY/WAYLAND_DISPLAY unset), so no browser here."
echo "The services stay up until Ctrl-C. From a shell with a display, start the browser with:"
printf '  CACHET_CLOUD_URL=%q CACHET_CLOUD_ROOTS=%q CACHET_MAIL_CA_FILE=%q CACHET_AUTOCONFIG_FILE=%q \\\n    %q --profile %q --no-restore cachet:mail\n' \
  "$CACHET_CLOUD_URL" "$CACHET_CLOUD_ROOTS" "$CACHET_MAIL_CA_FILE" "$CACHET_AUTOCONFIG_FILE" "$cachet" "$profile"
wait "$serve_pid"
