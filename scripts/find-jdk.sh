#!/usr/bin/env bash
# Prints a JDK home of version 22 or newer (the FFM API is final since 22), Temurin 25 preferred.
# Honours JAVA_HOME when it is new enough; otherwise searches the usual JVM folders.
set -u
version_of() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
ok() { [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && v=$(version_of "$1") && [ "${v%%.*}" -ge 22 ] 2>/dev/null; }
if [ -n "${JAVA_HOME:-}" ] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
for d in /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
  [ -d "$d" ] && ok "$d" && { echo "$d"; exit 0; }
done
echo "find-jdk: no JDK 22 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; searched /usr/lib/jvm, /opt). Install Temurin 25 or set JAVA_HOME." >&2
exit 1
