#!/usr/bin/env bash
# --group-by: the authors' cognitive and difficulty labels survive `import` and can group an
# audit or a report instead of the domains; a label the trace lacks is exit code 2, one line.
set -euo pipefail
bin=$1; data=$2; work=$3
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

"$bin" import "$data/rwimport/RW" --out rw.h5 > /dev/null 2>&1 || fail "import"
/usr/bin/python3 - <<'PY' || fail "labels not stored"
import h5py
with h5py.File("rw.h5") as f:
    cognitive = {s.decode() for s in f["samples/cognitive"][:]}
    difficulty = {s.decode() for s in f["samples/difficulty"][:]}
assert "recall" in cognitive, cognitive
assert len(difficulty) > 1, difficulty
PY

"$bin" audit --input rw.h5 --output by_cognitive.csv --group-by cognitive > /dev/null \
    || fail "audit --group-by cognitive"
[ -s by_cognitive.csv ] || fail "no audit table"
"$bin" report rw.h5 --out rep --group-by difficulty --formats png --permutations 0 --bootstrap 0 \
    > /dev/null 2>&1 || fail "report --group-by difficulty"
[ -s rep/committee.csv ] || fail "no report"
grep -q '"domains_from": "difficulty"' rep/report.json || fail "report.json does not say how it grouped"

# A trace without these labels (capture --ids records none): one line, exit 2.
"$bin" synth --shape olmoe --out synth.h5 --samples-per-domain 3 > /dev/null 2>&1 || fail "synth"
set +e
"$bin" audit --input synth.h5 --output x.csv --group-by cognitive 2> err.txt; rc=$?
set -e
[ $rc -eq 2 ] && [ "$(wc -l < err.txt)" -eq 1 ] && grep -q "synth.h5" err.txt \
    || fail "missing labels: rc $rc, $(cat err.txt)"
set +e
"$bin" audit --input synth.h5 --output x.csv --group-by topic 2> err.txt; rc=$?
set -e
[ $rc -eq 2 ] || fail "unknown label: rc $rc"
echo "group_by: 1 passed, 0 failed"
