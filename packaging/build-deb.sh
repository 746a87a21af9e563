#!/usr/bin/env bash
# Build the Debian package of auditkit with dpkg-deb (no cargo tool):
#   bash packaging/build-deb.sh        -> target/debian/auditkit_VERSION-1_ARCH.deb
# The version is the workspace's (Cargo.toml), the architecture dpkg's,
# Depends what dpkg-shlibdeps finds in the binary. Man pages and shell
# completions come from the binary itself (auditkit help --man /
# --completion), so they list exactly the flags it parses. The package is
# reproducible: same tree, same toolchain, same .deb (file dates are
# SOURCE_DATE_EPOCH, by default the last commit's time; owners root).
# Needs: cargo, dpkg-deb, gzip, python3 (the copyright file); strip
# (binutils) and dpkg-shlibdeps (dpkg-dev) are used when present.
# packaging/README.md has the layout; packaging/test-deb.sh tests the result.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

version=$(sed -n '/^\[workspace\.package\]/,/^\[/s/^version = "\(.*\)"$/\1/p' Cargo.toml)
[ -n "$version" ] || { echo "build-deb: no version in Cargo.toml's [workspace.package]" >&2; exit 1; }
revision="${DEB_REVISION:-1}"
debversion="$version-$revision"
arch=$(dpkg --print-architecture)
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
# Not exported before cargo runs: a build script that watches it would
# rebuild the crates below it whenever it changes.
sde="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
maintainer="${DEB_MAINTAINER:-$(git log -1 --format='%an <%ae>' 2>/dev/null || echo 'auditkit developers <auditkit@example.org>')}"
target_dir="${CARGO_TARGET_DIR:-$top/target}"
out_dir="$target_dir/debian"
stage="$out_dir/auditkit_${debversion}_${arch}"
deb="$out_dir/auditkit_${debversion}_${arch}.deb"

echo "build-deb: auditkit $debversion ($arch), commit $commit"
cargo build --release --locked -p auditkit
bin="$target_dir/release/auditkit"
export SOURCE_DATE_EPOCH="$sde"

rm -rf "$stage"
mkdir -p "$stage/DEBIAN"
# Every directory and file gets an explicit mode (the umask plays no part).
dir() { install -d -m 0755 "$@"; }
file() { install -m 0644 "$1" "$2"; }

# The binary, stripped as dh_strip does.
dir "$stage/usr/bin"
install -m 0755 "$bin" "$stage/usr/bin/auditkit"
if command -v strip >/dev/null; then
  strip --remove-section=.comment --remove-section=.note --strip-unneeded "$stage/usr/bin/auditkit"
else
  echo "build-deb: warning: no strip (binutils); the binary keeps its symbols" >&2
fi
ak="$stage/usr/bin/auditkit"

# Man pages: one per command the binary has a page for, named as man
# looks them up (auditkit-search.1, auditkit-rules-lint.1).
man1="$stage/usr/share/man/man1"
dir "$man1"
pages=0
while read -r cmd; do
  if [ "$cmd" = auditkit ]; then page=auditkit; else page="auditkit-${cmd// /-}"; fi
  # shellcheck disable=SC2086 # "rules lint" is two words
  "$ak" help --man $cmd >"$man1/$page.1"
  gzip -9n "$man1/$page.1"
  chmod 0644 "$man1/$page.1.gz"
  pages=$((pages + 1))
done < <("$ak" help --man-pages)
[ "$pages" -gt 1 ] || { echo "build-deb: no man pages" >&2; exit 1; }

# Shell completions, where each shell looks for a package's.
dir "$stage/usr/share/bash-completion/completions" "$stage/usr/share/zsh/vendor-completions" \
  "$stage/usr/share/fish/vendor_completions.d"
"$ak" help --completion bash >"$stage/usr/share/bash-completion/completions/auditkit"
"$ak" help --completion zsh >"$stage/usr/share/zsh/vendor-completions/_auditkit"
"$ak" help --completion fish >"$stage/usr/share/fish/vendor_completions.d/auditkit.fish"
chmod 0644 "$stage/usr/share/bash-completion/completions/auditkit" \
  "$stage/usr/share/zsh/vendor-completions/_auditkit" \
  "$stage/usr/share/fish/vendor_completions.d/auditkit.fish"

# The collector's unit (Debian 12 keeps units in /lib/systemd/system).
dir "$stage/lib/systemd/system"
file contrib/systemd/auditkit-collect.service "$stage/lib/systemd/system/auditkit-collect.service"

