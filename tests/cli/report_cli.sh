#!/usr/bin/env bash
# `committee-audit report` end to end on a synthetic trace: every documented file
# (docs/report.md) exists and is non-empty, the planted committees show up in
# committee.csv, and bad input gives exit code 2 with a one-line message.
# Usage: report_cli.sh BINARY TESTDATA_DIR WORKDIR
set -u
BIN=$1
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
export QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen}

fail() { echo "FAIL: $*" >&2; exit 1; }

if ! "$BIN" synth --help >/dev/null 2>&1; then
    echo "SKIP: 'committee-audit synth' is not built; report_cli needs a synthetic trace"
    exit 0
fi

# --- a small OLMoE-shaped trace (16 layers x 64 experts, k 8, last-token softmax)
"$BIN" synth --shape olmoe --out "$WORK/T.h5" --seed 1 --samples-per-domain 12 \
    --truth "$WORK/truth.json" >/dev/null 2>"$WORK/synth.err" || fail "synth failed: $(cat "$WORK/synth.err")"

OUT="$WORK/report"
"$BIN" report "$WORK/T.h5" --out "$OUT" --permutations 20 --bootstrap 20 --seed 3 \
    --layers 0,15 >"$WORK/report.out" 2>"$WORK/report.err" \
    || fail "report failed: $(cat "$WORK/report.err")"
grep -q '^score: paper (default' "$WORK/report.out" || fail "report does not say which score it used"

tables="eci committee expert_stats silhouette jaccard_layers jaccard_matrix concentration lorenz
        budget_sweep significance committee_share"
for t in $tables; do
    for ext in csv json; do
        [ -s "$OUT/$t.$ext" ] || fail "missing or empty $t.$ext"
    done
done
[ -s "$OUT/report.json" ] || fail "missing report.json"

figures="eci_heatmap_all_domains committee_table jaccard_layer_0 jaccard_layer_15 jaccard_by_layer
         gini_by_layer coverage_by_layer lorenz silhouette_by_layer budget_sweep"
for f in $figures; do
    for ext in png pdf svg; do
        [ -s "$OUT/figures/$f.$ext" ] || fail "missing or empty figures/$f.$ext"
    done
done
n_domain_maps=$(ls "$OUT"/figures/eci_heatmap_*.png | grep -vc all_domains)
[ "$n_domain_maps" -ge 2 ] || fail "expected one ECI heatmap per domain, found $n_domain_maps"
head -c 8 "$OUT/figures/lorenz.png" | od -An -c | grep -q 'P   N   G' || fail "lorenz.png is not a PNG"
head -c 5 "$OUT/figures/lorenz.pdf" | grep -q '%PDF-' || fail "lorenz.pdf is not a PDF"
grep -q '<svg' "$OUT/figures/lorenz.svg" || fail "lorenz.svg is not an SVG"

# Every file named in report.json exists.
if command -v python3 >/dev/null; then
    python3 - "$OUT" <<'PY' || fail "report.json lists a missing file or lacks provenance"
import json, os, sys
out = sys.argv[1]
r = json.load(open(os.path.join(out, "report.json")))
assert r["eci_variant"]["name"] == "paper", r["eci_variant"]
assert r["settings"]["permutations"] == 20 and r["settings"]["bootstrap"] == 20
assert r["settings"]["seed"] == 3
assert r["model"]["num_routed_experts"] == 64
assert r["trace"]["file"] == "T.h5"
for f in r["files"]:
    p = os.path.join(out, f["file"])
    assert os.path.getsize(p) > 0, p
PY
fi

# --- the planted committees are found: every layer's committee is a non-empty subset of
# what was planted (the Pareto set keeps the members with the best rank profile, which
# among equally strong planted members depends on the noise).
if command -v python3 >/dev/null && [ -s "$WORK/truth.json" ]; then
    python3 - "$WORK/truth.json" "$OUT/committee.csv" <<'PY' || fail "planted committees not recovered"
import csv, json, sys
truth = json.load(open(sys.argv[1]))
planted = truth["planted_committee"]
rows = list(csv.DictReader(open(sys.argv[2])))
assert len(rows) == len(planted), (len(rows), len(planted))
for row, members in zip(rows, planted):
    found = sorted(int(x) for x in row["committee"].split(",") if x.strip())
    assert found and set(found) <= set(members), (row["layer"], found, members)
PY
fi

# --- bad input: exit 2, one line on stderr
expect_bad() {
    local what=$1; shift
    "$BIN" "$@" >/dev/null 2>"$WORK/bad.err"
    local rc=$?
    [ $rc -eq 2 ] || fail "$what: exit $rc, expected 2"
    [ "$(wc -l <"$WORK/bad.err")" -eq 1 ] || fail "$what: expected one line, got: $(cat "$WORK/bad.err")"
}
expect_bad "missing trace" report "$WORK/does-not-exist.h5" --out "$WORK/r2"
head -c 3000 "$WORK/T.h5" >"$WORK/truncated.h5"
expect_bad "truncated trace" report "$WORK/truncated.h5" --out "$WORK/r3"
printf 'not an hdf5 file at all\n' >"$WORK/garbage.h5"
expect_bad "corrupt trace" report "$WORK/garbage.h5" --out "$WORK/r4"
expect_bad "unknown format" report "$WORK/T.h5" --out "$WORK/r5" --formats png,gif
expect_bad "unknown layer" report "$WORK/T.h5" --out "$WORK/r6" --layers 99
expect_bad "unknown score" report "$WORK/T.h5" --out "$WORK/r7" --score nope

echo "report_cli: ok"
