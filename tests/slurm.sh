#!/usr/bin/env bash
# tests/slurm.sh - chaff bulk on a real single-node Slurm, run by
# `make test-slurm` (it needs root, installs Slurm from Debian when it is
# missing, and starts daemons; `make test` skips it).
#
# It starts munge, slurmctld and slurmd with private ports and directories
# under $TMP, submits contrib/slurm/chaff-bulk.sbatch over a manifest of real
# archives from $SHARED/realdata/warc with an unreadable one among them,
# kills one task's chaff with SIGKILL midway through a large archive,
# checks the outputs and the failed tasks, re-submits the same command and
# checks that finished archives were skipped, nothing was written twice and
# every record of every readable archive is in exactly one output. Then a
# task is cancelled with scancel (SIGTERM: chaff removes its temporary).
# Every daemon is stopped by its PID and waited for, also on failure.
cd "$(dirname "$0")/.." || exit 2
. tests/lib.sh

if [ "${CHAFF_TEST_SLURM:-}" != 1 ]; then
	echo "skip: the Slurm test runs with 'make test-slurm'" >&2
	summary
	exit
fi
have_shared || { summary; exit; }
# A copy: the jobs run the binary this test started with, even if a build
# replaces $CHAFF meanwhile.
cp "$CHAFF" "$TMP/chaff" || exit 1
CHAFF=$TMP/chaff
SBATCH_SCRIPT=$PWD/contrib/slurm/chaff-bulk.sbatch
R=$SHARED/realdata/warc
W=$TMP/slurm M=$TMP/slurm/munge D=$TMP/data OUT=$TMP/batch
PKGS="slurmctld slurmd slurm-client munge"
made_policy='' jobs=''
t_start=$SECONDS

log() { echo "slurm.sh: $(( SECONDS - t_start ))s: $*" >&2; }
die() { bad "$*"; exit 1; }  # the EXIT trap stops the cluster and prints the summary

# ---------------------------------------------------------------------------
# Install and start, stop by PID

have_slurm() {
	local c
	for c in slurmctld slurmd sbatch squeue scontrol sinfo scancel munged mungekey; do
		command -v "$c" >/dev/null 2>&1 || return 1
	done
}

# shellcheck disable=SC2086  # a list of packages
apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PKGS
}

# apt starts no daemons while policy-rc.d says 101; ours goes away after.
install_slurm() {
	local rc
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
		made_policy=1
	fi
	log "installing $PKGS"
	apt_install >"$TMP/apt.log" 2>&1 ||
		{ apt-get update -qq >>"$TMP/apt.log" 2>&1 && apt_install >>"$TMP/apt.log" 2>&1; }
	rc=$?
	if [ -n "$made_policy" ]; then
		rm -f /usr/sbin/policy-rc.d
		made_policy=''
	fi
	[ "$rc" -eq 0 ] || tail -n 20 "$TMP/apt.log" >&2
	return "$rc"
}

pid_of() { [ -s "$1" ] && cat "$1"; }

# TERM each daemon by the PID it wrote, wait until gone, KILL after 10 s.
stop_daemons() {
	local f pid i
	for f in "$W/slurmd.pid" "$W/slurmctld.pid" "$M/munged.pid"; do
		pid=$(pid_of "$f") || continue
		kill -TERM "$pid" 2>/dev/null || continue
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			echo "slurm.sh: $f: $pid did not stop, killing" >&2
			kill -KILL "$pid" 2>/dev/null
			sleep 0.2
		fi
	done
}

# Cancel what we submitted and wait for it, so no slurmstepd outlives the test.
stop_jobs() {
	local j i
	[ -n "$jobs" ] || return 0
	for j in $jobs; do scancel "$j" 2>/dev/null; done
	for i in $(seq 50); do
		[ -z "$(squeue -h -o %i 2>/dev/null)" ] && return 0
		sleep 0.2
	done
}

cleanup() {
	[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
	if [ -n "${SLURM_CONF:-}" ]; then
		stop_jobs
		stop_daemons
	fi
	[ -n "${CHAFF_KEEP_TMP:-}" ] || rm -rf "$TMP"
}
# The summary is printed even when a step dies early; cleanup always runs.
done_ok=0
on_exit() { local rc=$?; [ "$done_ok" = 1 ] || summary; cleanup; exit "$rc"; }
trap on_exit EXIT
trap 'bad "interrupted"; exit 1' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_ports() {
	local i p
	for i in $(seq 50); do
		p=$(( 20000 + (RANDOM % 2000) * 2 ))
		if port_free "$p" && port_free $((p + 1)); then
			CTLD_PORT=$p SLURMD_PORT=$((p + 1))
			return 0
		fi
	done
	return 1
}

write_conf() {
	local host cpus
	host=$(hostname -s)
	cpus=$(nproc)
	cat >"$W/slurm.conf" <<EOF
ClusterName=chafftest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$M/munge.socket
StateSaveLocation=$W/state
SlurmdSpoolDir=$W/spool
SlurmctldPidFile=$W/slurmctld.pid
SlurmdPidFile=$W/slurmd.pid
SlurmctldLogFile=$W/slurmctld.log
SlurmdLogFile=$W/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MailProg=/bin/true
MpiDefault=none
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=10 State=UP
EOF
}

start_cluster() {
	local i state
	chmod 755 "$TMP"
	mkdir -p "$W/state" "$W/spool" "$M" || return 1
	chown munge:munge "$M" && chmod 711 "$M" || return 1
	runuser -u munge -- mungekey --create --keyfile="$M/munge.key" || return 1
	runuser -u munge -- munged --socket="$M/munge.socket" --key-file="$M/munge.key" \
		--pid-file="$M/munged.pid" --log-file="$M/munged.log" \
		--seed-file="$M/munged.seed" || return 1
	pick_ports || { echo "slurm.sh: no free ports" >&2; return 1; }
	write_conf
	export SLURM_CONF=$W/slurm.conf
	slurmctld -c || return 1
	slurmd || return 1
	for i in $(seq 150); do
		state=$(sinfo -h -N -o %t 2>/dev/null)
		[ "$state" = idle ] && return 0
		sleep 0.2
	done
	echo "slurm.sh: node never became idle (state '$state')" >&2
	tail -n 20 "$W/slurmctld.log" "$W/slurmd.log" >&2
	return 1
}

# ---------------------------------------------------------------------------
# Jobs

# submit NAME MANIFEST [K]: the README's command; sets $jid.
submit() {
	local name=$1 manifest=$2 k=${3:-2}
	jid=$(CHAFF=$CHAFF CHAFF_PER_TASK=$k \
	      CHAFF_SBATCH_ARGS="--partition=test --cpus-per-task=1 --mem=100M --time=5 --job-name=$name" \
	      "$SBATCH_SCRIPT" "$manifest" "$OUT" 2>"$TMP/submit.err")
	jid=${jid%%;*}
	case $jid in ''|*[!0-9]*) cat "$TMP/submit.err" >&2; die "sbatch: no job id";; esac
	jobs="$jobs $jid"
	log "submitted $name as job $jid"
}

wait_job() {
	local i
	for i in $(seq 300); do
		[ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ] && return 0
		sleep 0.3
	done
	return 1
}

# "TASK STATE" for each task of array job $1.
task_states() {
	scontrol -o show job "$1" 2>/dev/null |
		sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\) .*/\1 \2/p' | sort -n
}

# The temporary file being written for archive basename $1 (non-empty), waited for.
wait_tmp() {
	local i f
	for i in $(seq 300); do
		for f in "$OUT"/."$1"-*.jsonl.tmp.*; do
			[ -s "$f" ] && { echo "$f"; return 0; }
		done
		sleep 0.1
	done
	return 1
}

# "warc_file offset" of every line (bulk writes these two keys first).
keys() {
	sed -E 's/^\{"warc_file":("([^"\\]|\\.)*"),"offset":([0-9]+).*/\1 \3/' "$@"
}

