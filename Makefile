# SPDX-License-Identifier: GPL-2.0
# The two commands a newcomer runs (README): `make run` and `make test`. Both install what is
# missing (Debian 12, apt-get), build with warnings as errors, then run.
BUILD ?= build
JOBS ?= $(shell nproc)
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNETDX_WERROR=ON

.PHONY: all deps configure build run test docs format clean

all: build

deps:
	$(SUDO) scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	$(SUDO) $(BUILD)/netdx demo

test: build
	cd $(BUILD) && $(SUDO) ctest --output-on-failure

docs: build
	cmake --build $(BUILD) --target docs

format:
	git ls-files '*.cpp' '*.h' '*.c' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
