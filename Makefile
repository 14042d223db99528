# nexcage: build, check, install, bench.
#   make            build build/nexcage
#   make check      install missing Debian packages, then every test suite,
#                   once more under AddressSanitizer/UBSan
#   make demo       the main job: an example bundle end to end (simulator)
#   make bench      benchmarks against runc, printed as ratios
#   make install    PREFIX=/usr/local DESTDIR=
#   make deb        build-deb/nexcage_<version>-1_<arch>.deb (src/tools/mkdeb.sh)

PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= gcc
PKG_CONFIG ?= pkg-config

LUA_PC    := lua5.4
LUA_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LUA_PC))
LUA_LIBDIR = $(shell $(PKG_CONFIG) --variable=libdir $(LUA_PC))
# Lua and lua-cjson are linked statically: the binary must not depend on
# which Lua the host has (a site's lua5.4 upgrade must not change nexcage).
LUA_LIBS   = $(LUA_LIBDIR)/liblua5.4-cjson.a $(LUA_LIBDIR)/liblua5.4.a
SD_CFLAGS  = $(shell $(PKG_CONFIG) --cflags libsystemd)
# libseccomp compiles linux.seccomp at create; static for the same reason
# as Lua (nexcage-init, which loads the result, needs none of it).
SECCOMP_CFLAGS = $(shell $(PKG_CONFIG) --cflags libseccomp)
SECCOMP_A      = $(shell $(PKG_CONFIG) --variable=libdir libseccomp)/libseccomp.a
# libseccomp 2.5 mishandles its own allocation failures (an export that
# succeeds with rules missing, or a crash; tests/e2e/test_adversarial_alloc.sh):
# the copy linked here allocates through src/util/xalloc.h, so exhaustion inside
# it ends the process like any other (docs/decisions.md).
SECCOMP_LIBS   = $(B)/libseccomp-x.a
# libsystemd is dlopen()ed at run time, only for --log journald (see log.c).

WARN      := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes -Wno-unused-parameter -Wno-format-truncation
BASE_CFLAGS := -std=gnu17 -g $(WARN) -fno-strict-aliasing
OPT_CFLAGS  := -O2 -D_FORTIFY_SOURCE=2 -fstack-protector-strong
SAN_CFLAGS  := -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDLIBS_ALL  = $(LUA_LIBS) $(SECCOMP_LIBS) -lm -ldl

