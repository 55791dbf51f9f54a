#!/usr/bin/env bash
# The long reliability run: more connections, more connect/close cycles and a long random fuzz run
# than `mvn -B verify` does. Prints the figures that RELIABILITY.md records.
#
#   reliability/soak.sh                      # defaults below
#   CONNECTIONS=9000 CYCLES=1000000 FUZZ_CASES=200000 reliability/soak.sh
#
# Nothing is installed into ~/.m2: the modules are built here and the tests run in the reactor
# (-am), so the run tests this tree and nothing another checkout installed.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-9000}     # concurrent echo connections (two descriptors each in one process)
CYCLES=${CYCLES:-1000000}            # connect/close cycles
FUZZ_CASES=${FUZZ_CASES:-200000}     # random framing scripts for the AsyncChat parser
FUZZ_SEED=${FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))}
CANCELLATIONS=${CANCELLATIONS:-100000} # cancellations of suspended coroutine reads and writes
BURST=${BURST:-4000}                 # connects at once on a cold echo-server JVM (keep it under somaxconn)
CONNECTS=${CONNECTS:-18000}          # connects to an echo-server JVM, 128 in flight, all held (one descriptor each per process)

# Both ends of every connection live in one JVM: raise the descriptor limit where we may.
want=$(( CONNECTIONS * 2 + 2000 ))
if [ "$want" -lt $(( CONNECTS + 1000 )) ]; then
  want=$(( CONNECTS + 1000 ))
fi
if [ "$(ulimit -n)" -lt "$want" ]; then
  ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
echo "soak: open-file limit $(ulimit -n); connections $CONNECTIONS; cycles $CYCLES; fuzz seed $FUZZ_SEED, cases $FUZZ_CASES; cancellations $CANCELLATIONS; burst $BURST; connects $CONNECTS"

mvn -B -q -pl reliability -am test-compile
# The reliability module's test classes, by name: -am runs surefire in the modules it needs too, and
# they must find none of theirs.
reliability_tests=$( (cd reliability/src/test/java && find . -name '*Test.java'; cd ../kotlin && find . -name '*Spec.kt') \
  | sed 's|^\./||; s|\.java$||; s|\.kt$||; s|/|.|g' | sort | paste -sd, -)
# Reports of earlier runs (or of test classes since renamed) would mix their figures into this run's.
rm -rf asyncore-core/target/surefire-reports reliability/target/surefire-reports asyncore-coroutines/target/surefire-reports
start=$(date +%s)
mvn -B -q -pl asyncore-core surefire:test -Dtest=TerminatorSplittingPropertyTest \
  -Dfuzz.seed="$FUZZ_SEED" -Dfuzz.cases="$FUZZ_CASES"
# The test phase, not surefire:test alone: only a lifecycle phase makes Maven take the other modules
# (and their test-fixtures jars) from this reactor rather than from ~/.m2.
mvn -B -q -pl reliability -am test -Dtest="$reliability_tests" -Dsurefire.failIfNoSpecifiedTests=false \
  -Dreliability.connections="$CONNECTIONS" -Dreliability.cycles="$CYCLES" \
  -Dreliability.burst="$BURST" -Dreliability.connects="$CONNECTS" -Dreliability.cancellations="$CANCELLATIONS"
end=$(date +%s)

echo "soak: finished in $(( end - start )) s"
grep -rhoE '(reliability|fuzz): [^]<]*' asyncore-core/target/surefire-reports reliability/target/surefire-reports \
  asyncore-coroutines/target/surefire-reports 2>/dev/null | sort -u || true
