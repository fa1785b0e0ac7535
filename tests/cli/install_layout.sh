#!/usr/bin/env bash
# `cmake --install` into a scratch prefix: the executable, desktop entry, AppStream metadata,
# icon and licences land where desktops and Debian look for them, and validate when the
# validators (desktop-file-utils, appstream) are installed.
set -euo pipefail
bin=$1; work=$3
build=$(cd "$(dirname "$bin")/.." && pwd)
fail() { echo "FAIL: $*"; exit 1; }
[ -f "$build/cmake_install.cmake" ] || { echo "install layout: skipped (no cmake_install.cmake in $build)"; exit 0; }
rm -rf "$work"; mkdir -p "$work"
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > "$work/install.log" 2>&1 || fail "cmake --install: $(tail -3 "$work/install.log")"

for f in bin/committee-audit \
         share/applications/committee-audit.desktop \
         share/metainfo/io.github.committeeaudit.CommitteeAudit.metainfo.xml \
         share/icons/hicolor/scalable/apps/committee-audit.svg \
         share/doc/committee-audit/copyright share/doc/committee-audit/LICENSE \
         share/doc/committee-audit/README.md \
         share/doc/committee-audit/licenses/LICENSE.hendrycks-test.txt \
         share/doc/committee-audit/licenses/LICENSE.allenai-OLMo.txt \
         share/doc/committee-audit/docs/trace-format.md; do
    [ -s "$prefix/$f" ] || fail "missing $f"
done
[ -x "$prefix/bin/committee-audit" ] || fail "bin/committee-audit is not executable"
"$prefix/bin/committee-audit" --version | grep -q "^committee-audit " || fail "installed binary --version"

# The desktop entry names the installed executable and icon.
grep -qx "Exec=committee-audit %f" "$prefix/share/applications/committee-audit.desktop" || fail "Exec line"
grep -qx "Icon=committee-audit" "$prefix/share/applications/committee-audit.desktop" || fail "Icon line"
if command -v desktop-file-validate > /dev/null; then
    desktop-file-validate "$prefix/share/applications/committee-audit.desktop" || fail "desktop entry invalid"
fi
if command -v appstreamcli > /dev/null; then
    appstreamcli validate --no-net "$prefix/share/metainfo/io.github.committeeaudit.CommitteeAudit.metainfo.xml" \
        > "$work/appstream.log" 2>&1 || fail "metainfo invalid: $(cat "$work/appstream.log")"
fi
echo "install layout: 1 passed, 0 failed"
