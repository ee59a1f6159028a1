# A thin layer over CMake + Ninja. `make demo` and `make test` work on a fresh Debian 12: they
# first install the missing Debian packages (scripts/setup.sh, a no-op when all are present).
#   make demo           build everything, run the main demo
#   make test           build (gcc) and run the whole test suite with ctest
#   make test-sanitize  clang builds with ASan+UBSan (whole suite) and TSan (threaded tests)
#   make test-clang     build with clang -Werror and run the suite
#   make bench          release build, run every benchmark, write bench/results/latest.jsonl
#   make install        install into PREFIX (default /usr/local)
#   make format | lint | clean

PREFIX ?= /usr/local
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)
CTEST  := ctest --output-on-failure -j$(JOBS)
CONFIGURE = cmake -S . -G Ninja -Wno-dev

.PHONY: all setup build demo test test-clang test-sanitize test-asan test-tsan bench install \
        format lint clean

all: build

setup:
	@sh scripts/setup.sh

build/build.ninja: | setup
	$(CONFIGURE) -B build -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: setup build/build.ninja
	cmake --build build -j$(JOBS)

demo: build
	@sh scripts/demo.sh build

test: build
	cd build && $(CTEST)

test-clang: setup
	$(CONFIGURE) -B build-clang -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build-clang -j$(JOBS)
	cd build-clang && $(CTEST)

test-asan: setup
	$(CONFIGURE) -B build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	    -DASW_SANITIZE=address,undefined -DASW_BUILD_BENCH=OFF
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASW_SANITIZED=1 $(CTEST) -LE nosanitize

test-tsan: setup
	$(CONFIGURE) -B build-tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
	    -DASW_SANITIZE=thread -DASW_BUILD_BENCH=OFF
	cmake --build build-tsan -j$(JOBS)
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ASW_SANITIZED=1 $(CTEST) -L threaded

test-sanitize: test-asan test-tsan

bench: setup
	@sh scripts/setup.sh --bench
	$(CONFIGURE) -B build-bench -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Release \
	    -DASW_CHECKS=OFF -DASW_BUILD_TESTS=OFF
	cmake --build build-bench -j$(JOBS)
	sh bench/run.sh build-bench

install: build
	cmake --install build --prefix $(PREFIX)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint: build
	@# build/ is a gcc build: clang does not know some of its flags (interp.c's --param).
	clang-tidy -p build --quiet --extra-arg=-Wno-unused-command-line-argument $$(git ls-files 'src/*.c') 2>/dev/null | grep -E 'warning|error' || true
	@# cppcheck cannot parse interp.c's table of label addresses (&&label, a GNU C extension).
	cppcheck --quiet --enable=warning,portability --std=c11 -Iinclude -Isrc \
		--suppress=syntaxError:src/wasm/interp.c $$(git ls-files 'src/*.c')

clean:
	rm -rf build build-clang build-asan build-tsan build-bench
