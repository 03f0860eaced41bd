#!/usr/bin/env bash
# Builds dist/oma-reconciler_<version>_<arch>.deb from the single executable
# (dist/release/oma-reconciler, made by `npm run build:binary`) with dpkg-deb. No network.
# Layout: /usr/lib/oma-reconciler/oma-reconciler + /usr/bin link, the unit in /lib/systemd/system,
# /etc/oma-reconciler/env (conffile), the polkit rule, docs. Runs lintian when it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

binary=dist/release/oma-reconciler
[ -x "$binary" ] || { echo "build-deb: $binary missing: run npm run build:binary first" >&2; exit 2; }
version=$(node -p 'require("./package.json").version')
arch=$(dpkg --print-architecture)
pkgdir=dist/deb/oma-reconciler_${version}_${arch}
deb=dist/oma-reconciler_${version}_${arch}.deb

rm -rf "$pkgdir" "$deb"
umask 022
install -d "$pkgdir/DEBIAN" "$pkgdir/usr/bin" "$pkgdir/usr/lib/oma-reconciler" "$pkgdir/lib/systemd/system" \
  "$pkgdir/usr/share/polkit-1/rules.d" "$pkgdir/usr/share/doc/oma-reconciler"
install -d -m 0750 "$pkgdir/etc/oma-reconciler"

install -m 0755 "$binary" "$pkgdir/usr/lib/oma-reconciler/oma-reconciler"
ln -s ../lib/oma-reconciler/oma-reconciler "$pkgdir/usr/bin/oma-reconciler"
install -m 0644 systemd/oma-reconciler.service "$pkgdir/lib/systemd/system/oma-reconciler.service"
install -m 0640 systemd/oma-reconciler.env.example "$pkgdir/etc/oma-reconciler/env"
install -m 0644 packaging/deb/50-oma-reconciler.rules "$pkgdir/usr/share/polkit-1/rules.d/50-oma-reconciler.rules"
install -m 0644 packaging/deb/copyright "$pkgdir/usr/share/doc/oma-reconciler/copyright"
install -d "$pkgdir/usr/share/man/man1" "$pkgdir/usr/share/lintian/overrides"
sed "s/@VERSION@/${version}/" packaging/deb/oma-reconciler.1 | gzip -9n > "$pkgdir/usr/share/man/man1/oma-reconciler.1.gz"
install -m 0644 packaging/deb/lintian-overrides "$pkgdir/usr/share/lintian/overrides/oma-reconciler"
chmod 0644 "$pkgdir/usr/share/man/man1/oma-reconciler.1.gz"

# A Debian changelog with this version (the git history is the real one).
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
date_rfc=$(date -R -d "@$(git log -1 --format=%ct 2>/dev/null || date +%s)")
printf '%s\n' "oma-reconciler (${version}) unstable; urgency=medium" '' \
  "  * Release ${version}, built from commit ${commit}." '' \
  " -- MigrateKit OSSEA <oma-reconciler@migratekit.invalid>  ${date_rfc}" \
  | gzip -9n > "$pkgdir/usr/share/doc/oma-reconciler/changelog.gz"
chmod 0644 "$pkgdir/usr/share/doc/oma-reconciler/changelog.gz"

for script in postinst prerm postrm; do
  install -m 0755 "packaging/deb/$script" "$pkgdir/DEBIAN/$script"
done
echo /etc/oma-reconciler/env > "$pkgdir/DEBIAN/conffiles"
chmod 0644 "$pkgdir/DEBIAN/conffiles"

# What node itself links against (objdump -T of the executable: GLIBC_2.28, GLIBCXX_3.4.21, GCC_3.4).
depends='libc6 (>= 2.28), libgcc-s1 (>= 3.4), libstdc++6 (>= 5.2), adduser, init-system-helpers (>= 1.54)'
installed_size=$(du -sk --exclude=DEBIAN "$pkgdir" | cut -f1)
sed -e "s/@VERSION@/${version}/" -e "s/@ARCH@/${arch}/" -e "s/@INSTALLED_SIZE@/${installed_size}/" \
  -e "s/@DEPENDS@/${depends}/" packaging/deb/control.in > "$pkgdir/DEBIAN/control"
(cd "$pkgdir" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$pkgdir/DEBIAN/md5sums"
chmod 0644 "$pkgdir/DEBIAN/control" "$pkgdir/DEBIAN/md5sums"

dpkg-deb --root-owner-group -Zxz --build "$pkgdir" "$deb" >/dev/null
echo "build-deb: $deb ($(du -h "$deb" | cut -f1), installed ${installed_size} KiB)"

if command -v lintian >/dev/null 2>&1; then
  # Errors fail the build; warnings are printed. Overrides: packaging/deb/lintian-overrides.
  lintian --fail-on error --tag-display-limit 0 "$deb" || { echo "build-deb: lintian found errors" >&2; exit 1; }
else
  echo "build-deb: lintian not installed, not run"
fi
