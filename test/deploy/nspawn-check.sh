#!/usr/bin/env bash
# Manual check (not in CI: it downloads a Debian base system, ~3 minutes): the .deb under real
# systemd. debootstraps Debian 12 (or reuses ROOTFS), installs the package with adduser, polkitd,
# dbus and nbd-server inside, boots it with systemd-nspawn --boot (host network, so the host's
# MariaDB on 127.0.0.1:3306 is reachable), then checks:
#   - `systemctl enable --now oma-reconciler` runs the unit with its whole sandbox and /healthz answers;
#   - the polkit rule lets oma-reconciler restart nbd-server.service, also from inside a sandbox
#     like the unit's, but not stop it, and lets no other user restart it.
# Usage (root): test/deploy/nspawn-check.sh [DEB]     ROOTFS=/srv/dir to reuse a debootstrapped tree
set -euo pipefail
cd "$(dirname "$0")/../.."
deb=${1:-dist/oma-reconciler_$(node -p 'require("./package.json").version')_$(dpkg --print-architecture).deb}
[ -f "$deb" ] || { echo "nspawn-check: $deb missing (npm run package)" >&2; exit 2; }
command -v systemd-nspawn >/dev/null && command -v debootstrap >/dev/null \
  || { echo "nspawn-check: apt-get install systemd-container debootstrap" >&2; exit 2; }
rootfs=${ROOTFS:-/srv/omarec-nspawn-$$}
port=$((20000 + RANDOM % 20000)); nbd_port=$((20000 + RANDOM % 20000))
db=omarec_nspawn_$$
passed=0; failed=0
check() { local name=$1; shift; if "$@"; then passed=$((passed + 1)); echo "ok - $name"; else failed=$((failed + 1)); echo "not ok - $name"; fi; }

if [ ! -x "$rootfs/lib/systemd/systemd" ]; then
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
fi
cp "$deb" "$rootfs/root/oma-reconciler.deb"
# --keep-unit --register=no: no systemd/machined on the host side is needed.
nspawn=(systemd-nspawn -D "$rootfs" --register=no --keep-unit -q)
"${nspawn[@]}" sh -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends adduser polkitd nbd-server >/dev/null && dpkg -i /root/oma-reconciler.deb >/dev/null'
printf '[generic]\n    port = %s\n    listenaddr = 127.0.0.1\n    includedir = /etc/nbd-server/conf.d\n[dummy]\n    exportname = /dev/null\n    readonly = true\n' "$nbd_port" > "$rootfs/etc/nbd-server/config"
mkdir -p "$rootfs/etc/nbd-server/conf.d"
mariadb -h127.0.0.1 -uroot -e "create database $db"
printf 'DATABASE_URL=mysql://root@127.0.0.1:3306/%s\nRECONCILE_MODE=observe\nHTTP_LISTEN=127.0.0.1:%s\nNBD_ADDRESS=127.0.0.1:%s\n' "$db" "$port" "$nbd_port" > "$rootfs/etc/oma-reconciler/env"

systemd-nspawn -D "$rootfs" --boot --register=no --keep-unit -q >/dev/null 2>&1 &
booted=$!
cleanup() {
  kill "$booted" 2>/dev/null || true
  wait "$booted" 2>/dev/null || true
  mariadb -h127.0.0.1 -uroot -e "drop database if exists $db" || true
  # A tree this run debootstrapped goes with it (once the container is down).
  if [ -z "${ROOTFS:-}" ]; then rm -rf --one-file-system "$rootfs"; fi
}
trap cleanup EXIT
leader=""
for _ in $(seq 1 100); do
  nspawn_pid=$(pgrep -P "$booted" -x systemd-nspawn || echo "$booted")
  leader=$(pgrep -P "$nspawn_pid" | head -1 || true)
  [ -n "$leader" ] && nsenter -t "$leader" -a systemctl is-system-running --wait >/dev/null 2>&1 && break
  sleep 0.3
done
inside() { nsenter -t "$leader" -a "$@"; }

check "nbd-server.service runs" inside systemctl is-active -q nbd-server.service
check "systemctl enable --now oma-reconciler" inside systemctl enable --now -q oma-reconciler
sleep 3
check "oma-reconciler.service is active under its sandbox" inside systemctl is-active -q oma-reconciler.service
check "/healthz answers 200" bash -c "[ \"\$(curl -s -o /dev/null -w %{http_code} http://127.0.0.1:$port/healthz)\" = 200 ]"
check "oma-reconciler may restart nbd-server.service" inside setpriv --reuid=oma-reconciler --regid=oma-reconciler --init-groups systemctl --no-ask-password restart nbd-server.service
check "... also from inside a sandbox like the unit's" inside systemd-run --wait --pipe -q -p User=oma-reconciler -p ProtectSystem=strict -p ProtectHome=yes -p PrivateTmp=yes \
  -p NoNewPrivileges=yes -p "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" -p SystemCallFilter=@system-service \
  -p "SystemCallFilter=~@privileged @resources @obsolete @debug @mount @cpu-emulation" -p AmbientCapabilities=CAP_KILL -p CapabilityBoundingSet=CAP_KILL \
  systemctl --no-ask-password restart nbd-server.service
check "oma-reconciler may not stop nbd-server.service" bash -c "! nsenter -t $leader -a setpriv --reuid=oma-reconciler --regid=oma-reconciler --init-groups systemctl --no-ask-password stop nbd-server.service 2>/dev/null"
check "nobody may not restart nbd-server.service" bash -c "! nsenter -t $leader -a setpriv --reuid=nobody --regid=nogroup --clear-groups systemctl --no-ask-password restart nbd-server.service 2>/dev/null"
check "the unit logged no error" bash -c "! nsenter -t $leader -a journalctl -u oma-reconciler --no-pager -q -p err | grep -q ."
echo "nspawn-check: ${passed} passed, ${failed} failed"
[ "$failed" = 0 ]
