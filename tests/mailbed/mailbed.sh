#!/usr/bin/env bash
# Mail test bed: a private Postfix (submission with AUTH + STARTTLS, delivery
# over LMTP) and Dovecot (IMAP, IMAPS, LMTP) on loopback, living entirely in
# one directory. Never touches /etc/postfix, /etc/dovecot or system services.
#
#   mailbed.sh start <dir>             create config in <dir>, start, write <dir>/env
#   mailbed.sh stop <dir>              stop both by PID; idempotent
#   mailbed.sh fill <dir> <user> <N>   deliver N generated messages to <user>'s INBOX
#   mailbed.sh pids <dir>              list the bed's process ids (masters and children)
#
# Runs as root: Postfix's master must start as root to drop to the postfix user.
set -euo pipefail

readonly DOMAIN=example.test
readonly USERS=(alice bob carol cachet-ca)
readonly START_TIMEOUT=30   # seconds; a start takes two to five
readonly STOP_TIMEOUT=15
readonly MAIL_USER=mail     # Debian's uid 8 owns the Maildirs: Dovecot refuses uid 0
readonly MAIL_GROUP=mail

die() { echo "mailbed: $*" >&2; exit 1; }

password_for() { echo "$1-mailbed-pw"; }

# Shell variable suffix for a user name: cachet-ca -> CACHET_CA.
env_name() { local n=${1^^}; echo "${n//-/_}"; }

# wait_until <seconds> <what> <command...>: polls <command> until it succeeds.
wait_until() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ -z "$MASTER_EXITED" ] || { echo "mailbed: $MASTER_EXITED exited while waiting for $what" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "mailbed: timed out after ${limit}s waiting for $what" >&2; return 1; }
    sleep 0.05
  done
}

