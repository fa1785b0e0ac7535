#!/usr/bin/env bash
# The desktop app under a real X server (Xvfb), as CI runs it: open a synthetic trace,
# select a committee member, and save a picture of the main window and of every view
# (`committee-audit screenshots`). Each picture must exist, be a PNG of the right size
# and not be blank (the command checks ink; this script checks the files and sizes).
# Without xvfb-run it falls back to Qt's offscreen platform.
# Usage: gui_screenshots.sh BINARY TESTDATA_DIR WORKDIR
set -u
BIN=$1
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" synth --shape olmoe --out "$WORK/T.h5" --seed 2 --samples-per-domain 8 >/dev/null 2>"$WORK/synth.err" \
    || fail "synth failed: $(cat "$WORK/synth.err")"

run_gui() {
    if command -v xvfb-run >/dev/null 2>&1; then
        echo "display: Xvfb (xcb)"
        env -u QT_QPA_PLATFORM HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" \
            xvfb-run -a -s "-screen 0 1920x1200x24" "$BIN" "$@"
    else
        echo "display: offscreen (xvfb-run not installed)"
        HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/config" QT_QPA_PLATFORM=offscreen "$BIN" "$@"
    fi
}

run_gui screenshots "$WORK/T.h5" --out "$WORK/shots" --width 1600 --height 1000 >"$WORK/shots.out" 2>"$WORK/shots.err"
rc=$?
cat "$WORK/shots.out"
[ $rc -eq 0 ] || fail "screenshots exited $rc: $(tail -5 "$WORK/shots.err")"

png_size() {  # width x height from the PNG header
    python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n"; print("%dx%d" % struct.unpack(">II", d[16:24]))' "$1"
}
for view in main_window heatmap documents settings committee gini jaccard tokens; do
    f="$WORK/shots/$view.png"
    [ -s "$f" ] || fail "no screenshot of $view"
    size=$(png_size "$f") || fail "$view.png is not a PNG"
    w=${size%x*}; h=${size#*x}
    [ "$w" -ge 100 ] && [ "$h" -ge 60 ] || fail "$view.png is too small ($size)"
done
[ "$(png_size "$WORK/shots/main_window.png")" = "1600x1000" ] || fail "main window is $(png_size "$WORK/shots/main_window.png"), not 1600x1000"
grep -q BLANK "$WORK/shots.out" && fail "a view rendered blank"
echo "ok"
