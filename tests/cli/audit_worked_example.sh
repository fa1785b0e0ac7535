#!/usr/bin/env bash
# `committee-audit audit` on the authors' worked example must write exactly what their
# Audit_Committee.py writes; bad input must give exit code 2 and a one-line message.
# Usage: audit_worked_example.sh BINARY TESTDATA_DIR WORKDIR
set -u
bin=$1
data=$2/authors
work=$3
mkdir -p "$work"
fail=0

check_output() {  # name, input, expected output, extra args...
    local name=$1 input=$2 expected=$3
    shift 3
    local out="$work/$name.csv"
    rm -f "$out"
    if ! "$bin" audit --input "$input" --output "$out" "$@" > "$work/$name.stdout" 2> "$work/$name.stderr"; then
        echo "FAIL $name: exit code $? ($(cat "$work/$name.stderr"))"
        fail=1
        return
    fi
    if ! cmp -s "$out" "$expected"; then
        echo "FAIL $name: output differs from the authors' output"
        diff "$expected" "$out" | head -20
        fail=1
        return
    fi
    echo "ok   $name"
}

check_bad_input() {  # name, expected text in the message, args...
    local name=$1 expect=$2
    shift 2
    "$bin" audit "$@" > "$work/$name.stdout" 2> "$work/$name.stderr"
    local rc=$?
    local lines
    lines=$(wc -l < "$work/$name.stderr")
    if [ "$rc" -ne 2 ]; then
        echo "FAIL $name: exit code $rc, expected 2"
        fail=1
    elif [ "$lines" -ne 1 ]; then
        echo "FAIL $name: expected a one-line message, got $lines lines:"
        cat "$work/$name.stderr"
        fail=1
    elif ! grep -qF -- "$expect" "$work/$name.stderr"; then
        echo "FAIL $name: message does not name '$expect': $(cat "$work/$name.stderr")"
        fail=1
    else
        echo "ok   $name: $(cat "$work/$name.stderr")"
    fi
}

check_output worked_example "$data/worked_example_input.csv" "$data/worked_example_output.csv"
check_output worked_example_explicit_ratio "$data/worked_example_input.csv" \
    "$data/worked_example_output.csv" --presence-ratio 0.8
# The long schema's rebuilt table lists domains sorted (code before news), so expert 18 is
# seen before expert 3 and the tied committee prints in that order, as in the script.
check_output worked_example_long "$data/worked_example_long.csv" "$data/worked_example_long_output.csv"

# The same tables as the authors' scripts write them, .xlsx from pandas (make_xlsx.py).
check_output worked_example_xlsx "$data/worked_example_input.xlsx" "$data/worked_example_output.csv"
check_output worked_example_xlsx_with_index "$data/worked_example_input_with_index.xlsx" \
    "$data/worked_example_output.csv"
check_output worked_example_long_xlsx "$data/worked_example_long.xlsx" \
    "$data/worked_example_long_output.csv"

printf 'PK\003\004 not really a zip' > "$work/broken.xlsx"
check_bad_input broken_xlsx "broken.xlsx" --input "$work/broken.xlsx" --output "$work/broken.csv"
printf 'x' > "$work/old.xls"
check_bad_input legacy_xls ".xlsx or CSV" --input "$work/old.xls" --output "$work/old.csv"

check_bad_input missing_file "$work/does_not_exist.csv" \
    --input "$work/does_not_exist.csv" --output "$work/missing.csv"
check_bad_input malformed_table "malformed_unterminated_quote.csv" \
    --input "$data/malformed_unterminated_quote.csv" --output "$work/malformed.csv"
check_bad_input ratio_above_one "--presence-ratio" \
    --input "$data/worked_example_input.csv" --output "$work/ratio.csv" --presence-ratio 1.5
check_bad_input ratio_zero "--presence-ratio" \
    --input "$data/worked_example_input.csv" --output "$work/ratio0.csv" --presence-ratio 0
check_bad_input ratio_not_a_number "--presence-ratio" \
    --input "$data/worked_example_input.csv" --output "$work/ratiox.csv" --presence-ratio abc

exit $fail
