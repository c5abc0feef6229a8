#!/usr/bin/env bash
# Installs every Debian 12 package Cachet needs to build, run and test.
# Idempotent: does nothing when all packages are present. Works as root or via sudo.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  # pki/
  libssl-dev openssl
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev time
  # independent verification peers (Thunderbird's NSS, GnuPG's gpgsm)
  libnss3-tools gpgsm gnupg
  # pki/cloud (cachet-cloud): Poco Net/Util/JSON/Data/DataSQLite/DataPostgreSQL; sqlite3 CLI to inspect the store; curl for the HTTP tests
  libpoco-dev sqlite3 curl libcurl4-openssl-dev
  # cachet-cloud on PostgreSQL: libpq for Poco::DataPostgreSQL, and the server the tests start (tests/pgbed)
  libpq-dev postgresql
  # mail test bed (tests/mailbed): private Postfix + Dovecot instances on loopback;
  # python3 drives its end-to-end test (smtplib, imaplib)
  postfix dovecot-core dovecot-imapd dovecot-lmtpd python3
  # bridge/aecm tests: an independent JWS (ES256/RS256) verifier and RFC 7638 thumbprint
  python3-cryptography
  # bridge/: Qt core, QtKeychain (OS keyring), libcurl; a private GNOME Keyring
  # (Secret Service) on its own D-Bus session for the keyring tests
  qt6-base-dev qtkeychain-qt6-dev libsecret-1-0 gnome-keyring dbus libsecret-tools
  # bridge/store: SQLite with FTS5
  libsqlite3-dev
  # bench/ only: mbsync, the peer of the mail engine's initial-sync benchmark
  isync
  # browser/ and pdf/: Qt 6.4 widgets, WebEngine, WebChannel, QtPdf, QtSql with
  # its SQLite driver (history, bookmarks); fonts so offscreen screenshots show text
  qt6-base-dev qt6-base-dev-tools qt6-webengine-dev qt6-webengine-dev-tools qt6-webchannel-dev
  qt6-pdf-dev libqt6sql6-sqlite fonts-dejavu-core
  # webmail/ UI tests (tests/webmail): Debian's Chromium, driven by the npm
  # playwright-core (which never downloads a browser of its own)
  chromium
)
# The npm acme-client interop test (tests/cloud/acme_client_interop) runs
# `npm ci` and node. Debian's npm brings its nodejs; a Node.js that already
# ships npm (e.g. a vendor's nodejs package, which conflicts with Debian's
# npm) is used as it is.
command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1 || packages+=(npm)

# Benchmark peers (bench/), only with --bench: wrk and nginx for cachet-cloud's HTTP figures;
# Falkon (a Qt WebEngine browser) and Xvfb (its framebuffer file is what both browsers' first paint is read from)
# for the browser start-up figures.
[ "${1:-}" = --bench ] && packages+=(wrk nginx-light falkon xvfb)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -q
# Postfix's postinst must not ask questions or write /etc/postfix/main.cf: the
# test bed runs its own instances from private config dirs.
echo "postfix postfix/main_mailer_type select No configuration" | "${sudo_cmd[@]}" debconf-set-selections
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