# The CLI parses flags and prints; the core does the work. Unit tests and
# the fuzzer link the core alone, which keeps the core free of CLI calls.
# src/ by layer, top to bottom (docs/architecture.md; tests/layers.sh keeps
# the include directions). init/ is nexcage-init, a program of its own, and
# tools/ what the build runs.
LAYERS    := core bridge luahost plan pve site oci util
CLI_SRCS  := $(wildcard src/cli/*.c)
CORE_SRCS := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
LUA_FILES := $(shell find lua hooks -name '*.lua' 2>/dev/null | LC_ALL=C sort)
UNIT_SRCS := $(wildcard tests/unit/*.c)

# Two build flavours share the rules below: build/ (optimised) and
# build-asan/ (sanitizers), selected by the directory name.
B  ?= build
ifeq ($(B),build-asan)
FLAVOUR_CFLAGS := $(SAN_CFLAGS)
else ifeq ($(B),build-fuzz)
FLAVOUR_CFLAGS := -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -Wno-unknown-warning-option -Wno-format-nonliteral
else
FLAVOUR_CFLAGS := $(OPT_CFLAGS)
endif
CFLAGS_ALL = $(BASE_CFLAGS) $(FLAVOUR_CFLAGS) $(LUA_CFLAGS) $(SD_CFLAGS) $(SECCOMP_CFLAGS) -Isrc -I$(B) $(CFLAGS)

CORE_OBJS := $(patsubst src/%.c,$(B)/obj/%.o,$(CORE_SRCS)) $(B)/obj/embedded.o $(B)/obj/init_blob.o
CLI_OBJS  := $(patsubst src/%.c,$(B)/obj/%.o,$(CLI_SRCS))
UNIT_OBJS := $(patsubst tests/unit/%.c,$(B)/obj/unit/%.o,$(UNIT_SRCS))

.PHONY: all deps check check-all check-build unit boundary layers spec sim corpus e2e test-tools demo bench install deb clean fuzz format

all: $(B)/nexcage

$(B)/nexcage: $(CLI_OBJS) $(CORE_OBJS) $(SECCOMP_LIBS)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS_ALL) -o $@ $(filter-out $(SECCOMP_LIBS),$^) $(LDLIBS_ALL) $(LDFLAGS)

$(B)/libseccomp-x.a: $(SECCOMP_A)
	@mkdir -p $(B)
	@echo "  OBJCOPY $@"
	@objcopy --redefine-sym malloc=xmalloc --redefine-sym calloc=xcalloc \
		--redefine-sym realloc=xrealloc --redefine-sym strdup=xstrdup $< $@

$(B)/obj/%.o: src/%.c | $(B)/paths.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

# The install prefix is compiled in (the installed Lua directory): a
# generated header that changes only when PREFIX does, so `make install
# PREFIX=/usr` rebuilds what depends on it and nothing else.
$(B)/paths.h: FORCE
	@mkdir -p $(B)
	@printf '#define NX_INSTALLED_LUA "%s/share/nexcage/lua"\n' "$(PREFIX)" > $@.new
	@cmp -s $@.new $@ && rm -f $@.new || mv $@.new $@

.PHONY: FORCE
FORCE:

$(B)/obj/embedded.o: $(B)/embedded.c
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_ALL) -c -o $@ $<

# The embedded Lua is also precompiled (luac of the same Lua release): the
# lexer was the largest cost of a `translate`. The source stays embedded as
# the fallback should the bytecode not load.
LUAC      ?= luac5.4
LUA_BYTECODE = $(patsubst %.lua,$(B)/luac/%.luac,$(LUA_FILES))

$(B)/luac/%.luac: %.lua
	@mkdir -p $(dir $@)
	@$(LUAC) -o $@ $<

$(B)/embedded.c: $(B)/embed $(LUA_FILES) $(LUA_BYTECODE)
	@echo "  EMBED   $@"
	@$(B)/embed $@ $(foreach f,$(filter lua/%,$(LUA_FILES)),lua::$(f):$(B)/luac/$(f:.lua=.luac)) \
		$(foreach f,$(filter hooks/%,$(LUA_FILES)),hooks:hooks.:$(f):$(B)/luac/$(f:.lua=.luac))

# The container-side helper: static (it runs inside any root filesystem),
# never sanitized (ASan cannot be static), embedded into nexcage as bytes.
INIT_SRCS := $(wildcard src/init/*.c)
$(B)/nexcage-init: $(INIT_SRCS) $(wildcard src/init/*.h) src/util/scm_rights.h
	@mkdir -p $(B)
	@echo "  CC      $@ (static)"
	@$(CC) -std=gnu17 -Os -static -s $(WARN) -o $@ $(INIT_SRCS)

$(B)/obj/init_blob.o: $(B)/nexcage-init
	@mkdir -p $(dir $@)
	@printf '.section .rodata\n.global nx_init_blob\n.global nx_init_blob_end\n.balign 16\nnx_init_blob:\n.incbin "%s"\nnx_init_blob_end:\n.section .note.GNU-stack,"",@progbits\n' "$(abspath $<)" > $(B)/init_blob.S
	@$(CC) -c -o $@ $(B)/init_blob.S

$(B)/embed: src/tools/embed.c
	@mkdir -p $(B)
	@$(CC) -std=gnu17 -O1 -Wall -Wextra -Werror -o $@ $<

$(B)/obj/unit/%.o: tests/unit/%.c | $(B)/paths.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/unit-tests: $(UNIT_OBJS) $(CORE_OBJS) $(SECCOMP_LIBS)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS_ALL) -o $@ $(filter-out $(SECCOMP_LIBS),$^) $(LDLIBS_ALL) $(LDFLAGS)

-include $(wildcard $(B)/obj/*/*.d)

# --- dependencies -----------------------------------------------------------
deps:
	@sh tests/deps.sh

# --- tests ------------------------------------------------------------------
# check installs what is missing, then re-enters make so pkg-config sees it.
check: deps
	@$(MAKE) --no-print-directory check-all

check-all:
	@$(MAKE) --no-print-directory B=build build/nexcage build/unit-tests test-tools
	@$(MAKE) --no-print-directory B=build-asan build-asan/nexcage build-asan/unit-tests
	@sh tests/run-suites.sh

