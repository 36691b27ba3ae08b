# Sourced by ./meshwork, ./run-tests and .ci/run: finds a JDK >= 25 and exports JAVA_HOME.
# Order: $JAVA_HOME if it is >= 25, then the newest /usr/lib/jvm/* that is >= 25.

meshwork_java_major() {
  # Prints the feature version of the java binary in $1/bin/java, or nothing.
  local release="$1/release"
  if [ -r "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n 1
  elif [ -x "$1/bin/java" ]; then
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -n 1
  fi
}

meshwork_find_jdk() {
  local want=25 candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(meshwork_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$want" ]; then
      export JAVA_HOME; return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(meshwork_java_major "$candidate")
    [ -n "$major" ] || continue
    if [ "$major" -ge "$want" ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  if [ -n "$best" ]; then
    export JAVA_HOME="$best"; return 0
  fi
  echo "meshwork: no JDK 25 or newer found (looked at JAVA_HOME=${JAVA_HOME:-unset} and /usr/lib/jvm/*). Install one, e.g. 'apt-get install temurin-25-jdk' from Adoptium or 'openjdk-25-jdk', or set JAVA_HOME to it." >&2
  return 1
}
