#!/usr/bin/env bash
# Builds the benchmarks module, runs every echo server against one load generator, runs the
# JMH microbenchmarks, and rewrites BENCHMARKS.md at the repository root.
#
#   benchmarks/run.sh            the full comparison: 5 rounds of 5-second windows (about 40 minutes on 2 cores)
#   benchmarks/run.sh --quick    a smoke run: one round of half-second windows, to check the harness
#
# The load generator is benchmarks/native/loadgen.c (C, epoll, one thread), compiled here with cc into
# benchmarks/target/native/loadgen; without a C compiler, or with BENCH_GENERATOR=java, it is the Java
# LoadGenerator (one Java thread, which saturates its core at 50 connections and more). The log and
# BENCHMARKS.md say which one ran.
#
# The run is in rounds: each round starts every server afresh, in the order of SERVERS, and runs every
# scenario against it once (ping-pong at each C, bulk, connection scale with the idle ping-pong), so
# slow drifts of the machine hit every server alike; the report shows the median over the rounds.
#
# Environment: BENCH_JAVA (the java binary every process runs on; default: the newest JDK 21+
# found through JAVA_HOME or /usr/lib/jvm, else java on PATH), BENCH_PORT (first port, default 19100),
# BENCH_PROFILE (1: JFR profiles of the asyncore and raw NIO servers and perf system-call counts of
# every server; default 1, 0 with --quick),
# BENCH_GENERATOR (native or java; default native where cc exists), BENCH_ROUNDS (default 5, 1 with --quick).
# A partial run, for comparing a few servers while working on them: BENCH_SERVERS (a comma-separated
# list of names from SERVERS, in their order of SERVERS; default all), BENCH_SCENARIOS (the generator's
# --scenarios, a comma-separated subset of pingpong,bulk,scale, plus tls, group and udp below; default all), BENCH_JMH (0 skips JMH;
# default 1). A partial run (any of the three set) writes its report to benchmarks/results/BENCHMARKS.md,
# never over the repository's BENCHMARKS.md, and its profiles and system-call counts (ping-pong only)
# cover only the servers chosen. Example, bulk only, three rounds:
#   BENCH_SERVERS=raw-nio,callback,coroutine BENCH_SCENARIOS=bulk BENCH_JMH=0 BENCH_PROFILE=0 BENCH_ROUNDS=3 benchmarks/run.sh
#
# TLS (issue 13): the scenario `tls` (in the default list; BENCH_SCENARIOS=tls runs it alone) drives the
# TLS_SERVERS below with benchmarks/native/tlsgen.c (C, OpenSSL, one thread; it needs the OpenSSL headers:
# apt-get install -y libssl-dev, else the TLS servers are skipped with a message). TLS 1.3 only, with
# TLS_AES_128_GCM_SHA256 over X25519, checked on every connection. Each server process first gets the same
# warm-up (TLS_WARM_HANDSHAKES seconds of handshakes, TLS_WARM_BULK MiB of bulk echo, then ping-pong), then
# ping-pong at C=50, bulk, handshakes and TLS_IDLE idle connections, in rounds as above. The certificate (ECDSA
# P-256, self-signed) is made with openssl into benchmarks/results/tls/; without the openssl command, the
# test certificate of asyncore-core is used. Example, two servers, one round:
#   BENCH_SERVERS=tls-raw-nio,tls-callback BENCH_SCENARIOS=tls BENCH_JMH=0 BENCH_ROUNDS=1 benchmarks/run.sh
#
# Loop groups (issue 16): the scenario `group` (in the default list; BENCH_SCENARIOS=group runs it alone) starts
# each of GROUP_SERVERS (those of them BENCH_SERVERS names) with `--loops 1` and with `--loops 2`, one after the
# other in each round, and measures with the native loadgen (`--loops=N`): ping-pong at C = GROUP_CONNECTIONS
# (server CPU per round trip, and the CPU of the server's N busiest threads, its loops, at each C), then the
# connect rate of SCALE new connections (scenario connect). Results go to benchmarks/results/group-results.txt.
# Each server is measured in the accept modes its GROUP_SERVERS lines give: `handoff` (one acceptor handing
# each connection to a loop, LoopGroup.listen) and `reuseport` (`--reuseport`: one SO_REUSEPORT listener per
# loop, listenOnEachLoop), the latter as NAME-reuseport and with 2 loops only (one loop is one listener either
# way, so its baseline is NAME's one loop). The generator also reports the connections each loop watches.
# Pinning: two loops pinned to CPU 0 would take turns on one core, so in this scenario the server may use
# CPUs 0-1 (GROUP_PIN_SERVER), with one loop as with two, and the generator stays on CPU 1, sharing it: on
# 2 cores the generator cannot have a core of its own here, so round trips/s cannot show the scaling, and
# server CPU per round trip (2 loops against 1) and the spread of that CPU over the loops are the figures.
# It needs the native generator (skipped, with a line in the report, under BENCH_GENERATOR=java). Example:
#   BENCH_SERVERS=callback,coroutine,netty-nio BENCH_SCENARIOS=group BENCH_JMH=0 BENCH_ROUNDS=3 benchmarks/run.sh
#
# Datagrams (issue 14): the scenario `udp` (in the default list; BENCH_SCENARIOS=udp runs it alone) drives the
# UDP_SERVERS below, datagram echo servers on 127.0.0.1:PORT/udp, with the native loadgen's scenario udp: C UDP
# sockets (C = UDP_CONNECTIONS), each with one 64-byte datagram in flight, in rounds as above, into
# benchmarks/results/udp-results.txt. A datagram unanswered for UDP_TIMEOUT_MS counts as lost and the next one is
# sent, so a loss never stalls a socket. It needs the native generator (skipped, with a line in the report, under
# BENCH_GENERATOR=java). Example, the floor and the callback server, one round:
#   BENCH_SERVERS=udp-raw-nio,udp-callback BENCH_SCENARIOS=udp BENCH_JMH=0 BENCH_ROUNDS=1 benchmarks/run.sh
# Every server listens on 127.0.0.1 only; every load loop is bounded in count and time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/benchmarks/results"
PKG=io.asyncore.benchmarks

# ---------------------------------------------------------------- the servers
# One line per server: name | main class (takes the port) | lowest JDK it needs [| JVM options, space-separated].
# Adding a server to the comparison is one class and one line here.
SERVERS=(
  "callback|$PKG.server.CallbackEchoServer|17"
  # The same server with the loop's detection off (issue 15): slow-handler timing and leak detection, whose
  # defaults `callback` runs with; the report compares the two.
  "callback-detect-off|$PKG.server.CallbackEchoServer|17|-Dio.asyncore.slowHandlerMillis=0 -Dio.asyncore.leakDetection=off"
  "callback-recv8192|$PKG.server.DocumentedEchoServer|17"
  "chat|$PKG.server.ChatLineEchoServer|17"
  "coroutine|$PKG.server.CoroutineEchoServer|17"
  "raw-nio|$PKG.server.RawNioEchoServer|17"
  "sample-callback|$PKG.server.SampleCallbackEchoServer|17"
  "sample-coroutine|$PKG.server.SampleCoroutineEchoServer|17"
  "netty-nio|$PKG.server.NettyEchoServer|17"
  "platform-threads|$PKG.server.PlatformThreadEchoServer|17"
  "virtual-threads|$PKG.server.VirtualThreadEchoServer|21"
)
# Servers of the issue that are not on main yet: name | what | where.
PENDING=()
# The servers of the scenario group (issue 16): name in SERVERS | its loop thread's name with --loops 1 | with
# --loops N above 1, as /proc/PID/task/TID/comm shows them (the kernel keeps 15 characters; `java` is the main
# thread, where the asyncore servers run their one loop; LoopGroup names its threads asyncore-group-<n>-loop-<i>,
# Netty 4.2 multiThreadIoEventLoopGroup-<n>-<i>). The generator counts only threads so named as loops. The last
# field is the accept mode: handoff (one acceptor, the default) or reuseport (the server's --reuseport).
GROUP_SERVERS=(
  "callback|java|asyncore-group-|handoff"
  "callback|java|asyncore-group-|reuseport"
  "coroutine|java|asyncore-group-|handoff"
  "coroutine|java|asyncore-group-|reuseport"
  "netty-nio|multiThreadIoEv|multiThreadIoEv|handoff"
)
GROUP_LOOPS=(1 2)
GROUP_CONNECTIONS=50,1000
# The TLS echo servers (scenario tls), the same way. The raw NIO + SSLEngine server is the floor the
# others are judged against; the boringssl ones use netty-tcnative (linux-x86_64 only).
TLS_SERVERS=(
  "tls-raw-nio|$PKG.server.RawNioTlsEchoServer|17"
  "tls-callback|$PKG.server.TlsCallbackEchoServer|17"
  "tls-netty|$PKG.server.NettyTlsEchoServer|17"
  "tls-callback-boringssl|$PKG.server.BoringSslCallbackEchoServer|17"
  "tls-netty-boringssl|$PKG.server.NettyBoringSslEchoServer|17"
)
# The datagram echo servers (scenario udp), the same way. The raw NIO DatagramChannel loop is the floor; the
# coroutine server is judged against the callback one.
UDP_SERVERS=(
  "udp-raw-nio|$PKG.server.RawNioUdpEchoServer|17"
  "udp-callback|$PKG.server.CallbackUdpEchoServer|17"
  "udp-coroutine|$PKG.server.CoroutineUdpEchoServer|17"
)

# ---------------------------------------------------------------- settings
SECS=5 WARMUP=1 ROUNDS=${BENCH_ROUNDS:-5} SCALE=10000 ACTIVE=50 CONNECTIONS=1,50,1000
JMH_ARGS=(-f 2 -wi 3 -w 1s -i 5 -r 1s)
PROFILE=${BENCH_PROFILE:-1}
# TLS: the JDK's engine needs about 35 s of handshakes and 1.5 GiB of bulk before its figures settle (issue 13).
TLS_WARM_HANDSHAKES=35 TLS_WARM_BULK=1536 TLS_IDLE=2000 TLS_CONNECTIONS=50 TLS_WINDOW=16
UDP_CONNECTIONS=1,50 UDP_TIMEOUT_MS=200
MODE=full
case "${1:-}" in
  --quick) MODE=quick SECS=0.5 WARMUP=0.2 ROUNDS=${BENCH_ROUNDS:-1} SCALE=2000 JMH_ARGS=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms) PROFILE=${BENCH_PROFILE:-0}
    TLS_WARM_HANDSHAKES=1 TLS_WARM_BULK=32 TLS_IDLE=100 ;;
  "") ;;
  *) echo "usage: benchmarks/run.sh [--quick]" >&2; exit 2 ;;
esac
if ! [[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]]; then
  echo "run.sh: BENCH_ROUNDS must be a whole number from 1 to 99, got '$ROUNDS'" >&2; exit 2
fi
GENERATOR=${BENCH_GENERATOR:-native}
if [[ "$GENERATOR" != native && "$GENERATOR" != java ]]; then
  echo "run.sh: BENCH_GENERATOR must be native or java, got '$GENERATOR'" >&2; exit 2
fi
PORT=${BENCH_PORT:-19100}
SCENARIOS=${BENCH_SCENARIOS:-pingpong,bulk,scale,tls,group,udp}
if ! [[ "$SCENARIOS" =~ ^(pingpong|bulk|scale|tls|group|udp)(,(pingpong|bulk|scale|tls|group|udp))*$ ]]; then
  echo "run.sh: BENCH_SCENARIOS must be a comma-separated list of pingpong, bulk, scale, tls, group and udp, got '$SCENARIOS'" >&2; exit 2
fi
# The plaintext scenarios go to loadgen; tls is tlsgen's; group and udp have their own rounds (loadgen with
# --loops, and with --scenarios=udp against the UDP servers).
PLAIN_SCENARIOS=$(tr ',' '\n' <<< "$SCENARIOS" | grep -vx -e tls -e group -e udp | paste -sd, -) || true
RUN_TLS=0 RUN_GROUP=0 RUN_UDP=0
if [[ ",$SCENARIOS," == *",tls,"* ]]; then RUN_TLS=1; fi
if [[ ",$SCENARIOS," == *",group,"* ]]; then RUN_GROUP=1; fi
if [[ ",$SCENARIOS," == *",udp,"* ]]; then RUN_UDP=1; fi
JMH=${BENCH_JMH:-1}
REPORT_MD="$ROOT/BENCHMARKS.md"
CHARTS_DIR="$ROOT/benchmarks/charts" # the SVG charts BENCHMARKS.md shows
if [[ -n "${BENCH_SERVERS:-}${BENCH_SCENARIOS:-}" || "$JMH" != 1 ]]; then
  REPORT_MD="$OUT/BENCHMARKS.md" # a partial run never overwrites the full report
  CHARTS_DIR="$OUT/charts"
fi
if [[ -n "${BENCH_SERVERS:-}" ]]; then
  picked=() tls_picked=() udp_picked=()
  for entry in "${SERVERS[@]}"; do
    if [[ ",$BENCH_SERVERS," == *",${entry%%|*},"* ]]; then picked+=("$entry"); fi
  done
  for entry in "${TLS_SERVERS[@]}"; do
    if [[ ",$BENCH_SERVERS," == *",${entry%%|*},"* ]]; then tls_picked+=("$entry"); fi
  done
  for entry in "${UDP_SERVERS[@]}"; do
    if [[ ",$BENCH_SERVERS," == *",${entry%%|*},"* ]]; then udp_picked+=("$entry"); fi
  done
  for want in ${BENCH_SERVERS//,/ }; do
    printf '%s\n' "${SERVERS[@]}" "${TLS_SERVERS[@]}" "${UDP_SERVERS[@]}" | grep -q "^$want|" \
      || { echo "run.sh: BENCH_SERVERS names '$want', which is not in SERVERS, TLS_SERVERS or UDP_SERVERS" >&2; exit 2; }
  done
  SERVERS=(${picked[@]+"${picked[@]}"})
  TLS_SERVERS=(${tls_picked[@]+"${tls_picked[@]}"})
  UDP_SERVERS=(${udp_picked[@]+"${udp_picked[@]}"})
fi
# group_entries: "name|class|needs|one-loop thread|group thread|mode" for the GROUP_SERVERS this run measures
# (BENCH_SERVERS applied), one a line.
group_entries() {
  local entry group
  [[ "$RUN_GROUP" == 1 ]] || return 0
  for entry in ${SERVERS[@]+"${SERVERS[@]}"}; do
    for group in "${GROUP_SERVERS[@]}"; do
      if [[ "${group%%|*}" == "${entry%%|*}" ]]; then echo "$entry|${group#*|}"; fi
    done
  done
}
mapfile -t GROUP_ENTRIES < <(group_entries)
if [[ -z "$PLAIN_SCENARIOS" ]]; then SERVERS=(); fi # BENCH_SCENARIOS=tls or group: no plaintext round runs
if [[ "$RUN_TLS" != 1 ]]; then TLS_SERVERS=(); fi
if [[ "$RUN_UDP" != 1 ]]; then UDP_SERVERS=(); fi
# chosen NAME: true if NAME is one of the servers this run measures.
chosen() { printf '%s\n' ${SERVERS[@]+"${SERVERS[@]}"} | grep -q "^$1|"; }
SERVER_JVM=(-XX:+UseSerialGC -Xms64m -Xmx1g)
GENERATOR_JVM=(-XX:+UseSerialGC -Xms256m -Xmx1g)

say() { printf '[run.sh %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# ---------------------------------------------------------------- JDK
feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
pick_java() {
  if [[ -n "${BENCH_JAVA:-}" ]]; then echo "$BENCH_JAVA"; return; fi
  local best="" best_v=0 j v
  for j in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java; do
    [[ -x "$j" ]] || continue
    v=$(feature "$j"); v=${v%%.*}
    if [[ -n "$v" && "$v" -gt "$best_v" ]]; then best="$j" best_v="$v"; fi
  done
  if [[ "$best_v" -ge 21 ]]; then echo "$best"; else command -v java; fi
}
JAVA=$(pick_java)
JAVA_V=$(feature "$JAVA"); JAVA_V=${JAVA_V%%.*}
say "running every process on $JAVA (Java $JAVA_V)"
if [[ "$JAVA_V" -lt 21 ]]; then
  say "no JDK 21+ found (looked at BENCH_JAVA, JAVA_HOME and /usr/lib/jvm): the virtual-threads server is skipped"
fi

# ---------------------------------------------------------------- limits and pinning
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
if [[ "$NOFILE" != unlimited && "$NOFILE" -lt $((SCALE + 2000)) ]]; then
  say "ulimit -n is $NOFILE, below the $((SCALE + 2000)) file descriptors the scale run needs; raise the hard limit and retry" >&2
  exit 1
fi
PIN_SERVER=() PIN_GENERATOR=() PINNING="none (taskset not found or fewer than 2 CPUs)"
GROUP_PIN_SERVER=() GROUP_PINNING="none (taskset not found or fewer than 2 CPUs): every process on any CPU"
if command -v taskset >/dev/null && [[ $(nproc) -ge 2 ]]; then
  PIN_SERVER=(taskset -c 0) PIN_GENERATOR=(taskset -c 1)
  PINNING="server (and JMH) on CPU 0, load generator on CPU 1, with taskset"
  GROUP_PIN_SERVER=(taskset -c 0-1)
  GROUP_PINNING="server on CPUs 0-1 with 1 loop as with 2 (two loops pinned to one CPU would take turns on it), load generator on CPU 1, with taskset: with 2 loops one of them shares CPU 1 with the generator"
fi

# ---------------------------------------------------------------- build
# No Kotlin compile daemon: it would linger beside the measurements.
say "building: mvn -B -q -pl benchmarks -am package -DskipTests -Dkotlin.compiler.daemon=false"
(cd "$ROOT" && mvn -B -q -pl benchmarks -am package -DskipTests -Dkotlin.compiler.daemon=false)
CP="$ROOT/benchmarks/target/classes:$(cat "$ROOT/benchmarks/target/classpath.txt")"

# ---------------------------------------------------------------- the load generator
LOADGEN="$ROOT/benchmarks/target/native/loadgen"
CFLAGS=(-O2 -Wall -Wextra -std=c11)
if [[ "$GENERATOR" == native ]] && ! command -v cc >/dev/null; then
  if [[ -n "${BENCH_GENERATOR:-}" ]]; then
    say "BENCH_GENERATOR=native, but there is no C compiler (cc) to build benchmarks/native/loadgen.c" >&2; exit 1
  fi
  GENERATOR=java GENERATOR_KIND="java (no C compiler, cc, was found)"
elif [[ "$GENERATOR" == java ]]; then
  GENERATOR_KIND="java (BENCH_GENERATOR=java)"
fi
if [[ "$GENERATOR" == native ]]; then
  say "building the native load generator: cc ${CFLAGS[*]} -o benchmarks/target/native/loadgen benchmarks/native/loadgen.c"
  mkdir -p "$(dirname "$LOADGEN")"
  if ! cc "${CFLAGS[@]}" -o "$LOADGEN" "$ROOT/benchmarks/native/loadgen.c"; then
    say "benchmarks/native/loadgen.c did not compile; fix it, or run with BENCH_GENERATOR=java" >&2; exit 1
  fi
  GENERATOR_KIND="native (built with $(cc --version | head -1): cc ${CFLAGS[*]})"
  GENERATOR_CMD=("$LOADGEN")
  say "load generator: native, benchmarks/target/native/loadgen (C, epoll, one thread)"
else
  GENERATOR_CMD=("$JAVA" "${GENERATOR_JVM[@]}" -cp "$CP" "$PKG.load.LoadGenerator")
  say "load generator: the Java LoadGenerator ${GENERATOR_KIND#java }: expect it to saturate its core at 50 connections and more"
fi

# cpu_busy SECONDS: the share of all CPUs busy (not idle or waiting on I/O) over that many seconds, from /proc/stat.
cpu_busy() {
  local before after
  before=$(grep '^cpu ' /proc/stat); sleep "$1"; after=$(grep '^cpu ' /proc/stat)
  awk -v a="$before" -v b="$after" 'BEGIN { split(a, x, " "); split(b, y, " "); total = 0
    for (i = 2; i <= 9; i++) total += y[i] - x[i]
    idle = (y[5] - x[5]) + (y[6] - x[6]); printf "%.2f", (total > 0 ? (total - idle) / total : 0) }'
}

rm -rf "$OUT"
mkdir -p "$OUT"
META="$OUT/meta.txt"
# The load average after the build is the build's own; what tells of other work is the CPU used
# while this script does nothing.
say "measuring how busy the machine is with nothing of ours running (10 s)"
BUSY=$(cpu_busy 10)
say "CPUs busy: $BUSY"
{
  echo "busy-before: $BUSY"
  echo "mode: $MODE"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "load-before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r)"
  echo "java: $("$JAVA" -version 2>&1 | sed -n 2p) ($JAVA)"
  echo "maven-java: $(cd "$ROOT" && mvn -v 2>/dev/null | sed -n 's/^Java version: //p')"
  echo "pinning: $PINNING"
  echo "server-jvm: ${SERVER_JVM[*]}"
  echo "generator-kind: $GENERATOR_KIND"
  if [[ "$GENERATOR" == java ]]; then echo "generator-jvm: ${GENERATOR_JVM[*]}"; fi
  echo "generator: --seconds=$SECS --warmup=$WARMUP --repeats=1 --connections=$CONNECTIONS --scale=$SCALE --active=$ACTIVE"
  echo "rounds: $ROUNDS"
  echo "scenarios: $SCENARIOS"
  echo "jmh: ${JMH_ARGS[*]}"
  if [[ ${#GROUP_ENTRIES[@]} -gt 0 ]]; then
    echo "group-pinning: $GROUP_PINNING"
    echo "group-generator: loadgen --scenarios=pingpong,connect --connections=$GROUP_CONNECTIONS --scale=$SCALE --loops=N (N = ${GROUP_LOOPS[*]}) --loop-threads=NAME"
    echo "group-modes: handoff (one acceptor) and reuseport (--reuseport: one SO_REUSEPORT listener per loop, N above 1 only)"
  fi
  if [[ ${#UDP_SERVERS[@]} -gt 0 ]]; then
    echo "udp-generator: loadgen --scenarios=udp --seconds=$SECS --warmup=$WARMUP --connections=$UDP_CONNECTIONS --udp-timeout=$UDP_TIMEOUT_MS"
  fi
  echo "nofile: $NOFILE"
  for p in "${PENDING[@]+"${PENDING[@]}"}"; do echo "pending: $p"; done
} > "$META"

# ---------------------------------------------------------------- one server at a time, in rounds
SERVER_PID=""
stop_server() {
  if [[ -n "$SERVER_PID" ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT

# start_server NAME CLASS PORT [JVM options...]: starts it pinned, waits (at most 30 s) for READY. The server's
# arguments after the port are SERVER_ARGS (empty but in the group scenario, which also sets PIN_SERVER there).
SERVER_ARGS=()
start_server() {
  local name=$1 class=$2 port=$3; shift 3
  ${PIN_SERVER[@]+"${PIN_SERVER[@]}"} "$JAVA" "${SERVER_JVM[@]}" "$@" -cp "$CP" "$class" "$port" ${SERVER_ARGS[@]+"${SERVER_ARGS[@]}"} \
    > "$OUT/$name.server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do
    grep -qs '^READY' "$OUT/$name.server.log" && return 0 # -s: the log may not exist yet
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  say "$name did not start; its output:"; cat "$OUT/$name.server.log"
  stop_server
  return 1
}

generate() { # NAME PORT [generator options...]: one repetition of each scenario, numbered 1 unless --rep follows
  local name=$1 port=$2; shift 2
  timeout 600 ${PIN_GENERATOR[@]+"${PIN_GENERATOR[@]}"} "${GENERATOR_CMD[@]}" \
    --server="$name" --port="$port" --pid="$SERVER_PID" --out="$OUT/results.txt" \
    --seconds="$SECS" --warmup="$WARMUP" --repeats=1 --scale="$SCALE" --active="$ACTIVE" --jcmd="$(dirname "$JAVA")/jcmd" "$@"
}

for entry in "${SERVERS[@]}"; do
  IFS='|' read -r name class needs jvm <<< "$entry"
  if [[ "$JAVA_V" -lt "$needs" ]]; then
    echo "skipped: $name|needs Java $needs, and the newest JDK found is $JAVA_V" >> "$META"
    say "skipping $name: it needs Java $needs"
  fi
done
# serve_and_drive NAME CLASS ROUND DRIVER [JVM options...]: starts NAME's server afresh on the next port (its
# log: NAME.roundROUND.server.log), runs the function DRIVER NAME ROUND against it, ends it, and notes a failure.
serve_and_drive() {
  local name=$1 class=$2 round=$3 driver=$4; shift 4
  local log="$name.round$round"
  say "$name on port $PORT (round $round of $ROUNDS)"
  if start_server "$log" "$class" "$PORT" "$@"; then
    if ! "$driver" "$name" "$round"; then
      echo "failed: $name|round $round: the load generator failed; see benchmarks/results/$log.server.log" >> "$META"
      say "the load generator failed against $name in round $round"
    fi
    stop_server
  else
    echo "failed: $name|round $round: did not start; see benchmarks/results/$log.server.log" >> "$META"
  fi
  PORT=$((PORT + 1))
}

# in_rounds KIND DRIVER ENTRY...: ROUNDS rounds ("KIND round 1 of 5" in the log), each starting every server of the
# ENTRY list ("name|class|needs", in its order) afresh and driving it with DRIVER (serve_and_drive).
in_rounds() {
  local kind=$1 driver=$2 round entry name class needs jvm
  shift 2
  for round in $(seq "$ROUNDS"); do
    say "${kind}round $round of $ROUNDS"
    for entry in "$@"; do
      IFS='|' read -r name class needs jvm <<< "$entry"
      [[ "$JAVA_V" -ge "$needs" ]] || continue
      # shellcheck disable=SC2086 # an entry's optional fourth field: JVM options, as words
      serve_and_drive "$name" "$class" "$round" "$driver" $jvm
    done
  done
}

plain_driver() { generate "$1" "$PORT" --scenarios="$PLAIN_SCENARIOS" --connections="$CONNECTIONS" --rep="$2"; }

# Nothing here under BENCH_SCENARIOS=tls, group or udp alone, or with only servers of those chosen.
if [[ ${#SERVERS[@]} -gt 0 ]]; then in_rounds "" plain_driver "${SERVERS[@]}"; fi

# ---------------------------------------------------------------- loop groups (issue 16)
# group_driver NAME ROUND: loadgen against the server just started with --loops GROUP_N (its loop threads named
# GROUP_THREADS...), into group-results.txt.
group_driver() {
  generate "${1%-loops*}" "$PORT" --scenarios=pingpong,connect --connections="$GROUP_CONNECTIONS" --loops="$GROUP_N" \
    --loop-threads="$GROUP_THREADS" --rep="$2" --out="$OUT/group-results.txt"
}

if [[ ${#GROUP_ENTRIES[@]} -gt 0 && "$GENERATOR" != native ]]; then
  say "skipping the loop-group scenario: it needs the native load generator (per-thread CPU, --loops)"
  echo "skipped: group|the loop-group scenario needs the native load generator, and this run has $GENERATOR_KIND" >> "$META"
elif [[ ${#GROUP_ENTRIES[@]} -gt 0 ]]; then
  SAVED_PIN_SERVER=(${PIN_SERVER[@]+"${PIN_SERVER[@]}"})
  PIN_SERVER=(${GROUP_PIN_SERVER[@]+"${GROUP_PIN_SERVER[@]}"})
  for round in $(seq "$ROUNDS"); do
    say "loop-group round $round of $ROUNDS ($GROUP_PINNING)"
    for entry in "${GROUP_ENTRIES[@]}"; do
      IFS='|' read -r name class needs one_thread group_thread mode <<< "$entry"
      [[ "$JAVA_V" -ge "$needs" ]] || continue
      label=$name
      if [[ "$mode" == reuseport ]]; then label=$name-reuseport; fi
      for GROUP_N in "${GROUP_LOOPS[@]}"; do
        # One loop is one listener in either mode: the handoff entry's one-loop run is the reuseport baseline.
        if [[ "$mode" == reuseport && "$GROUP_N" == 1 ]]; then continue; fi
        GROUP_THREADS=$group_thread
        if [[ "$GROUP_N" == 1 ]]; then GROUP_THREADS=$one_thread; fi
        SERVER_ARGS=(--loops "$GROUP_N")
        if [[ "$mode" == reuseport ]]; then SERVER_ARGS+=(--reuseport); fi
        serve_and_drive "$label-loops$GROUP_N" "$class" "$round" group_driver
      done
    done
  done
  SERVER_ARGS=()
  PIN_SERVER=(${SAVED_PIN_SERVER[@]+"${SAVED_PIN_SERVER[@]}"})
fi

# ---------------------------------------------------------------- datagrams (issue 14)
# udp_driver NAME ROUND: loadgen's UDP ping-pong against the datagram server just started, into udp-results.txt.
udp_driver() {
  generate "$1" "$PORT" --scenarios=udp --connections="$UDP_CONNECTIONS" --udp-timeout="$UDP_TIMEOUT_MS" --rep="$2" \
    --out="$OUT/udp-results.txt"
}

if [[ ${#UDP_SERVERS[@]} -gt 0 && "$GENERATOR" != native ]]; then
  say "skipping the datagram scenario: it needs the native load generator (the Java one has no UDP)"
  echo "skipped: udp|the datagram scenario needs the native load generator, and this run has $GENERATOR_KIND" >> "$META"
elif [[ ${#UDP_SERVERS[@]} -gt 0 ]]; then
  in_rounds "datagram " udp_driver "${UDP_SERVERS[@]}"
fi

# ---------------------------------------------------------------- TLS (issue 13)
# tls_ready: builds tlsgen and makes the certificate; false, with the reason in meta.txt and the log, if it cannot.
TLSGEN="$ROOT/benchmarks/target/native/tlsgen"
TLS_DIR="$OUT/tls"
TLS_CFLAGS=(-O2 -Wall -Wextra -std=c11)
tls_ready() {
  local why=""
  if ! command -v cc >/dev/null; then
    why="no C compiler (cc) to build benchmarks/native/tlsgen.c; install one (Debian/Ubuntu: apt-get install -y gcc libssl-dev)"
  elif ! printf '#include <openssl/ssl.h>\nint main(void) { return SSL_CTX_new(TLS_client_method()) == 0; }\n' \
      | cc -x c - -o /dev/null -lssl -lcrypto 2>/dev/null; then
    why="no OpenSSL headers and libraries for benchmarks/native/tlsgen.c; install them (Debian/Ubuntu: apt-get install -y libssl-dev) and run again"
  fi
  if [[ -z "$why" ]]; then
    say "building the TLS load generator: cc ${TLS_CFLAGS[*]} -o benchmarks/target/native/tlsgen benchmarks/native/tlsgen.c -lssl -lcrypto"
    mkdir -p "$(dirname "$TLSGEN")"
    cc "${TLS_CFLAGS[@]}" -o "$TLSGEN" "$ROOT/benchmarks/native/tlsgen.c" -lssl -lcrypto || why="benchmarks/native/tlsgen.c did not compile"
  fi
  if [[ -n "$why" ]]; then
    say "skipping the TLS servers: $why" >&2
    echo "skipped: tls|$why" >> "$META"
    return 1
  fi
  mkdir -p "$TLS_DIR"
  TLS_CA="$TLS_DIR/cert.pem" TLS_CERT="$TLS_DIR/cert.pem" TLS_KEY="$TLS_DIR/key.pem"
  local kind="ECDSA P-256, self-signed, made by run.sh with $(openssl version 2>/dev/null | cut -d' ' -f1-2)"
  if ! command -v openssl >/dev/null || ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout "$TLS_KEY" -out "$TLS_CERT" -days 2 -subj "/CN=localhost" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" > "$TLS_DIR/openssl.log" 2>&1; then
    local test_tls="$ROOT/asyncore-core/src/test/resources/tls"
    TLS_CA="$test_tls/ca.pem" TLS_CERT="$test_tls/server.pem" TLS_KEY="$test_tls/server-key.pem"
    kind="RSA 2048, asyncore-core's test certificate (the openssl command could not make one: see benchmarks/results/tls/openssl.log)"
    say "no openssl command to make the certificate: using asyncore-core's test certificate (RSA 2048)"
  fi
  {
    echo "tls-certificate: $kind"
    echo "tls-generator: tlsgen --seconds=$SECS --warmup=$WARMUP --connections=$TLS_CONNECTIONS --window=$TLS_WINDOW --idle=$TLS_IDLE --warm-handshakes=$TLS_WARM_HANDSHAKES --warm-bulk=$TLS_WARM_BULK"
    echo "tls-generator-kind: native (built with $(cc --version | head -1): cc ${TLS_CFLAGS[*]} -lssl -lcrypto; $(openssl version 2>/dev/null || echo "OpenSSL"))"
  } >> "$META"
}

# tls_driver NAME ROUND: tlsgen against the server just started: the warm-up, then every TLS scenario.
tls_driver() {
  timeout 900 ${PIN_GENERATOR[@]+"${PIN_GENERATOR[@]}"} "$TLSGEN" --server="$1" --port="$PORT" --pid="$SERVER_PID" \
    --out="$OUT/tls-results.txt" --cafile="$TLS_CA" --seconds="$SECS" --warmup="$WARMUP" --rep="$2" \
    --connections="$TLS_CONNECTIONS" --window="$TLS_WINDOW" --idle="$TLS_IDLE" \
    --warm-handshakes="$TLS_WARM_HANDSHAKES" --warm-bulk="$TLS_WARM_BULK" --jcmd="$(dirname "$JAVA")/jcmd"
}

# tls_round ROUND: every TLS server once, each in a fresh process, warmed up the same way, then measured.
tls_round() {
  local round=$1 entry name class needs jvm
  for entry in "${TLS_SERVERS[@]}"; do
    IFS='|' read -r name class needs <<< "$entry"
    [[ "$JAVA_V" -ge "$needs" ]] || continue
    if [[ "$name" == *boringssl && "$(uname -sm)" != "Linux x86_64" ]]; then
      [[ "$round" != 1 ]] || echo "skipped: $name|netty-tcnative-boringssl-static is a linux-x86_64 build here, and this is $(uname -sm)" >> "$META"
      continue
    fi
    jvm=(-Djdk.tls.namedGroups=x25519 "-Dbench.tls.cert=$TLS_CERT" "-Dbench.tls.key=$TLS_KEY")
    if [[ "$JAVA_V" -ge 22 ]]; then jvm+=(--enable-native-access=ALL-UNNAMED); fi # netty-tcnative loads a library
    serve_and_drive "$name" "$class" "$round" tls_driver "${jvm[@]}"
  done
}

if [[ ${#TLS_SERVERS[@]} -gt 0 ]] && tls_ready; then
  for round in $(seq "$ROUNDS"); do
    say "TLS round $round of $ROUNDS"
    tls_round "$round"
  done
fi

# ---------------------------------------------------------------- profiles
# A JFR CPU profile of the asyncore servers and raw NIO at C=50, for explaining misses.
if [[ "$PROFILE" == 1 ]]; then
  for entry in "callback|$PKG.server.CallbackEchoServer" "raw-nio|$PKG.server.RawNioEchoServer" \
      "coroutine|$PKG.server.CoroutineEchoServer" "chat|$PKG.server.ChatLineEchoServer"; do
    IFS='|' read -r name class <<< "$entry"
    chosen "$name" || continue
    say "profiling $name with JFR (ping-pong, C=50)"
    jfr_file="$OUT/$name.jfr"
    # JDK 25's CPU-time sampler also sees time spent in native code (socket calls, epoll);
    # before it, the execution sampler sees Java frames only.
    sampling="jdk.ExecutionSample#period=5ms" view=hot-methods
    if [[ "$JAVA_V" -ge 25 ]]; then sampling="jdk.CPUTimeSample#enabled=true,jdk.CPUTimeSample#throttle=5ms" view=cpu-time-hot-methods; fi
    if start_server "$name-profile" "$class" "$PORT" "-XX:StartFlightRecording=filename=$jfr_file,dumponexit=true,$sampling"; then
      generate "$name-profile" "$PORT" --scenarios=pingpong --connections=50 --out="$OUT/profile-results.txt" >/dev/null || true
      stop_server
      JFR_TOOL="$(dirname "$JAVA")/jfr"
      if [[ -f "$jfr_file" ]] && "$JFR_TOOL" view --width 140 "$view" "$jfr_file" > "$OUT/$name.hot-methods.txt" 2>/dev/null; then
        say "wrote $OUT/$name.hot-methods.txt ($view)"
      else
        say "no $view view for $name (jfr view needs JDK 21+)"
      fi
    fi
    PORT=$((PORT + 1))
  done
fi

# ---------------------------------------------------------------- system calls
# perf counts every system call of each server for SYSCALL_SECS inside the measuring window of a
# ping-pong run at C=50. Unlike times, the counts barely move between runs: they show what each
# server asks of the kernel per round trip. Needs perf with access to the syscall tracepoints.
SYSCALL_SECS=3
# The generators warm up for max(2 x WARMUP, 1) s, then run WARMUP s more before their SECS-second
# window; perf starts 0.5 s into the window and must end before it does.
SYSCALL_AT=$(awk -v w="$WARMUP" 'BEGIN { warm = 2 * w; if (warm < 1) warm = 1; print warm + w + 0.5 }')
if [[ "$PROFILE" != 1 ]]; then
  say "no system call counts (BENCH_PROFILE=0)"
elif awk -v s="$SECS" -v c="$SYSCALL_SECS" 'BEGIN { exit !(s < c + 1) }'; then
  say "no system call counts: the ${SECS}-second window is too short for a ${SYSCALL_SECS}-second count"
elif command -v perf >/dev/null && perf stat -x, -e syscalls:sys_enter_read -- true >/dev/null 2>&1; then
  echo "syscall-window: $SYSCALL_SECS" >> "$META"
  for entry in "${SERVERS[@]}"; do
    IFS='|' read -r name class needs jvm <<< "$entry"
    [[ "$JAVA_V" -ge "$needs" ]] || continue
    say "counting the system calls of $name with perf (ping-pong, C=50)"
    # shellcheck disable=SC2086 # the options are words
    if start_server "$name-syscalls" "$class" "$PORT" $jvm; then
      generate "$name" "$PORT" --scenarios=pingpong --connections=50 --out="$OUT/syscalls-results.txt" > /dev/null &
      gen=$!
      sleep "$SYSCALL_AT"
      perf stat -x, -e 'syscalls:sys_enter_*' -p "$SERVER_PID" -o "$OUT/$name.syscalls.csv" -- sleep "$SYSCALL_SECS" \
        2> "$OUT/$name.syscalls.err" || say "perf failed on $name: $(head -c 300 "$OUT/$name.syscalls.err" | tr '\n' ' ')"
      wait "$gen" || say "the load generator failed against $name"
      stop_server
    fi
    PORT=$((PORT + 1))
  done
else
  say "no system call counts: they need perf with access to the syscall tracepoints"
fi

# ---------------------------------------------------------------- JMH
if [[ "$JMH" == 1 ]]; then
  say "JMH: ${JMH_ARGS[*]}"
  ${PIN_SERVER[@]+"${PIN_SERVER[@]}"} "$JAVA" -cp "$CP" org.openjdk.jmh.Main "${JMH_ARGS[@]}" -rf csv -rff "$OUT/jmh.csv" \
    > "$OUT/jmh.log" 2>&1 || { say "JMH failed; see $OUT/jmh.log"; echo "failed: jmh|see benchmarks/results/jmh.log" >> "$META"; }
else
  say "no JMH (BENCH_JMH=$JMH)"
fi

# ---------------------------------------------------------------- report
echo "load-after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$META"
"$JAVA" -cp "$CP" "$PKG.report.Report" "$OUT" "$ROOT/benchmarks/notes.md" "$REPORT_MD" "$CHARTS_DIR"
say "wrote $REPORT_MD"
