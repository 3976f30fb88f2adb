# edgebench: the entry points. `make bench` runs the main job, `make test` runs every test.
#
#   make native   [PROFILE=cpu|cuda|jetson-orin|jetson-thor] [CPU_ISA=...] [CUDA_ARCH=...]
#   make bindings [NVML_INCLUDE=/usr/local/cuda/include]  regenerate bindings/ with a jextract on PATH
#   make build    the benchmarks jar (target/benchmarks.jar)
#   make test     unit and integration tests (builds the CPU engine first; installs chromium
#                 for the HTML report test and lints the CI workflows)
#   make lint-ci  actionlint + shellcheck over .github/workflows
#   make bench    [PRESET=quick] [MODEL=Llama-3.2-1B:Q4_0] [ARGS=...] the main job
#   make bundle   offline bundle for a machine without network or JDK (dist/)
#   make check-jetson  the Jetson profiles without a board: aarch64 builds run under emulation and
#                 compared with x86-64, struct layouts on aarch64, CUDA sm_87/sm_110 compile check
#                 (84 s once the two cross builds exist, ~15 min each on 2 cores; not in make test)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

JAVA_HOME := $(shell scripts/find-jdk.sh)
ifeq ($(JAVA_HOME),)
$(error no JDK 22 or newer found: install Temurin 25 (or any JDK 22+) or set JAVA_HOME)
endif
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)
# Maven's own libraries touch sun.misc.Unsafe; keep JDK 25's warnings about that out of the logs
export MAVEN_OPTS ?= --sun-misc-unsafe-memory-access=allow

PROFILE ?= cpu
PRESET ?= quick
NVML_INCLUDE ?= /usr/local/cuda/include
MVN ?= mvn
MVN_FLAGS ?= -q -B -e
JAR := target/benchmarks.jar
JAVA := $(JAVA_HOME)/bin/java
JAVA_OPTS ?= --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow

SOURCES := $(shell find src/main bench/src bindings/src -type f 2>/dev/null) pom.xml

.PHONY: help native bindings build test unit-test bench bundle clean check-jetson native-check-jetson check-bindings lint-ci

help:
	@sed -n '1,13p' Makefile | sed 's/^# \{0,1\}//'

native:
	@scripts/ensure-tools.sh
	@native/build.sh $(PROFILE)

$(JAR): $(SOURCES)
	@scripts/ensure-tools.sh maven
	@echo "build: packaging $(JAR) (JDK $(JAVA_HOME))"
	@$(MVN) $(MVN_FLAGS) -DskipTests package

build: $(JAR)

# Generates into a temporary folder and replaces bindings/ only when every library generated.
bindings:
	@scripts/generate-bindings.sh "$(NVML_INCLUDE)"

test: native lint-ci
	@scripts/ensure-tools.sh maven
	@scripts/ensure-tools.sh browser
	@# the struct-layout test's aarch64 case (seconds once installed); without the tools it is skipped, with the reason
	@scripts/ensure-tools.sh jetson-abi || echo "make test: no aarch64 cross compiler/emulator: AbiLayoutTest's aarch64 case will be skipped" >&2
	@# the history tests run on SQLite and on a throw-away PostgreSQL (loopback, temporary data folder),
	@# stopped by its process id when the tests end, pass or fail
	@pg=$$(scripts/pg-test-server.sh start); eval "$$pg"; \
	  trap 'scripts/pg-test-server.sh stop "$$EDGEBENCH_TEST_PG_DIR"' EXIT; \
	  rm -rf target/surefire-reports; rc=0; $(MVN) $(MVN_FLAGS) -Dedgebench.profile=$(PROFILE) verify || rc=$$?; \
	  scripts/test-summary.sh; exit $$rc

lint-ci:
	@scripts/ensure-tools.sh browser
	@scripts/lint-ci.sh

unit-test:
	@scripts/ensure-tools.sh maven
	@$(MVN) $(MVN_FLAGS) -Dtest.excludedGroups=native verify

bench: native $(JAR)
	@$(JAVA) $(JAVA_OPTS) -jar $(JAR) run --preset $(PRESET) $(if $(MODEL),--model $(MODEL)) $(ARGS)

bundle: $(JAR)
	@scripts/make-bundle.sh

check-jetson: $(JAR)
	@scripts/ensure-tools.sh
	@scripts/ensure-tools.sh maven
	@scripts/ensure-tools.sh jetson
	@scripts/check-jetson.sh

native-check-jetson: check-jetson

clean:
	rm -rf target native/build