# ---------------------------------------------------------------------------

if ! have_slurm; then
	if [ "$(id -u)" != 0 ]; then
		echo "skip: Slurm is not installed and installing it needs root" >&2
		done_ok=1; summary; exit
	fi
	install_slurm || die "apt-get install $PKGS failed"
	have_slurm || die "Slurm commands missing after the install"
fi
[ "$(id -u)" = 0 ] || { echo "skip: starting Slurm daemons needs root" >&2; done_ok=1; summary; exit; }
log "starting munge, slurmctld, slurmd"
start_cluster || die "could not start the cluster"
ok
log "cluster up"

# Six readable real archives (plain, gzip per record, a truncated gzip
# member), one that chaff refuses (bzip2), and a larger one built from real
# archives so that a task can be killed midway.
mkdir -p "$D"
big=$D/big.warc.gz big2=$D/big2.warc.gz
for _ in 1 2 3; do cat "$R/archivesunleashed__aut/src/test/resources/warc/example.warc.gz"; done >"$big"
cat "$R/chatnoir-eu__chatnoir-resiliparse/tests/data/warcfile.warc.gz" >>"$big"
cp "$big" "$big2"
a1=$R/chatnoir-eu__chatnoir-resiliparse/tests/data/warcfile.warc.gz
a2=$R/webrecorder__pywb/sample_archive/warcs/iana.warc.gz
a3=$R/commoncrawl__whirlwind-python/whirlwind.warc
a4=$R/N0taN3rd__node-warc/test/files/books.toscrape.warc
a5=$R/webrecorder__warcio/test/data/example.warc.gz
a6=$R/chatnoir-eu__chatnoir-resiliparse/tests/data/clipped.warc.gz
unreadable=$R/slyrz__warc/testdata/test.warc.bz2
readable="$a1 $a2 $a3 $a4 $big $a5 $a6"
for f in $readable $unreadable; do [ -r "$f" ] || die "$f: missing"; done
# K=2: task 0 = a1 a2, task 1 = a3 + the unreadable one, task 2 = a4 + big
# (killed), task 3 = a5 a6.
printf '# archives for the Slurm test\n%s\n%s\n%s\n%s\n\n%s\n%s\n%s\n%s\n' \
	"$a1" "$a2" "$a3" "$unreadable" "$a4" "$big" "$a5" "$a6" >"$D/manifest"

# What each readable archive holds, read directly (records in = lines out).
for f in $readable; do
	"$CHAFF" bulk --scan-only -j1 "$f" 2>/dev/null | keys
done | sort >"$TMP/want"
[ -s "$TMP/want" ] || die "direct chaff bulk gave nothing"

