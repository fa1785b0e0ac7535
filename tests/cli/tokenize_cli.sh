#!/usr/bin/env bash
# `committee-audit tokenize`: the command-line contract (DESIGN.md §2).
# Usage: tokenize_cli.sh BINARY TESTDATA_DIR WORKDIR
set -euo pipefail
BIN=$1
DATA=$2
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
TOK="$DATA/tokenizers"
fail() { echo "FAIL: $*" >&2; exit 1; }

# One JSON string per line in, one JSON array per line out (ids from the Hugging Face vectors).
printf '%s\n' '"Hello world"' '""' '"a<|im_start|>b"' '"3333"' > "$WORK/in.jsonl"
"$BIN" tokenize --tokenizer "$TOK/qwen3/tokenizer.json" < "$WORK/in.jsonl" > "$WORK/out.jsonl"
printf '%s\n' '[9707,1879]' '[]' '[64,151644,65]' '[18,18,18,18]' > "$WORK/expected.jsonl"
diff -u "$WORK/expected.jsonl" "$WORK/out.jsonl" || fail "qwen3 ids differ"

# A model directory works as PATH; --special adds DeepSeek's BOS 100000 and nothing without it.
echo '"Hello world"' | "$BIN" tokenize --tokenizer "$TOK/deepseek-v2" > "$WORK/plain.txt"
echo '"Hello world"' | "$BIN" tokenize --tokenizer "$TOK/deepseek-v2" --special > "$WORK/bos.txt"
[ "$(cat "$WORK/plain.txt")" = "[17464,1843]" ] || fail "deepseek without --special: $(cat "$WORK/plain.txt")"
[ "$(cat "$WORK/bos.txt")" = "[100000,17464,1843]" ] || fail "deepseek --special: $(cat "$WORK/bos.txt")"

# JSON escapes are decoded: "\n" is a newline (Qwen id 198), "\u00e9" is é.
echo '"\n\u00e9"' | "$BIN" tokenize --tokenizer "$TOK/qwen3" > "$WORK/esc.txt"
[ "$(cat "$WORK/esc.txt")" = "[198,963]" ] || fail "escapes: $(cat "$WORK/esc.txt")"

# Bad input: exit code 2 and one line on stderr naming the problem.
expect_bad() {
    local what=$1; shift
    set +e
    "$@" > "$WORK/bad.out" 2> "$WORK/bad.err"
    local rc=$?
    set -e
    [ $rc -eq 2 ] || fail "$what: exit code $rc, expected 2"
    [ "$(wc -l < "$WORK/bad.err")" -eq 1 ] || fail "$what: stderr is not one line: $(cat "$WORK/bad.err")"
}
expect_bad "not a JSON string" bash -c "echo '[1]' | '$BIN' tokenize --tokenizer '$TOK/qwen3'"
grep -q "line 1" "$WORK/bad.err" || fail "error does not name the line: $(cat "$WORK/bad.err")"
expect_bad "not JSON" bash -c "echo 'Hello' | '$BIN' tokenize --tokenizer '$TOK/qwen3'"
expect_bad "missing tokenizer" bash -c "echo '\"a\"' | '$BIN' tokenize --tokenizer '$WORK/nope.json'"
grep -q "nope.json" "$WORK/bad.err" || fail "error does not name the file: $(cat "$WORK/bad.err")"
echo '{"model": {"type": "Unigram"}}' > "$WORK/unigram.json"
expect_bad "unsupported model" bash -c "echo '\"a\"' | '$BIN' tokenize --tokenizer '$WORK/unigram.json'"
grep -q "unigram.json" "$WORK/bad.err" || fail "error does not name the file: $(cat "$WORK/bad.err")"
set +e
echo '"a"' | "$BIN" tokenize > /dev/null 2>&1
rc=$?
set -e
[ $rc -eq 2 ] || fail "no --tokenizer: exit code $rc, expected 2"

echo "tokenize_cli: ok"
