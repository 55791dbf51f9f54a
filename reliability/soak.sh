#!/usr/bin/env bash
# The long reliability run: more connections, more connect/close cycles and a long random fuzz run
# than `mvn -B verify` does. Prints the figures that RELIABILITY.md records.
#
#   reliability/soak.sh                      # defaults below
#   CONNECTIONS=9000 CYCLES=1000000 FUZZ_CASES=200000 reliability/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECTIONS=${CONNECTIONS:-9000}     # concurrent echo connections (two descriptors each in one process)
CYCLES=${CYCLES:-1000000}            # connect/close cycles
FUZZ_CASES=${FUZZ_CASES:-200000}     # random framing scripts for the AsyncChat parser
FUZZ_SEED=${FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))}
CANCELLATIONS=${CANCELLATIONS:-100000} # cancellations of suspended coroutine reads and writes

# Both ends of every connection live in one JVM: raise the descriptor limit where we may.
want=$(( CONNECTIONS * 2 + 2000 ))
if [ "$(ulimit -n)" -lt "$want" ]; then
  ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
echo "soak: open-file limit $(ulimit -n); connections $CONNECTIONS; cycles $CYCLES; fuzz seed $FUZZ_SEED, cases $FUZZ_CASES; cancellations $CANCELLATIONS"

mvn -B -q install -DskipTests
start=$(date +%s)
mvn -B -q -pl asyncore-core surefire:test -Dtest=TerminatorSplittingPropertyTest \
  -Dfuzz.seed="$FUZZ_SEED" -Dfuzz.cases="$FUZZ_CASES"
mvn -B -q -pl reliability surefire:test \
  -Dreliability.connections="$CONNECTIONS" -Dreliability.cycles="$CYCLES"
mvn -B -q -pl asyncore-coroutines surefire:test -Dtest='*ReliabilitySpec' \
  -Dreliability.connections="$CONNECTIONS" -Dreliability.cancellations="$CANCELLATIONS"
end=$(date +%s)

echo "soak: finished in $(( end - start )) s"
grep -rhoE '(reliability|fuzz): [^]<]*' asyncore-core/target/surefire-reports reliability/target/surefire-reports \
  asyncore-coroutines/target/surefire-reports 2>/dev/null | sort -u || true