# --- First run: one task fails on the bzip2 file, one is killed midway. ---
submit chaff-t1 "$D/manifest"
job1=$jid
tmp=$(wait_tmp big.warc.gz) || die "the big archive's temporary never appeared"
pid=${tmp##*.}  # .NAME.tmp.HOST.PID
grep -q bulk "/proc/$pid/cmdline" 2>/dev/null || die "$pid is not the task's chaff"
kill -KILL "$pid"
log "killed task 2's chaff ($pid) while it wrote $(wc -c <"$tmp") bytes"
wait_job "$job1" || die "job $job1 did not finish"
states=$(task_states "$job1" | tr '\n' ' ')
check_eq "first run: task states" "$states" "0 COMPLETED 1 FAILED 2 FAILED 3 COMPLETED "
check_eq "first run: per-task logs" "$(ls "$OUT/logs" | wc -l)" 4
n=$(ls "$OUT"/*.jsonl | wc -l)
check_eq "first run: outputs (all but the killed and the unreadable)" "$n" 6
check "no output for the killed archive" test -z "$(ls "$OUT"/big.warc.gz-*.jsonl 2>/dev/null)"
check "SIGKILL leaves its temporary" test -f "$tmp"
check "the unreadable archive has a failure marker" \
	grep -q '"warc_file":".*test.warc.bz2","error":"unsupported' "$OUT"/test.warc.bz2-*.jsonl.failed
check "the failed task's log names the archive" grep -q 'test.warc.bz2: unsupported' "$OUT"/logs/*_1.log
for f in "$OUT"/*.jsonl; do
	check_eq "$f: one archive per output" "$(keys "$f" | cut -d' ' -f1 | sort -u | wc -l)" 1
done
# Finished outputs, to show that the re-run leaves them alone.
stat -c '%n %i %s %Y' "$OUT"/*.jsonl >"$TMP/first"

# --- Re-submit the same command: the retry. ---
submit chaff-t2 "$D/manifest"
job2=$jid
wait_job "$job2" || die "job $job2 did not finish"
states=$(task_states "$job2" | tr '\n' ' ')
check_eq "re-run: task states" "$states" "0 COMPLETED 1 FAILED 2 COMPLETED 3 COMPLETED "
# shellcheck disable=SC2046  # output names have no spaces
stat -c '%n %i %s %Y' $(cut -d' ' -f1 "$TMP/first") >"$TMP/again"
check "re-run: finished outputs untouched" cmp -s "$TMP/first" "$TMP/again"
check_eq "re-run: finished archives skipped" \
	"$(cat "$OUT"/logs/chaff-t2-"$job2"_*.log | grep -c ': already done')" 6
check_eq "re-run: outputs" "$(ls "$OUT"/*.jsonl | wc -l)" 7
keys "$OUT"/*.jsonl | sort >"$TMP/got"
check_eq "records in outputs" "$(wc -l <"$TMP/got")" "$(wc -l <"$TMP/want")"
check "every record of every readable archive in exactly one output" cmp -s "$TMP/got" "$TMP/want"
for f in "$OUT"/*.jsonl; do keys "$f" | head -n 1 | cut -d' ' -f1; done | sort | uniq -d >"$TMP/twice"
check_eq "no archive in two outputs" "$(cat "$TMP/twice")" ""
check "the kill was midway: its temporary is shorter than the output" \
	test "$(wc -l <"$tmp")" -lt "$(cat "$OUT"/big.warc.gz-*.jsonl | wc -l)"
check_eq "only the killed task's temporary is left" "$(ls -A "$OUT" | grep -c '\.tmp\.')" 1

# --- The merged summary. ---
run_cmd "$CHAFF" merge --json "$OUT"
check_eq "merge exits 1 while an archive failed" "$rc" 1
check "merge: records" grep -q "\"records\":$(wc -l <"$TMP/want")," "$TMP/out"
check "merge: outputs, failure, leftover" grep -q '^{"outputs":7,"failed":1,"temporaries":1,' "$TMP/out"
check "merge: the failure" grep -q '"failures":\[{"warc_file":"[^"]*test.warc.bz2","error":"unsupported' "$TMP/out"
check "merge: iana.org among the top hosts" grep -q '"host":"www.iana.org","records":' "$TMP/out"
run_cmd "$CHAFF" merge "$OUT"
check "merge text: failed archive listed" grep -q '^  .*test.warc.bz2: unsupported' "$TMP/out"

# --- scancel: SIGTERM reaches chaff, which removes its temporary. ---
printf '%s\n' "$big2" >"$D/manifest2"
submit chaff-t3 "$D/manifest2" 1
wait_tmp big2.warc.gz >/dev/null || die "big2's temporary never appeared"
scancel "$jid"
wait_job "$jid" || die "job $jid did not finish"
check_eq "scancel: task state" "$(task_states "$jid" | tr '\n' ' ')" "0 CANCELLED "
check_eq "scancel: no output, no temporary" "$(ls -A "$OUT" | grep -c big2)" 0

# --- Stop everything and check that nothing is left running. ---
stop_jobs
pids="$(pid_of "$W/slurmd.pid") $(pid_of "$W/slurmctld.pid") $(pid_of "$M/munged.pid")"
stop_daemons
left=
for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
check_eq "no daemon left running" "$left" ""
unset SLURM_CONF
log "done"
done_ok=1
summary
