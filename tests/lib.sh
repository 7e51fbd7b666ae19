# tests/lib.sh - sourced by the shell tests (tests/*.sh): counters, checks,
# and the "N passed, N failed" summary. $CHAFF is the binary under test,
# $SHARED the ../shared directory, $TMP a scratch directory removed at exit.
set -u
pass=0 fail=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/chaff-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
: "${CHAFF:=./chaff}" "${SHARED:=../shared}"

ok()   { pass=$((pass + 1)); }
bad()  { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# check DESCRIPTION COMMAND... : passes when the command exits 0
check() { local d=$1; shift; if "$@"; then ok; else bad "$d"; fi; }
# check_eq DESCRIPTION GOT WANT
check_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi; }
# run_cmd: run "$@" capturing stdout, stderr and status into $out $err $rc
run_cmd() { "$@" >"$TMP/out" 2>"$TMP/err"; rc=$?; out=$(cat "$TMP/out"); err=$(cat "$TMP/err"); }
have_shared() {
	[ -d "$SHARED/realdata" ] && [ -d "$SHARED/seeds" ] && return 0
	echo "skip: $SHARED/realdata is absent; tests on real data not run" >&2
	return 1
}
summary() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }
