# SPDX-License-Identifier: GPL-2.0
# The one TAP writer of idmesh's shell tests (sourced): by the selftests
# (through lib.sh), the guest's runner, the lint and the tool's host tests.
#
# A script prints "ok N - ...", "not ok N - ...", "# ..." and "1..N", and
# exits 0 when all passed, 1 when one failed, 4 (kselftest's skip) when
# it could not run here. A script may define tap_cleanup, run on exit.

KSFT_SKIP=4
tap_n=0
tap_failed=0
tap_out=$(mktemp)
tap_err=$(mktemp)
trap 'rm -f "$tap_out" "$tap_err"; ! declare -F tap_cleanup >/dev/null || tap_cleanup 2>/dev/null' EXIT

# tap_flush: results a script holds back (lib.sh's batched checks) are
# written before any other; nothing by default.
tap_flush() { :; }
tap_pass() { tap_flush; tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; tap_cov; }
tap_fail() { tap_flush; tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; tap_cov; }
tap_skip() { tap_flush; tap_n=$((tap_n + 1)); echo "ok $tap_n - $* # SKIP"; tap_cov; }

# tap_cov: in a coverage run (idmesh_cov.ko loaded, testing.rst), the
# functions of the module that ran since the last result, as "# cov
# SCRIPT:N FUNCTION MODULE" lines, and the recorder emptied: what each
# result's steps reached. Builtins only.
tap_cov_file=/sys/kernel/debug/idmesh_cov
tap_cov_name=${0##*/}
tap_cov_name=${tap_cov_name%.sh}
tap_cov() {
	local l m
	[ -w "$tap_cov_file" ] || return 0
	while read -r l; do
		[[ "$l" == *"+"*"["*"]" ]] || continue
		m=${l##*[}
		echo "# cov $tap_cov_name:$tap_n ${l%%+*} ${m%]}"
	done <"$tap_cov_file"
	echo 0 >"$tap_cov_file"
}
tap_diag() { sed 's/^/#   /'; }

tap_end() {
	tap_flush
	echo "1..$tap_n"

	[ "$tap_failed" = 0 ] && exit 0
	exit 1
}

# run CMD...: runs it, keeping stdout in $out, stderr in $err, status in $rc.
run() {
	"$@" >"$tap_out" 2>"$tap_err"
	rc=$?
	tap_slurp out "$tap_out"
	tap_slurp err "$tap_err"
}

# tap_slurp VAR FILE: what FILE holds, without its trailing newlines (as
# "$(cat FILE)" gives), into VAR, without a process: on the debug kernel
# a cat's start costs 0.4 s, and run read two files each time.
tap_slurp() {
	local _t=
	IFS= read -r -d '' _t <"$2"
	while [[ "$_t" == *$'\n' ]]; do _t=${_t%$'\n'}; done
	printf -v "$1" '%s' "$_t"
}

# expect DESC STATUS STDERR CMD...: the command ends with STATUS and prints
# exactly STDERR ("*" for anything) on standard error.
expect() {
	local desc=$1 want_rc=$2 want_err=$3
	shift 3
	run "$@"
	if [ "$rc" = "$want_rc" ] && { [ "$want_err" = "*" ] || [ "$err" = "$want_err" ]; }; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		{
			echo "command: $*"
			echo "status $rc (want $want_rc)"
			echo "stderr: $err"
			[ "$want_err" = "*" ] || echo "want:   $want_err"
			echo "stdout: $out"
		} | tap_diag
	fi
}

# expect_out DESC REGEX CMD...: what the command prints on standard output
# matches REGEX (bash's =~), whatever its status.
expect_out() {
	local desc=$1 want=$2
	shift 2
	run "$@"
	if [[ "$out" =~ $want ]]; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		echo "stdout: $out" | tap_diag
	fi
}

# assert DESC TEST...: a shell test that must hold. Its words are one
# command: "assert D [ a ] && [ b ]" asserts [ a ] alone, the shell runs
# [ b ] after it. Several tests: "assert D all [ a ] :: [ b ]".
assert() {
	local desc=$1
	shift
	if "$@"; then
		tap_pass "$desc"
	else
		tap_fail "$desc"
		echo "failed: $*" | tap_diag
	fi
}

# not CMD...: the command fails (as "!", which is no command of its own).
not() { ! "$@"; }

# all CMD [:: CMD]...: every command, in order, succeeds.
all() {
	local cmd=()

	while [ $# -gt 0 ]; do
		if [ "$1" = "::" ]; then
			"${cmd[@]}" || return 1
			cmd=()
		else
			cmd+=("$1")
		fi
		shift
	done
	"${cmd[@]}"
}
