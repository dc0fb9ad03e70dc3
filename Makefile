# Sparrow: thin wrapper over CMake. Every target installs what it needs itself
# (Debian packages through apt-get), so it works on a bare Debian 12 machine.

DEB_BUILD   := build-essential cmake pkg-config libsqlite3-dev sqlite3 libjansson-dev
DEB_TEST    := clang-format libcmocka-dev python3 python3-xgboost python3-sklearn python3-pandas xz-utils curl \
               chromium chromium-driver python3-selenium fonts-wqy-microhei
# Baselines the benchmarks compare against (never linked into libsparrow).
DEB_BENCH   := libxgboost-dev libh2o-evloop-dev libmicrohttpd-dev python3 python3-xgboost python3-pandas wrk curl
# The fuzzers: clang with libFuzzer's runtime.
DEB_FUZZ    := clang libclang-rt-14-dev libjansson-dev
FUZZ_SECONDS ?= 60
JOBS        ?= 2
DEMO_DB     ?= sparrow-demo.db

.PHONY: all deps deps-test deps-bench deps-fuzz build check bench fuzz demo format-check clean

all: build

# Install only what is missing, so repeated runs cost nothing.
deps:
	@./scripts/apt-ensure $(DEB_BUILD)

deps-test: deps
	@./scripts/apt-ensure $(DEB_TEST)

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSPARROW_TESTS=OFF >/dev/null
	cmake --build build -j$(JOBS)

# Every test, built with AddressSanitizer and UndefinedBehaviorSanitizer.
check: deps-test format-check
	cmake -S . -B build-check -DCMAKE_BUILD_TYPE=Debug -DSPARROW_SANITIZE=ON -DSPARROW_BENCH=OFF >/dev/null
	cmake --build build-check -j$(JOBS)
	cd build-check && ctest --output-on-failure -j$(JOBS)

deps-bench: deps
	@./scripts/apt-ensure $(DEB_BENCH)

bench: deps-bench build
	./bench/run.sh build

deps-fuzz: deps
	@./scripts/apt-ensure $(DEB_FUZZ)

# Coverage-guided fuzzing, FUZZ_SECONDS a target (not part of check): the
# JSON reader of request bodies against jansson (fuzz/fuzz_jr.c), and the
# HTTP/1.1 wire over loopback connections (fuzz/fuzz_wire.c).
FUZZ_CC := clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	  -D_GNU_SOURCE -Iinclude -Isrc -Itests
fuzz: deps-fuzz
	mkdir -p build-fuzz/corpus_jr build-fuzz/corpus_wire
	$(FUZZ_CC) fuzz/fuzz_jr.c src/json/jr.c src/json/jw.c \
	  $$(pkg-config --cflags --libs jansson) -lm -o build-fuzz/fuzz_jr
	$(FUZZ_CC) fuzz/fuzz_wire.c src/http/wire.c src/http/head.c src/http/chunked.c src/core/error.c \
	  -lpthread -o build-fuzz/fuzz_wire
	build-fuzz/fuzz_jr -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  build-fuzz/corpus_jr fuzz/seeds_jr
	build-fuzz/fuzz_wire -max_total_time=$(FUZZ_SECONDS) -max_len=12000 \
	  build-fuzz/corpus_wire fuzz/seeds_wire

demo: build
	./build/sparrow demo --db $(DEMO_DB)

format-check: deps-test
	clang-format --dry-run -Werror include/sparrow/*.h src/*/*.c src/*/*.h cmd/*.c cmd/*.h tests/*.c tests/*.h bench/*.c fuzz/*.c

clean:
	rm -rf build build-check build-fuzz
