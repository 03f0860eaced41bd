#!/usr/bin/env bash
# Runs a command the way systemd would run oma-reconciler.service, without systemd: reads the
# INSTALLED unit and reproduces its sandbox in a private mount namespace (unshare -m):
#   ProtectSystem=strict   every mount read-only except /proc, /sys, /dev
#   ReadWritePaths=        writable binds (plus EXTRA_RW_PATHS, as a drop-in would add)
#   StateDirectory=        /var/lib/NAME created for User=/Group= with StateDirectoryMode=, writable
#   PrivateTmp=yes         fresh /tmp and /var/tmp
#   ProtectHome=yes        empty read-only /home, /root, /run/user
#   User= Group= UMask= AmbientCapabilities= CapabilityBoundingSet= NoNewPrivileges=
#   EnvironmentFile= Environment= and systemd's own PATH
# plus, for the test: node made unexecutable (the binary must not need it) and SYSTEMCTL_STANDIN
# bound over /usr/bin/systemctl (the D-Bus call to the service manager).
# Usage: unit-sandbox.sh UNIT_FILE COMMAND [ARGS...]     (as root)
set -euo pipefail
unit=$1; shift
[ "$(id -u)" = 0 ] || { echo "unit-sandbox: must run as root" >&2; exit 2; }

setting() { sed -n "s/^$1=//p" "$unit"; }
user=$(setting User); group=$(setting Group); umask_value=$(setting UMask)
state=$(setting StateDirectory); state_mode=$(setting StateDirectoryMode)
read -r -a rw_paths <<< "$(setting ReadWritePaths | tr '\n' ' ') ${EXTRA_RW_PATHS:-}"
caps=$(setting AmbientCapabilities | tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ /,+/g')
bounding=$(setting CapabilityBoundingSet | tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ /,+/g')
env_file=$(setting EnvironmentFile | sed 's/^-//')
[ "$(setting ProtectSystem)" = strict ] && [ "$(setting PrivateTmp)" = yes ] && [ "$(setting ProtectHome)" = yes ] \
  || { echo "unit-sandbox: $unit no longer has ProtectSystem=strict, PrivateTmp=yes, ProtectHome=yes: update this script" >&2; exit 2; }

# What systemd does as root before the namespace: the state directory, ExecStartPre's conf.d.
for s in $state; do install -d -o "$user" -g "$group" -m "${state_mode:-0755}" "/var/lib/$s"; done
for p in "${rw_paths[@]}"; do install -d -o root -g "$group" -m 2775 "$p"; done
private_tmp=$(mktemp -d /tmp/systemd-private-oma-reconciler-XXXXXX)
install -d -m 1777 "$private_tmp/tmp" "$private_tmp/var-tmp"
trap 'rm -rf "$private_tmp"' EXIT

# The unit's environment: systemd's PATH, the user's identity, Environment= and EnvironmentFile=.
envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin HOME=/ USER="$user" LOGNAME="$user" SHELL=/usr/sbin/nologin)
# One assignment per Environment= line, quoted as a whole when its value has spaces.
while IFS= read -r line; do
  line=${line#\"}
  envs+=("${line%\"}")
done < <(setting Environment)
if [ -n "$env_file" ] && [ -r "$env_file" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*|';'*) continue ;; esac
    envs+=("$line")
  done < "$env_file"
fi

writable=("${rw_paths[@]}")
for s in $state; do writable+=("/var/lib/$s"); done
node_bins=$(for n in $(type -ap node nodejs || true); do readlink -f "$n"; done | sort -u)

# shellcheck disable=SC2016
exec unshare -m --propagation private bash -c '
  set -euo pipefail
  private_tmp=$1; standin=$2; nodes=$3; writable=$4; shift 4
  mount --bind "$private_tmp/var-tmp" /var/tmp
  mount --bind "$private_tmp/tmp" /tmp
  for p in $writable; do mount --bind "$p" "$p"; done
  for n in $nodes; do mount --bind /dev/null "$n"; done
  if [ -n "$standin" ]; then mount --bind "$standin" /usr/bin/systemctl; fi
  # ProtectSystem=strict: every other mount read-only.
  awk "{print \$5}" /proc/self/mountinfo | sort -u | while read -r mp; do
    case "$mp" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue ;; esac
    keep=0; for p in $writable /tmp /var/tmp; do [ "$mp" = "$p" ] && keep=1; done
    [ $keep = 1 ] || mount -o remount,bind,ro "$mp" 2>/dev/null || mount -o remount,bind,ro,nosuid,nodev "$mp"
  done
  for h in /home /root /run/user; do [ -d "$h" ] && mount -t tmpfs -o ro,mode=0755 tmpfs "$h"; done
  exec "$@"
' unit-sandbox "$private_tmp" "${SYSTEMCTL_STANDIN:-}" "$node_bins" "${writable[*]}" \
  env -i "${envs[@]}" setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs \
  --inh-caps=-all${caps:+,+$caps} --ambient-caps=-all${caps:+,+$caps} --bounding-set=-all${bounding:+,+$bounding} \
  bash -c 'umask "$0"; cd /; exec "$@"' "${umask_value:-0022}" "$@"
