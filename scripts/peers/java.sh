#!/bin/bash
# Start the Java peer (java/JavaThreads.java): blocking java.net sockets, a thread per
# connection, pinned to CPULIST. JAVA_THREADS=platform (java-platform.sh) starts each
# connection's thread with Thread.ofPlatform(), JAVA_THREADS=virtual (java-virtual.sh) with
# Thread.ofVirtual(): the same code and the same JVM flags, one switch apart.
# usage: java.sh PORT [CPULIST]  -> prints the JVM's PID, then the settings line the server
#        writes once it listens;  java.sh --endpoints | --check
# The JDK: JAVA_HOME when set (authoritative: one older than 21 leaves the peer out), else
# java on PATH, else the newest of /usr/lib/jvm/*; it must be 21 or later (virtual threads).
# The sources are compiled once into java/classes (git-ignored, beside them, so it travels
# with this folder to a server host), again only when a source is newer.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
mode=${JAVA_THREADS:-platform}

# java_major JAVA prints the feature release of a java binary (17, 21, 25).
java_major() {
  "$1" -version 2>&1 | sed -n '1s/.*version "\([0-9][0-9]*\)\(\.[0-9]*\)*.*/\1/p' | sed 's/^1$/8/'
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
  if command -v javac >/dev/null && command -v java >/dev/null; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(java_major "$home/bin/java")
    if [ "${v:-0}" -ge 21 ]; then echo "$home"; return 0; fi
  fi
  for home in /usr/lib/jvm/*; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    v=$(java_major "$home/bin/java")
    if [ "${v:-0}" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best=$home bestv=$v; fi
  done
  [ -n "$best" ] || { echo "missing a JDK 21 or later (JAVA_HOME, java on PATH, /usr/lib/jvm)"; return 1; }
  echo "$best"
}

check() { find_jdk >/dev/null || { find_jdk; return 1; }; need taskset; }
ARG1=${1:-} peer_flags "/hello /io /cpu /file /bytes" check
port=${1:?usage: java.sh PORT [CPULIST]}; cpus=${2:-0}
case "$mode" in platform | virtual) ;; *) echo "java.sh: JAVA_THREADS must be platform or virtual, not '$mode'" >&2; exit 2 ;; esac
jdk=$(find_jdk) || { echo "java.sh: $jdk" >&2; exit 1; }

# Compile when a source is newer than the classes (into a fresh folder, then renamed, so a
# peer starting beside this one never sees half of them).
classes=$here/java/classes
stale=$([ -f "$classes/JavaThreads.class" ] && find "$here/java" -maxdepth 1 -name '*.java' -newer "$classes/JavaThreads.class" || echo yes)
if [ -n "$stale" ]; then
  tmp=$(mktemp -d "$here/java/classes.XXXXXX")
  "$jdk/bin/javac" -d "$tmp" "$here"/java/*.java || { rm -rf "$tmp"; exit 1; }
  rm -rf "$classes.old"; [ ! -d "$classes" ] || mv "$classes" "$classes.old"
  mv "$tmp" "$classes"; rm -rf "$classes.old"
fi

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
peer_settings "${js%\}},\"jvm_flags\":\"${flags[*]}\",\"java_home\":\"$jdk\"}" "$dir/java.log"