# Configuration (all conffiles). /etc/audit and plugins.d have auditd's
# own modes (0750, files 0640).
dir "$stage/etc/auditkit" "$stage/etc/auditkit/sigma.d"
file contrib/auditkit/collect.toml "$stage/etc/auditkit/collect.toml"
file contrib/auditkit/sigma.d/README "$stage/etc/auditkit/sigma.d/README"
install -d -m 0750 "$stage/etc/audit" "$stage/etc/audit/plugins.d"
for conf in auditkit-detect.conf auditkit-forward.conf; do
  grep -qx 'active = no' "contrib/plugins.d/$conf" || { echo "build-deb: $conf is not inactive" >&2; exit 1; }
  grep -qx 'path = /usr/bin/auditkit' "contrib/plugins.d/$conf" || { echo "build-deb: $conf: path is not /usr/bin/auditkit" >&2; exit 1; }
  install -m 0640 "contrib/plugins.d/$conf" "$stage/etc/audit/plugins.d/$conf"
done

# Documentation: the copyright file (DEP-5, every crate compiled in), the
# changelog, README.Debian.
doc="$stage/usr/share/doc/auditkit"
dir "$doc"
host=$(rustc -vV | sed -n 's/^host: //p')
cargo metadata --format-version 1 --locked --filter-platform "$host" |
  python3 packaging/gen-copyright.py packaging/licenses "$commit" >"$doc/copyright"
chmod 0644 "$doc/copyright"
file packaging/README.Debian "$doc/README.Debian"
dir "$stage/usr/share/lintian" "$stage/usr/share/lintian/overrides"
file packaging/lintian-overrides "$stage/usr/share/lintian/overrides/auditkit"
{
  printf 'auditkit (%s) unstable; urgency=medium\n\n' "$debversion"
  printf '  * Built from the auditkit source tree, commit %s, by\n' "$commit"
  printf '    packaging/build-deb.sh.\n\n'
  printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
} >"$doc/changelog.Debian"
gzip -9n "$doc/changelog.Debian"
chmod 0644 "$doc/changelog.Debian.gz"

# Depends: the shared libraries the binary links, as dpkg-shlibdeps sees
# them (it wants a debian/control to read); else the minimum it found on
# Debian 12 for this build (libc6 2.34 for the symbol versions used,
# libgcc-s1 for unwinding).
shlibs="libc6 (>= 2.34), libgcc-s1 (>= 4.2)"
if command -v dpkg-shlibdeps >/dev/null; then
  sd="$out_dir/shlibdeps"
  rm -rf "$sd" && mkdir -p "$sd/debian"
  printf 'Source: auditkit\n\nPackage: auditkit\nArchitecture: any\n' >"$sd/debian/control"
  found=$(cd "$sd" && dpkg-shlibdeps -O "$ak" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
  if [ -n "$found" ]; then shlibs="$found"; else
    echo "build-deb: warning: dpkg-shlibdeps found nothing; Depends: $shlibs" >&2
  fi
else
  echo "build-deb: warning: no dpkg-shlibdeps (dpkg-dev); Depends: $shlibs (documented minimum)" >&2
fi

# Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up,
# and one per directory.
size=$(find "$stage" -path "$stage/DEBIAN" -prune -o -type f -printf '%s\n' |
  awk '{ s += int(($1 + 1023) / 1024) } END { print s }')
dirs=$(find "$stage" -path "$stage/DEBIAN" -prune -o -type d -print | wc -l)

cat >"$stage/DEBIAN/control" <<EOF
Package: auditkit
Version: $debversion
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $((size + dirs))
Depends: $shlibs
Recommends: auditd
Suggests: audispd-plugins
Section: admin
Priority: optional
Description: fast search, reports, rule checks and detections for Linux audit
 One binary for people who run the Linux audit system (auditd):
 .
  * search: every ausearch option with the same output, much faster,
    plus a filter language and JSON output;
  * report: every aureport report, plus noise analysis and an HTML report;
  * rules: lint, format, check against CIS profiles, generate, and apply
    audit rules to the kernel atomically;
  * detect and plugin: Sigma rules over logs or live, as an auditd plugin;
  * collect and forward: a receiver for audisp-remote with durable acks,
    and a forwarder with a queue on disk.
 .
 The collector's systemd unit and the auditd plugins are installed but
 not enabled.
EOF
(cd "$stage" && find etc -type f | sort | sed 's|^|/|') >"$stage/DEBIAN/conffiles"
(cd "$stage" && find usr lib -type f | LC_ALL=C sort | xargs md5sum) >"$stage/DEBIAN/md5sums"
for s in postinst prerm postrm; do install -m 0755 "packaging/debian/$s" "$stage/DEBIAN/$s"; done
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

# Dates: every file and directory at SOURCE_DATE_EPOCH.
find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "build-deb: $deb ($(stat -c %s "$deb") bytes, $pages man pages)"
sha256sum "$deb" | sed "s|$out_dir/||"
