#!/bin/bash
# `committee-audit import` on broken RW files: exit code 2 and exactly one line on stderr that
# names the file. Usage: bash import_errors.sh BINARY TESTDATA_DIR WORKDIR
set -u
bin=$1 data=$2/rwimport work=$3
mkdir -p "$work"
status=0

expect_one_line_error() {   # FILE EXPECTED_TEXT
    local file=$1 text=$2 err rc lines
    err=$("$bin" import "$file" --out "$work/out.h5" 2>&1 >/dev/null)
    rc=$?
    lines=$(printf '%s\n' "$err" | wc -l)
    if [ "$rc" -ne 2 ]; then
        echo "FAIL $file: exit code $rc, expected 2"; status=1
    elif [ "$lines" -ne 1 ]; then
        echo "FAIL $file: $lines lines on stderr, expected 1:"; printf '%s\n' "$err"; status=1
    elif [[ "$err" != *"$file"* ]]; then
        echo "FAIL $file: message does not name the file: $err"; status=1
    elif [[ "$err" != *"$text"* ]]; then
        echo "FAIL $file: message lacks '$text': $err"; status=1
    else
        echo "ok   $err"
    fi
}

expect_one_line_error "$data/errors/truncated.pth" "truncated or damaged zip archive"
expect_one_line_error "$data/errors/not_a_zip.pth" "not a zip archive"
expect_one_line_error "$data/errors/forbidden_global.pth" "forbidden GLOBAL 'posix.system'"
expect_one_line_error "$work/does_not_exist.pth" "no such file"

# And the happy path, for contrast: a whole RW folder imports with exit code 0.
if "$bin" import "$data/RW" --out "$work/rw.h5" 2>"$work/rw.err" && [ -s "$work/rw.h5" ]; then
    echo "ok   RW folder imported"
else
    echo "FAIL RW folder import:"; cat "$work/rw.err"; status=1
fi
exit $status
