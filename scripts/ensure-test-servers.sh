#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis the integration suites use answer on 127.0.0.1,
# starting (and on a bare Debian machine, installing) them when they do not.
set -euo pipefail
# shellcheck source=scripts/lib/apt.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }
wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 60); do
    if "$check"; then echo "$what is up"; return 0; fi
    sleep 0.5
  done
  echo "$what did not come up" >&2
  return 1
}

if ! command -v pg_ctlcluster >/dev/null || ! command -v redis-server >/dev/null; then
  apt_ensure postgresql redis-server
  # Test-only server on loopback: trust local TCP connections, as the suites expect.
  hba=$(find /etc/postgresql -path "*/main/pg_hba.conf" | head -n 1)
  sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
fi

if ! pg_up; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf "%f\n" | head -n 1)" main start
fi
wait_for PostgreSQL pg_up

if ! redis_up; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for Redis redis_up
