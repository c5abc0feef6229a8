#!/usr/bin/env bash
# Peak memory (max RSS from /usr/bin/time -v) of cachet-pki sign, encrypt and
# decrypt on a generated message, against `openssl cms` on the same file (which
# holds the whole message in memory). openssl cms has no SM2, so SM2 has no peer.
#   peak_memory.sh <path to cachet-pki> [megabytes, default 1024]
set -euo pipefail
cli="$1"
mb="${2:-1024}"
work="$(mktemp -d "${TMPDIR:-/tmp}/cachet-peak-XXXXXX")"
trap 'rm -rf "$work"' EXIT

# A text message of $mb MiB: 1 MiB of lines, repeated.
{
  printf 'Content-Type: text/plain\r\n\r\n'
  awk 'BEGIN { while (n < 1048576) { s = "The quick brown fox jumps over the lazy dog, 0123456789 times over."; print s; n += length(s) + 1 } }' > "$work/block"
  truncate -s 1048576 "$work/block"
  for _ in $(seq "$mb"); do cat "$work/block"; done
} > "$work/message.txt"
"$cli" demo-ca --dir "$work/ca" --email bench@example.test --type rsa --type sm2 > /dev/null

# Max RSS in KiB of a command (its output goes to the files it names).
max_rss() {
  /usr/bin/time -v "$@" 2> "$work/time.log" > /dev/null || { cat "$work/time.log" >&2; return 1; }
  awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.log"
}

line() {  # name ours_kib peer_kib
  awk -v n="$1" -v o="$2" -v p="$3" 'BEGIN { printf "%s: ours %.1f MiB, peer %.1f MiB, ratio %.3f  # peer: openssl cms\n", n, o/1024, p/1024, o/p }'
}

ca="$work/ca"
sign_id="$ca/bench@example.test-rsa-signing"
enc_id="$ca/bench@example.test-rsa-encryption"
msg="$work/message.txt"

ours=$(max_rss "$cli" sign --key "$sign_id.key" --cert "$sign_id.pem" --in "$msg" --out "$work/ours.eml")
peer=$(max_rss openssl cms -sign -binary -in "$msg" -signer "$sign_id.pem" -inkey "$sign_id.key" -out "$work/theirs.eml")
rm -f "$work/ours.eml" "$work/theirs.eml"
line "peak memory rsa sign ${mb} MB" "$ours" "$peer"

ours=$(max_rss "$cli" encrypt --cipher aes-256-cbc --to "$enc_id.pem" --in "$msg" --out "$work/ours.p7m")
peer=$(max_rss openssl cms -encrypt -binary -aes256 -in "$msg" -out "$work/theirs.p7m" "$enc_id.pem")
rm -f "$work/theirs.p7m"
line "peak memory rsa encrypt ${mb} MB" "$ours" "$peer"

ours=$(max_rss "$cli" decrypt --key "$enc_id.key" --cert "$enc_id.pem" --in "$work/ours.p7m" --out /dev/null)
peer=$(max_rss openssl cms -decrypt -binary -in "$work/ours.p7m" -inkey "$enc_id.key" -out /dev/null)
rm -f "$work/ours.p7m"
line "peak memory rsa decrypt ${mb} MB" "$ours" "$peer"

sign_id="$ca/bench@example.test-sm2-signing"
enc_id="$ca/bench@example.test-sm2-encryption"
s=$(max_rss "$cli" sign --key "$sign_id.key" --cert "$sign_id.pem" --in "$msg" --out /dev/null)
e=$(max_rss "$cli" encrypt --to "$enc_id.pem" --in "$msg" --out "$work/sm2.p7m")
d=$(max_rss "$cli" decrypt --key "$enc_id.key" --cert "$enc_id.pem" --in "$work/sm2.p7m" --out /dev/null)
awk -v s="$s" -v e="$e" -v d="$d" -v mb="$mb" 'BEGIN { printf "peak memory sm2 %s MB: ours sign %.1f MiB, encrypt %.1f MiB, decrypt %.1f MiB  # no peer: openssl cms cannot do SM2\n", mb, s/1024, e/1024, d/1024 }'