# service_up <name> <pid-function> <check...>: the check, noting in
# MASTER_EXITED when the master behind it has died (no point waiting on).
MASTER_EXITED=
service_up() {
  local name=$1 pid_of=$2 pid; shift 2
  "$@" && return 0
  pid=$("$pid_of")
  [ -z "$pid" ] || pid_alive "$pid" || MASTER_EXITED="the $name master (pid $pid)"
  return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
socket_present() { [ -S "$1" ]; }
pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Five distinct free loopback ports: all are bound at once so none repeats.
free_ports() {
  python3 - <<'EOF'
import socket
socks = [socket.socket() for _ in range(5)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

layout() {
  D=$(cd "$1" 2>/dev/null && pwd) || die "directory '$1' does not exist"
  DOVECOT_CONF=$D/dovecot/dovecot.conf
  DOVECOT_RUN=$D/dovecot/run
  POSTFIX_DIR=$D/postfix
  # Config apart from queue and data: postfix-script warns about any file in the
  # config dir that is not owned by root, and the queue belongs to postfix.
  POSTFIX_CONF=$POSTFIX_DIR/conf
  LMTP_SOCKET=$DOVECOT_RUN/lmtp
  AUTH_SOCKET=$DOVECOT_RUN/auth-postfix
}

# Master pids from their pid files, but only while that pid is still our
# master: a stale file's pid may since belong to an unrelated process.
dovecot_master_pid() {
  local pid
  pid=$(cat "$DOVECOT_RUN/master.pid" 2>/dev/null) || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-c $DOVECOT_CONF" && echo "$pid"
  return 0
}
postfix_master_pid() {
  local pid
  pid=$(head -n1 "$POSTFIX_DIR/queue/pid/master.pid" 2>/dev/null | tr -d ' ') || return 0
  # Postfix's master runs with the queue directory as its working directory.
  [ -n "$pid" ] && [ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$POSTFIX_DIR/queue" ] && echo "$pid"
  return 0
}

# The given pids and their descendants, from one read of /proc/*/stat.
process_tree() {
  [ $# -gt 0 ] || return 0
  # cat skips processes that exit meanwhile; comm (field 2) may contain
  # spaces, so fields are counted after its closing ')'.
  { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v roots="$*" '
    { rest = $0; sub(/^.*\) /, "", rest); split(rest, f, " "); parent[$1] = f[2] }
    END {
      n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1
      do { grew = 0
        for (p in parent) if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; grew = 1 }
      } while (grew)
      for (p in keep) print p
    }'
}

bed_pids() {
  local roots=() p
  p=$(dovecot_master_pid); pid_alive "$p" && roots+=("$p")
  p=$(postfix_master_pid); pid_alive "$p" && roots+=("$p")
  process_tree "${roots[@]}"
}

make_tls() {
  local t=$D/tls
  mkdir -p "$t"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=Cachet mailbed test CA" -keyout "$t/ca.key" -out "$t/ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=localhost" -keyout "$t/server.key" -out "$t/server.csr" 2>/dev/null
  openssl x509 -req -in "$t/server.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial \
    -days 30 -out "$t/server.pem" -extfile <(printf '%s\n' \
      "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=critical,CA:FALSE" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth") 2>/dev/null
  # Postfix's smtpd and Dovecot's login processes read the key after dropping root.
  chmod 0644 "$t/server.pem" "$t/ca.pem"
  chmod 0640 "$t/server.key"
  chgrp postfix "$t/server.key"
}

write_dovecot_conf() {
  local imap_port=$1 imaps_port=$2 u
  mkdir -p "$D/dovecot/state" "$D/mail"
  chown "$MAIL_USER:$MAIL_GROUP" "$D/mail"
  : >"$D/dovecot/users"
  for u in "${USERS[@]}"; do
    echo "$u@$DOMAIN:{PLAIN}$(password_for "$u")::::::" >>"$D/dovecot/users"
  done
  chmod 0640 "$D/dovecot/users"
  chgrp dovecot "$D/dovecot/users"
  cat >"$DOVECOT_CONF" <<EOF
# Generated by mailbed.sh; self-contained (no include of /etc/dovecot).
instance_name = mailbed
protocols = imap lmtp
listen = 127.0.0.1
base_dir = $DOVECOT_RUN
state_dir = $D/dovecot/state
log_path = $D/dovecot/dovecot.log
hostname = mail.$DOMAIN

ssl = yes
ssl_cert = <$D/tls/server.pem
ssl_key = <$D/tls/server.key
ssl_dh = </usr/share/dovecot/dh.pem
ssl_min_protocol = TLSv1.2

auth_mechanisms = plain login
disable_plaintext_auth = yes
# Wrong-password tests should fail fast, not after Dovecot's 2 s penalty.
auth_failure_delay = 0

mail_location = maildir:~/Maildir
# A throwaway test bed: durability is not worth an fsync per message.
mail_fsync = never
mail_uid = $MAIL_USER
mail_gid = $MAIL_GROUP
first_valid_uid = $(id -u "$MAIL_USER")
first_valid_gid = $(getent group "$MAIL_GROUP" | cut -d: -f3)

namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
}

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/dovecot/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $D/dovecot/users
  default_fields = uid=$MAIL_USER gid=$MAIL_GROUP home=$D/mail/%n
}

service imap-login {
  inet_listener imap {
    port = $imap_port
  }
  inet_listener imaps {
    port = $imaps_port
    ssl = yes
  }
}
# Benchmarks and sync tests open many sessions per user.
protocol imap {
  mail_max_userip_connections = 200
}

service lmtp {
  unix_listener lmtp {
    mode = 0600
    user = postfix
    group = postfix
  }
}
protocol lmtp {
  postmaster_address = postmaster@$DOMAIN
}

# No anvil auth penalty: after a refused password (which the tests provoke)
# Dovecot would delay every later login from 127.0.0.1 by seconds.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

service auth {
  unix_listener auth-postfix {
    mode = 0600
    user = postfix
    group = postfix
  }
  unix_listener auth-userdb {
    mode = 0600
  }
}
EOF
}

write_postfix_conf() {
  local smtp_port=$1 submission_port=$2 submissions_port=$3 u
  mkdir -p "$POSTFIX_CONF" "$POSTFIX_DIR/queue" "$POSTFIX_DIR/data"
  chown postfix:postfix "$POSTFIX_DIR/data"
  : >"$POSTFIX_CONF/mailboxes"
  for u in "${USERS[@]}"; do echo "$u@$DOMAIN OK" >>"$POSTFIX_CONF/mailboxes"; done
  cat >"$POSTFIX_CONF/main.cf" <<EOF
# Generated by mailbed.sh; a private instance (postfix -c $POSTFIX_CONF).
compatibility_level = 3.6
queue_directory = $POSTFIX_DIR/queue
data_directory = $POSTFIX_DIR/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix-mailbed
maillog_file = $POSTFIX_DIR/postfix.log
# Postfix refuses log files outside these prefixes (default /var).
maillog_file_prefixes = $D

myhostname = mail.$DOMAIN
mydomain = $DOMAIN
myorigin = $DOMAIN
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.1/32
alias_maps =
alias_database =
local_recipient_maps =
smtpd_peername_lookup = no
# Refusals are what the tests provoke; answer them without the 1 s tarpit.
smtpd_error_sleep_time = 0
smtp_dns_support_level = disabled
biff = no

# Only $DOMAIN is delivered (to Dovecot over LMTP); anything else bounces at once,
# so nothing ever leaves loopback.
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_maps = texthash:$POSTFIX_CONF/mailboxes
virtual_transport = lmtp:unix:$LMTP_SOCKET
default_transport = error:the mail test bed delivers only to $DOMAIN
relay_transport = error:the mail test bed delivers only to $DOMAIN
# Room for the 50 MB attachment round trip (base64 adds a third).
message_size_limit = 104857600
virtual_mailbox_limit = 0
mailbox_size_limit = 0

smtpd_tls_cert_file = $D/tls/server.pem
smtpd_tls_key_file = $D/tls/server.key
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $AUTH_SOCKET
smtpd_sasl_auth_enable = no
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
EOF
  # Every service unchrooted (column 5 = n) so the absolute socket paths work.
  cat >"$POSTFIX_CONF/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
$smtp_port      inet  n       -       n       -       -       smtpd
$submission_port inet n       -       n       -       -       smtpd
  -o syslog_name=postfix-mailbed/submission
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
$submissions_port inet n      -       n       -       -       smtpd
  -o syslog_name=postfix-mailbed/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

write_env() {
  local smtp_port=$1 submission_port=$2 imap_port=$3 imaps_port=$4 submissions_port=$5 u n
  {
    echo "MAILBED_DIR=$D"
    echo "MAILBED_HOST=127.0.0.1"
    echo "MAILBED_TLS_NAME=localhost"
    echo "MAILBED_DOMAIN=$DOMAIN"
    echo "MAILBED_SMTP_PORT=$smtp_port"
    echo "MAILBED_SUBMISSION_PORT=$submission_port"
    echo "MAILBED_SUBMISSIONS_PORT=$submissions_port"
    echo "MAILBED_IMAP_PORT=$imap_port"
    echo "MAILBED_IMAPS_PORT=$imaps_port"
    echo "MAILBED_LMTP_SOCKET=$LMTP_SOCKET"
    echo "MAILBED_CA_FILE=$D/tls/ca.pem"
    echo "MAILBED_DOVECOT_CONF=$DOVECOT_CONF"
    echo "MAILBED_POSTFIX_CONF=$POSTFIX_CONF"
    echo "MAILBED_USERS=\"${USERS[*]}\""
    for u in "${USERS[@]}"; do
      n=$(env_name "$u")
      echo "MAILBED_${n}_ADDRESS=$u@$DOMAIN"
      echo "MAILBED_${n}_PASSWORD=$(password_for "$u")"
    done
  } >"$D/env.tmp"
  mv "$D/env.tmp" "$D/env"
}

show_logs() {
  echo "--- $D/dovecot/start.log" >&2; tail -n 20 "$D/dovecot/start.log" >&2 2>/dev/null || true
  echo "--- $D/postfix/start.log" >&2; tail -n 20 "$POSTFIX_DIR/start.log" >&2 2>/dev/null || true
  echo "--- $D/dovecot/dovecot.log" >&2; tail -n 20 "$D/dovecot/dovecot.log" >&2 2>/dev/null || true
  echo "--- $D/postfix/postfix.log" >&2; tail -n 20 "$POSTFIX_DIR/postfix.log" >&2 2>/dev/null || true
}

cmd_start() {
  [ "$(id -u)" -eq 0 ] || die "start must run as root (Postfix's master starts as root)"
  local bin
  for bin in postfix dovecot doveadm openssl python3; do
    command -v "$bin" >/dev/null || [ -x "/usr/sbin/$bin" ] ||
      die "'$bin' not found; run scripts/install-deps.sh"
  done
  export PATH=$PATH:/usr/sbin:/sbin
  [ -d "$1" ] || mkdir -p "$1"
  layout "$1"
  [ -z "$(bed_pids)" ] || die "a bed is already running in $D; stop it first"
  # The postfix and mail users must reach their files below <dir>.
  chmod 0755 "$D"
  runuser -u postfix -- test -x "$D" ||
    die "user postfix cannot enter $D; use a directory whose parents are world-searchable (e.g. under /tmp)"

  # A port found free can be taken by someone else before the daemons bind
  # it; only that failure is worth another attempt with fresh ports.
  local _attempt
  for _attempt in 1 2 3; do
    bash "$0" start-once "$D" && return 0
    grep -qs "Address already in use" "$D/dovecot/dovecot.log" "$D/dovecot/start.log" \
      "$POSTFIX_DIR/postfix.log" "$POSTFIX_DIR/start.log" || break
    echo "mailbed: a port was taken meanwhile; retrying with new ports" >&2
  done
  die "start failed in $D"
}

# One start attempt; exits non-zero (after stopping what it started) on failure.
cmd_start_once() {
  export PATH=$PATH:/usr/sbin:/sbin
  layout "$1"
  rm -rf "$D/tls" "$D/dovecot" "$D/postfix" "$D/mail" "$D/env"

  local smtp_port submission_port imap_port imaps_port submissions_port
  read -r smtp_port submission_port imap_port imaps_port submissions_port < <(free_ports)
  make_tls
  write_dovecot_conf "$imap_port" "$imaps_port"
  write_postfix_conf "$smtp_port" "$submission_port" "$submissions_port"

  trap 'echo "mailbed: start failed, stopping" >&2; show_logs; cmd_stop "$D" >/dev/null 2>&1 || true' ERR
  # Daemons get no inherited stdout/stderr: a caller reading our output
  # through a pipe would otherwise wait for EOF until the bed stops.
  dovecot -c "$DOVECOT_CONF" </dev/null >>"$D/dovecot/start.log" 2>&1
  wait_until "$START_TIMEOUT" "Dovecot IMAP on port $imap_port" service_up Dovecot dovecot_master_pid port_open "$imap_port"
  wait_until "$START_TIMEOUT" "Dovecot IMAPS on port $imaps_port" service_up Dovecot dovecot_master_pid port_open "$imaps_port"
  wait_until "$START_TIMEOUT" "Dovecot LMTP socket" service_up Dovecot dovecot_master_pid socket_present "$LMTP_SOCKET"
  wait_until "$START_TIMEOUT" "Dovecot auth socket" service_up Dovecot dovecot_master_pid socket_present "$AUTH_SOCKET"
  wait_until "$START_TIMEOUT" "doveadm user lookup" doveadm -c "$DOVECOT_CONF" user "alice@$DOMAIN"

  postfix -c "$POSTFIX_CONF" start </dev/null >>"$POSTFIX_DIR/start.log" 2>&1
  wait_until "$START_TIMEOUT" "Postfix SMTP on port $smtp_port" service_up Postfix postfix_master_pid port_open "$smtp_port"
  wait_until "$START_TIMEOUT" "Postfix submission on port $submission_port" service_up Postfix postfix_master_pid port_open "$submission_port"
  wait_until "$START_TIMEOUT" "Postfix submissions on port $submissions_port" service_up Postfix postfix_master_pid port_open "$submissions_port"
  trap - ERR

  write_env "$smtp_port" "$submission_port" "$imap_port" "$imaps_port" "$submissions_port"
  echo "mailbed: running in $D (submission $submission_port, IMAP $imap_port, IMAPS $imaps_port); env in $D/env"
}

cmd_stop() {
  [ -d "$1" ] || { echo "mailbed: nothing to stop ($1 does not exist)"; return 0; }
  layout "$1"
  export PATH=$PATH:/usr/sbin:/sbin
  local pids p postfix_pid dovecot_pid
  pids=$(bed_pids)
  postfix_pid=$(postfix_master_pid)
  dovecot_pid=$(dovecot_master_pid)
  if pid_alive "$postfix_pid"; then
    postfix -c "$POSTFIX_CONF" stop 2>/dev/null || kill -TERM "$postfix_pid" 2>/dev/null || true
  fi
  # Dovecot's master stops its children on SIGTERM.
  if pid_alive "$dovecot_pid"; then kill -TERM "$dovecot_pid" 2>/dev/null || true; fi
  all_gone() { local q; for q in $pids; do pid_alive "$q" && return 1; done; return 0; }
  if ! wait_until "$STOP_TIMEOUT" "the bed's processes to exit" all_gone; then
    for p in $pids; do kill -KILL "$p" 2>/dev/null || true; done
    wait_until 5 "killed processes to vanish" all_gone || die "processes survive SIGKILL: $pids"
  fi
  rm -f "$D/env"
  echo "mailbed: stopped ($D)"
}

# Delivers N generated messages by importing one generated mbox with doveadm:
# one process for the whole batch (10 000 messages in seconds), where one
# LMTP transaction or doveadm save per message would take many times longer.
cmd_fill() {
  local user=$2 count=$3
  layout "$1"
  export PATH=$PATH:/usr/sbin:/sbin
  [[ "$count" =~ ^[0-9]+$ ]] || die "fill: message count '$count' is not a number"
  [[ "$user" == *@* ]] || user="$user@$DOMAIN"
  pid_alive "$(dovecot_master_pid)" || die "fill: no bed running in $D"
  doveadm -c "$DOVECOT_CONF" user "$user" >/dev/null 2>&1 || die "fill: no such user '$user'"
  local work
  work=$(mktemp -d "$D/fill.XXXXXX")
  # shellcheck disable=SC2064  # expand now: $work is local
  trap "rm -rf '$work'" EXIT
  python3 - "$work/inbox" "$count" "$user" "${work##*.}" <<'EOF'
import sys, email.utils, random
path, count, to, batch = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
words = ("certificate invoice meeting report quarterly draft budget travel "
         "signature archive project release schedule review contract").split()
rng = random.Random(20261124)   # deterministic content, repeatable benchmarks
with open(path, "w", newline="\n") as out:
    for i in range(1, count + 1):
        date = email.utils.formatdate(1700000000 + i * 60, usegmt=True)
        subject = " ".join(rng.choice(words) for _ in range(4))
        body = "\n".join(" ".join(rng.choice(words) for _ in range(10)) for _ in range(5))
        out.write(f"From filler@example.test Thu Jan  1 00:00:00 2026\n"
                  f"From: Filler <filler@example.test>\nTo: <{to}>\n"
                  f"Subject: [fill {i}/{count}] {subject}\nDate: {date}\n"
                  f"Message-ID: <fill-{batch}-{i}@mailbed.example.test>\n"
                  f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
                  f"Message {i} of {count}.\n{body}\n\n")
EOF
  chown -R "$MAIL_USER:$MAIL_GROUP" "$work"
  doveadm -c "$DOVECOT_CONF" import -u "$user" "mbox:$work:INBOX=$work/inbox" "" all
}

cmd_pids() { layout "$1"; bed_pids; }

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

case "${1:-}" in
  start) [ $# -eq 2 ] || usage; cmd_start "$2" ;;
  start-once) [ $# -eq 2 ] || usage; cmd_start_once "$2" ;;  # internal, see cmd_start
  stop)  [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
  fill)  [ $# -eq 4 ] || usage; cmd_fill "$2" "$3" "$4" ;;
  pids)  [ $# -eq 2 ] || usage; cmd_pids "$2" ;;
  *) usage ;;
esac