unit: $(B)/unit-tests
	$(B)/unit-tests

# Only the bridge and the Lua host may see Lua's headers (tests/boundary.sh).
boundary: $(B)/paths.h
	B=$(B) sh tests/boundary.sh

# Which layer of src/ may include which (tests/layers.sh).
layers:
	sh tests/layers.sh

spec:
	lua5.4 /usr/bin/busted spec

sim:
	tests/sim/run-tests

corpus: $(B)/nexcage
	NEXCAGE=$(CURDIR)/$(B)/nexcage lua5.4 tests/corpus/podman.lua

e2e: $(B)/nexcage test-tools
	NEXCAGE=$(CURDIR)/$(B)/nexcage sh tests/e2e/run.sh

# Small programs the e2e tests play engines with (a console-socket receiver,
# a subreaper that waits for the pid-file's pid).
TEST_TOOLS := build/tools/recvtty build/tools/subreaper build/tools/failalloc.so
test-tools: $(TEST_TOOLS)

# LD_PRELOAD shim: fails the Nth allocation (tests/e2e/test_adversarial_alloc.sh)
build/tools/failalloc.so: tests/tools/failalloc.c
	@mkdir -p build/tools
	@echo "  CC      $@"
	@$(CC) -std=gnu17 -O1 $(WARN) -fPIC -shared -o $@ $<

build/tools/%: tests/tools/%.c
	@mkdir -p build/tools
	@echo "  CC      $@"
	@$(CC) -std=gnu17 -O1 $(WARN) -o $@ $<

demo: deps
	@$(MAKE) --no-print-directory B=build build/nexcage
	@sh examples/demo.sh

bench: deps
	@$(MAKE) --no-print-directory B=build build/nexcage
	@sh tests/bench/run.sh

# --- install ----------------------------------------------------------------
install: $(B)/nexcage
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/nexcage/lua \
		$(DESTDIR)$(PREFIX)/share/nexcage/hooks $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(B)/nexcage $(DESTDIR)$(PREFIX)/bin/nexcage
	for d in lua hooks; do \
		[ -d $$d ] || continue; \
		(cd $$d && find . -name '*.lua' -exec install -D -m 0644 {} $(DESTDIR)$(PREFIX)/share/nexcage/$$d/{} \;); \
	done
	install -m 0644 docs/nexcage.1 $(DESTDIR)$(PREFIX)/share/man/man1/nexcage.1

# --- Debian package -----------------------------------------------------------
# Its own build directory: PREFIX=/usr is compiled in (paths.h), and build/
# stays the /usr/local one. The stage is made afresh each time, so nothing
# removed from the tree survives in the package.
# Linked with full RELRO as Debian's hardening flags ask (lintian:
# hardening-no-bindnow).
DEB_B := build-deb
deb:
	@rm -rf $(DEB_B)/stage
	@$(MAKE) --no-print-directory B=$(DEB_B) PREFIX=/usr DESTDIR=$(CURDIR)/$(DEB_B)/stage \
		LDFLAGS="$(LDFLAGS) -Wl,-z,relro -Wl,-z,now" install >/dev/null
	@sh src/tools/mkdeb.sh $(DEB_B)

format:
	clang-format -i src/*/*.c src/*/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tests/tools/*.c

clean:
	rm -rf build build-asan build-fuzz build-deb

# --- fuzz -------------------------------------------------------------------
# libFuzzer on config.json decoding + validation: make fuzz FUZZ_SECONDS=600
FUZZ_SECONDS ?= 60

fuzz:
	@FUZZ=1 sh tests/deps.sh
	@$(MAKE) --no-print-directory B=build-fuzz CC=clang WARN="-Wall -Wextra -Werror -Wno-unused-parameter" build-fuzz/fuzz_config
	@mkdir -p build-fuzz/corpus
	build-fuzz/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
		-timeout=10 -dict=tests/fuzz/config.dict build-fuzz/corpus tests/fuzz/corpus

build-fuzz/fuzz_config: tests/fuzz/fuzz_config.c $(CORE_OBJS) $(SECCOMP_LIBS)
	@echo "  LD      $@"
	@clang $(CFLAGS_ALL) -fsanitize=fuzzer -o $@ $(filter-out $(SECCOMP_LIBS),$^) $(LDLIBS_ALL)
