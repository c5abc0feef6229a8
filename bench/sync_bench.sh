#!/usr/bin/env bash
# Initial sync of one INBOX of N messages from the mail bed's Dovecot (IMAPS on
# loopback): cachet-mail (bridge/sync) against mbsync (isync) pulling the same
# mailbox in the same run (mbsync with FSync off, at its fastest). mbsync always fetches whole messages, so it is
# compared with our sync that caches bodies too; our envelope-only sync (what
# the message list needs first) is printed beside it.
#   bench/sync_bench.sh <cachet-mail binary> [N]      (root: the mail bed needs it)
set -euo pipefail
cd "$(dirname "$0")/.."
mail_cli=$(realpath "$1")
count=${2:-10000}
command -v mbsync >/dev/null || { echo "sync_bench: mbsync missing (Debian package isync; scripts/install-deps.sh)" >&2; exit 1; }

work=$(mktemp -d /tmp/cachet-sync-bench.XXXXXX)
chmod 755 "$work"
bed="$work/bed"
mkdir "$bed"
cleanup() { bash tests/mailbed/mailbed.sh stop "$bed" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
bash tests/mailbed/mailbed.sh start "$bed" >/dev/null
# shellcheck disable=SC1091
. "$bed/env"
bash tests/mailbed/mailbed.sh fill "$bed" bob "$count" >/dev/null

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

ours() {  # ours <label> [sync options...]
  local dir="$work/ours-$1"; shift
  CACHET_MAIL_PASSWORD=$MAILBED_BOB_PASSWORD "$mail_cli" --dir "$dir" add-account "$MAILBED_BOB_ADDRESS" --no-discovery \
    --imap "$MAILBED_HOST:$MAILBED_IMAPS_PORT:tls" --smtp "$MAILBED_HOST:$MAILBED_SUBMISSION_PORT:starttls" \
    --ca-file "$MAILBED_CA_FILE" >/dev/null
  local start end
  start=$(now)
  CACHET_MAIL_PASSWORD=$MAILBED_BOB_PASSWORD "$mail_cli" --dir "$dir" sync INBOX "$@" >/dev/null
  end=$(now)
  elapsed "$start" "$end"
}

theirs() {
  mkdir -p "$work/mbsync"
  cat >"$work/mbsyncrc" <<CONF
# No fsync per message: mbsync at its fastest (our store syncs once per batch).
FSync no

IMAPAccount bed
Host $MAILBED_TLS_NAME
Port $MAILBED_IMAPS_PORT
User $MAILBED_BOB_ADDRESS
Pass $MAILBED_BOB_PASSWORD
SSLType IMAPS
CertificateFile $MAILBED_CA_FILE

IMAPStore remote
Account bed

MaildirStore local
Path $work/mbsync/
Inbox $work/mbsync/INBOX

Channel inbox
Far :remote:
Near :local:
Patterns INBOX
Create Near
Sync Pull
SyncState *
CONF
  local start end
  start=$(now)
  mbsync -q -c "$work/mbsyncrc" inbox
  end=$(now)
  local fetched
  fetched=$(find "$work/mbsync/INBOX" -type f -path '*/new/*' -o -type f -path '*/cur/*' | wc -l)
  [ "$fetched" -eq "$count" ] || { echo "sync_bench: mbsync fetched $fetched of $count messages" >&2; exit 1; }
  elapsed "$start" "$end"
}

# One untimed pass of each first: Dovecot builds its cache (ENVELOPE and
# BODYSTRUCTURE for us, whole messages for mbsync) and the page cache fills,
# so neither side pays the other's cold start.
ours warmup --bodies >/dev/null
theirs >/dev/null
rm -rf "$work/mbsync"
peer=$(theirs)
bodies=$(ours bodies --bodies)
headers=$(ours headers)
printf 'initial sync of %d messages, headers + bodies: ours %.2f s, mbsync %.2f s, ratio %s\n' \
  "$count" "$bodies" "$peer" "$(ratio "$bodies" "$peer")"
printf 'initial sync of %d messages, envelopes only (ours): %.2f s (%s of mbsync'"'"'s full sync)\n' \
  "$count" "$headers" "$(ratio "$headers" "$peer")"
