#!/usr/bin/env bash
# The Debian package end to end (issue 18), as root on a Debian machine with MariaDB and nbd-server:
#   1. build the .deb when missing (npm run package) and install it with dpkg -i;
#   2. the installed binary with no node on PATH, then the daemon under the unit's own sandbox
#      against MariaDB, the CloudStack simulator and a real nbd-server (sandboxed-run/driver.ts);
#   3. dpkg -r keeps configuration and state, dpkg --purge leaves nothing behind.
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

passed=0
failed=0
check() { # check NAME COMMAND...
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); echo "ok - $name"; else failed=$((failed + 1)); echo "not ok - $name"; fi
}
absent() { [ ! -e "$1" ] && [ ! -L "$1" ]; }

[ "$(id -u)" = 0 ] || { echo "sandboxed-run: must run as root (dpkg, unshare, setpriv)" >&2; exit 2; }
version=$(node -p 'require("./package.json").version')
arch=$(dpkg --print-architecture)
# Always from this checkout (a stale .deb would test old code), unless DEB= names one.
deb=${DEB:-dist/oma-reconciler_${version}_${arch}.deb}
if [ -z "${DEB:-}" ]; then npm run package; fi
[ -f "$deb" ] || { echo "sandboxed-run: $deb was not built" >&2; exit 1; }
size=$(stat -c %s dist/release/oma-reconciler 2>/dev/null || echo 0)
echo "measure: executable size $((size / 1048576)) MiB, package size $(($(stat -c %s "$deb") / 1048576)) MiB"

# A clean slate, then the install an operator does.
if dpkg -s oma-reconciler >/dev/null 2>&1; then dpkg --purge oma-reconciler >/dev/null; fi
files=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^/$')
check "dpkg -i installs the package" dpkg -i "$deb"
check "the binary is on PATH as /usr/bin/oma-reconciler" test -x /usr/bin/oma-reconciler
check "the unit is in /lib/systemd/system" test -f /lib/systemd/system/oma-reconciler.service
check "the unit starts the installed binary" grep -qx 'ExecStart=/usr/bin/oma-reconciler run' /lib/systemd/system/oma-reconciler.service
check "postinst created the system user and group" getent passwd oma-reconciler
check "the env file is a conffile, root:oma-reconciler 0640" bash -c '[ "$(stat -c "%U:%G %a" /etc/oma-reconciler/env)" = "root:oma-reconciler 640" ] && grep -qx /etc/oma-reconciler/env /var/lib/dpkg/info/oma-reconciler.conffiles'
check "the polkit rule lets only oma-reconciler restart nbd-server.service" grep -q "subject.user === 'oma-reconciler'" /usr/share/polkit-1/rules.d/50-oma-reconciler.rules

# No node on PATH: a directory holding only the installed command.
nonode=$(mktemp -d)
ln -s /usr/bin/oma-reconciler "$nonode/oma-reconciler"
check "PATH without node really has no node" bash -c "! PATH=$nonode command -v node"
check "--version with no node on PATH" bash -c "env -i PATH=$nonode oma-reconciler --version | grep -q 'oma-reconciler ${version} (commit '"
simulator_out=$(timeout 10 env -i PATH="$nonode" oma-reconciler simulator --port 0 2>&1 | head -2 || true)
check "simulator with no node on PATH" grep -q 'url:  *http://127.0.0.1:' <<< "$simulator_out"
check "demo --once with no node on PATH (real nbd-server, MariaDB)" timeout 300 env -i PATH="$nonode:/usr/sbin:/sbin" HTTP_LISTEN=127.0.0.1:0 oma-reconciler demo --once
rm -rf "$nonode"

# The daemon and the database commands under the unit's sandbox.
if npx tsx test/deploy/sandboxed-run/driver.ts; then passed=$((passed + 1)); echo "ok - sandboxed run of the installed unit"; else failed=$((failed + 1)); echo "not ok - sandboxed run of the installed unit"; fi

# Remove keeps configuration, state and the user; purge removes everything.
install -d -o oma-reconciler -g oma-reconciler -m 0700 /var/lib/oma-reconciler
check "dpkg -r removes the package" dpkg -r oma-reconciler
check "after remove: the binary, unit and polkit rule are gone" bash -c 'for f in /usr/bin/oma-reconciler /usr/lib/oma-reconciler /lib/systemd/system/oma-reconciler.service /usr/share/polkit-1/rules.d/50-oma-reconciler.rules; do [ ! -e "$f" ] && [ ! -L "$f" ] || exit 1; done'
check "after remove: the env file, state and user stay" bash -c 'test -f /etc/oma-reconciler/env && test -d /var/lib/oma-reconciler && getent passwd oma-reconciler'
check "dpkg --purge purges the package" dpkg --purge oma-reconciler
check "after purge: dpkg knows nothing of it" bash -c '! dpkg -s oma-reconciler'
check "after purge: configuration and state are gone" bash -c 'test ! -e /etc/oma-reconciler && test ! -e /var/lib/oma-reconciler'
check "after purge: the user and group are gone" bash -c '! getent passwd oma-reconciler && ! getent group oma-reconciler'
left=$(for f in $files; do case "$f" in /usr|/usr/bin|/usr/lib|/usr/share|/usr/share/doc|/usr/share/man|/usr/share/man/man1|/usr/share/polkit-1|/usr/share/polkit-1/rules.d|/usr/share/lintian|/usr/share/lintian/overrides|/lib|/lib/systemd|/lib/systemd/system|/etc) continue ;; esac; absent "$f" || echo "$f"; done)
check "after purge: no file of the package is left (${left:-none})" test -z "$left"

echo "sandboxed-run: ${passed} passed, ${failed} failed"
[ "$failed" = 0 ]
