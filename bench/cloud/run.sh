#!/usr/bin/env bash
# cachet-cloud benchmarks, each printed as ours, the peer's from the same run,
# and the ratio:
#  - issuance: complete ACME orders/s with CLIENTS concurrent acme-client
#    clients (challenge answered from the database), against `openssl speed`'s
#    raw RSA-3072 signing rate, the ceiling of a CA that signs one certificate
#    per order (the order also signs nothing else on the server);
#  - key directory lookups and TSA requests/s and p99 latency under wrk, against
#    nginx serving a static file of the same size from the same loopback.
#   bench/cloud/run.sh <cachet-cloud binary>   (SECONDS_PER_FIGURE=10 CLIENTS=8 WRK_SECONDS=10)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "$1")
seconds=${SECONDS_PER_FIGURE:-10}
clients=${CLIENTS:-8}
wrk_seconds=${WRK_SECONDS:-10}
work=$(mktemp -d /tmp/cachet-cloud-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {  # url: polls until it answers, 30 s at most
  local deadline=$((SECONDS + 30))
  until curl -sf -o /dev/null "$1"; do
    [ $SECONDS -lt $deadline ] || { echo "bench: $1 did not come up" >&2; exit 1; }
    sleep 0.05
  done
}

# acme-client, pinned by the interop test's lock file.
cp "$here/../../tests/cloud/acme_client_interop/package.json" "$here/../../tests/cloud/acme_client_interop/package-lock.json" "$work/"
cp "$here/issuance.mjs" "$work/"
(cd "$work" && npm ci --silent --no-audit --no-fund >/dev/null)

# The SMTP sink, then the server.
SMTP_PORT_FILE=$work/smtp.port node "$work/issuance.mjs" sink &
pids+=($!)
deadline=$((SECONDS + 30)); until [ -s "$work/smtp.port" ]; do [ $SECONDS -lt $deadline ] || exit 1; sleep 0.05; done
port=$(free_port)
mkdir -p "$work/data"
cat >"$work/data/cachet-cloud.json" <<JSON
{"port": $port, "serverThreads": 16, "directoryRatePerSecond": 1000000, "directoryBurst": 1000000,
 "smtp": {"host": "127.0.0.1", "port": $(cat "$work/smtp.port"), "tls": "none", "from": "acme@bench.test"},
 "acmeLimits": {"accountsPerHour": 1000000, "ordersPerHourPerAccount": 1000000, "mailsPerHourPerAddress": 1000000,
                "finalizesPerHourPerAccount": 1000000}}
JSON
"$bin" init --dir "$work/data" >/dev/null
"$bin" serve --dir "$work/data" 2>"$work/serve.log" &
pids+=($!)
base=http://127.0.0.1:$port
wait_for "$base/health"

echo "== issuance ($clients clients, ${seconds}s) =="
result=$(cd "$work" && ACME_DIRECTORY_URL=$base/acme/directory CLOUD_DB=$work/data/cachet-cloud.sqlite \
  BENCH_SECONDS=$seconds CLIENTS=$clients WORK_DIR=$work node issuance.mjs run)
ours=$(echo "$result" | python3 -c 'import json,sys; print("%.1f" % json.load(sys.stdin)["ordersPerSecond"])')
peer=$(openssl speed -seconds 3 rsa3072 2>/dev/null | awk '/^rsa 3072 bits/ {print $6}')
python3 - "$ours" "$peer" <<'PY'
import sys
ours, peer = float(sys.argv[1]), float(sys.argv[2])
print(f"issuance: ours {ours:.1f} orders/s, peer openssl speed rsa3072 {peer:.1f} signs/s, ratio {ours/peer:.3f}")
PY

# A directory answer for an address that has certificates, and a TSA query.
address=bench0-0@example.test
curl -sf -o "$work/lookup.json" "$base/directory/v1/certificates?address=$address"
head -c 4096 /dev/urandom >"$work/data.bin"
openssl ts -query -data "$work/data.bin" -sha256 -cert -out "$work/query.tsq" 2>/dev/null
cat >"$work/tsa.lua" <<LUA
local f = io.open("$work/query.tsq", "rb"); local body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.body = body; wrk.headers["Content-Type"] = "application/timestamp-query"
LUA
curl -sf -o "$work/reply.tsr" -H 'Content-Type: application/timestamp-query' --data-binary @"$work/query.tsq" "$base/tsa"

# nginx with static files of the same sizes.
nport=$(free_port)
mkdir -p "$work/nginx/www" "$work/nginx/tmp"
head -c "$(stat -c %s "$work/lookup.json")" /dev/zero >"$work/nginx/www/lookup.json"
head -c "$(stat -c %s "$work/reply.tsr")" /dev/zero >"$work/nginx/www/reply.tsr"
cat >"$work/nginx/nginx.conf" <<NGINX
daemon off; master_process off; worker_processes 1; error_log $work/nginx/error.log; pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work/nginx/tmp; proxy_temp_path $work/nginx/tmp;
  fastcgi_temp_path $work/nginx/tmp; uwsgi_temp_path $work/nginx/tmp; scgi_temp_path $work/nginx/tmp;
  server { listen 127.0.0.1:$nport; root $work/nginx/www;
    location / { error_page 405 =200 \$uri; } } }
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
pids+=($!)
wait_for "http://127.0.0.1:$nport/lookup.json"

wrk_figures() {  # prints "<requests/s> <p99 ms>"
  wrk -t2 -c16 -d"${wrk_seconds}s" --latency "$@" | awk '
    /Requests\/sec/ {rps=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v}
    END {print rps, p99}'
}
report() {  # name ours_rps ours_p99 peer_rps peer_p99
  python3 - "$@" <<'PY'
import sys
name, ors, op99, prs, pp99 = sys.argv[1], *map(float, sys.argv[2:])
print(f"{name}: ours {ors:.0f} req/s (p99 {op99:.2f} ms), peer nginx static {prs:.0f} req/s (p99 {pp99:.2f} ms), ratio {prs/ors:.2f} (peer/ours; above 1 = nginx faster)")
PY
}
echo "== HTTP under wrk (2 threads, 16 connections, ${wrk_seconds}s) =="
read -r d_rps d_p99 < <(wrk_figures "$base/directory/v1/certificates?address=$address")
read -r n_rps n_p99 < <(wrk_figures "http://127.0.0.1:$nport/lookup.json")
report "directory lookup" "$d_rps" "$d_p99" "$n_rps" "$n_p99"
read -r t_rps t_p99 < <(wrk_figures -s "$work/tsa.lua" "$base/tsa")
read -r m_rps m_p99 < <(wrk_figures -s "$work/tsa.lua" "http://127.0.0.1:$nport/reply.tsr")
report "TSA request" "$t_rps" "$t_p99" "$m_rps" "$m_p99"
