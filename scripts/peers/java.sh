#!/bin/bash
# Start the Java peer (JavaThreads.java, JavaConn.java, JavaPrime.java, JavaSettings.java):
# blocking java.net sockets, a thread per
# connection, pinned to CPULIST. JAVA_THREADS=platform (java-platform.sh) starts each
# connection's thread with Thread.ofPlatform(), JAVA_THREADS=virtual (java-virtual.sh) with
# Thread.ofVirtual(): the same code and the same JVM flags, one switch apart.
# usage: java.sh PORT [CPULIST]  -> prints the JVM's PID, then the settings line the server
#        writes once it listens;  java.sh --endpoints | --check
# The JDK: JAVA_HOME when set (authoritative: one older than 21 leaves the peer out), else
# java on PATH (with javac beside it), else the newest of /usr/lib/jvm/*; it must be 21 or
# later (virtual threads). The sources are compiled once (javac --release 21) into
# java-classes/ beside them (git-ignored; on a server host, where the coordinator copies
# this folder's files, it is compiled there), again when a source is newer or the JDK
# changed, under a lock so that two peers starting at once do not compile over each other.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mode=${JAVA_THREADS:-platform}

# java_major JAVA prints the feature release of a java binary (17, 21, 25).
# (a line "Picked up JAVA_TOOL_OPTIONS" may come first.)
java_major() {
  "$1" -version 2>&1 | sed -n '/version "/{s/.*version "\([0-9][0-9]*\).*/\1/p;q;}' | sed 's/^1$/8/'
}

# find_jdk prints the JDK's home, or why there is none (and fails).
find_jdk() {
  local home v best='' bestv=0
  if [ -n "${JAVA_HOME:-}" ]; then
    [ -x "$JAVA_HOME/bin/java" ] && [ -x "$JAVA_HOME/bin/javac" ] || { echo "JAVA_HOME=$JAVA_HOME has no java and javac"; return 1; }
    v=$(java_major "$JAVA_HOME/bin/java")
    [ "${v:-0}" -ge 21 ] || { echo "JAVA_HOME=$JAVA_HOME is Java ${v:-?}: virtual threads need 21 or later"; return 1; }
    echo "$JAVA_HOME"; return 0
  fi
  if command -v java >/dev/null; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    v=$(java_major "$home/bin/java")
    if [ "${v:-0}" -ge 21 ] && [ -x "$home/bin/javac" ]; then echo "$home"; return 0; fi
  fi
  for home in /usr/lib/jvm/*; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    v=$(java_major "$home/bin/java")
    if [ "${v:-0}" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best=$home bestv=$v; fi
  done
  [ -n "$best" ] || { echo "missing a JDK 21 or later (JAVA_HOME, java on PATH, /usr/lib/jvm)"; return 1; }
  echo "$best"
}

check() {
  [ -f "$here/JavaThreads.java" ] || { echo "missing $here/JavaThreads.java"; return 1; }
  find_jdk >/dev/null || { find_jdk; return 1; }
  need taskset flock
}
ARG1=${1:-} peer_flags "/hello /io /cpu /file /bytes" check
port=${1:?usage: java.sh PORT [CPULIST]}; cpus=${2:-0}
case "$mode" in platform | virtual) ;; *) echo "java.sh: JAVA_THREADS must be platform or virtual, not '$mode'" >&2; exit 2 ;; esac
jdk=$(find_jdk) || { echo "java.sh: $jdk" >&2; exit 1; }

# Compile when a source is newer than the classes or the JDK is another one (its home is
# stamped beside them), under a lock; into a fresh folder, then swapped in by rename.
classes=$here/java-classes
(
  flock 9
  stamp=$(cat "$classes/jdk" 2>/dev/null || true)
  if [ "$stamp" != "$jdk" ] || [ -n "$(find "$here" -maxdepth 1 -name 'Java*.java' -newer "$classes/jdk" 2>/dev/null)" ]; then
    tmp=$(mktemp -d "$here/java-classes.XXXXXX")
    "$jdk/bin/javac" --release 21 -d "$tmp" "$here"/Java*.java || { rm -rf "$tmp"; exit 1; }
    echo "$jdk" > "$tmp/jdk"
    rm -rf "$classes.old"; [ ! -d "$classes" ] || mv "$classes" "$classes.old"
    mv "$tmp" "$classes"; rm -rf "$classes.old"
  fi
) 9>"${TMPDIR:-/tmp}/java-peer-compile-$(echo "$here" | cksum | cut -d" " -f1).lock"

# ncpus LIST: the CPUs in a taskset list (0, 0-1, 0,2-3).
ncpus() {
  local n=0 part
  for part in ${1//,/ }; do
    case "$part" in *-*) n=$((n + ${part#*-} - ${part%-*} + 1)) ;; *) n=$((n + 1)) ;; esac
  done
  echo "$n"
}
n=$(ncpus "$cpus")
heap=${JAVA_HEAP:-256m} young=${JAVA_YOUNG:-32m}
# The JVM flags (scripts/peers/README.md says why each):
flags=(-XX:ActiveProcessorCount="$n" -Djdk.virtualThreadScheduler.parallelism="$n"
  -Xms"$heap" -Xmx"$heap" -Xmn"$young" -XX:+UseSerialGC -XX:-UsePerfData -Xss1m)
dir=$(peer_dir "java-$mode")
taskset -c "$cpus" "$jdk/bin/java" "${flags[@]}" -cp "$classes" JavaThreads "$port" "$mode" \
  </dev/null >"$dir/settings.json" 2>"$dir/java.log" &
peer_ready $! "$port" "$dir"
for _ in $(seq 100); do [ ! -s "$dir/settings.json" ] || break; sleep 0.05; done # written once it listens
js=$(head -1 "$dir/settings.json")
[ -n "$js" ] || js='{"settings":"not written"}'
peer_settings "${js%\}},\"jvm_flags\":\"${flags[*]}\",\"java_home\":\"$jdk\"}" "$dir/java.log"
