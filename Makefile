# chaff - one Makefile. Objects under build/ (build/asan/ for `make check`).
# Each module lists its sources in its own module.mk.

CC       ?= cc
PREFIX   ?= /usr/local
BUILD    ?= build
OPT      ?= -O2 -g
WARN     := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wvla -Wformat=2 \
            -Wwrite-strings -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS += -D_GNU_SOURCE -Iinclude -I.
CFLAGS   += $(OPT) $(WARN) -pthread -MMD -MP
LDLIBS   += -lgumbo -llinear -lcurl -lz -lbrotlidec -lm -pthread
DEPS_PKGS := libcurl4-openssl-dev libgumbo-dev liblinear-dev zlib1g-dev libbrotli-dev

.DEFAULT_GOAL := all

UTIL_SRCS     :=
FEATURES_SRCS :=
MODEL_SRCS    :=
CRAWLER_SRCS  :=
CLI_SRCS      :=
TEST_UNITS    :=
FUZZ_TARGETS  :=
include util/module.mk features/module.mk model/module.mk crawler/module.mk cli/module.mk
include tests/module.mk

LIB_SRCS := $(UTIL_SRCS) $(FEATURES_SRCS) $(MODEL_SRCS) $(CRAWLER_SRCS)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/model/default_model.o
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)

.PHONY: all deps test check golden model bench install fuzz clean test-slurm
all: chaff

chaff: $(BUILD)/chaff
	cp $< $@

$(BUILD)/chaff: $(CLI_OBJS) $(BUILD)/libchaff.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) $(BUILD)/libchaff.a $(LDLIBS)

$(BUILD)/libchaff.a: $(LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The default model is embedded with the assembler's .incbin.
$(BUILD)/model/default_model.o: model/default_model.S model/default.model
	@mkdir -p $(dir $@)
	$(CC) -c -o $@ $<

# Install the Debian packages chaff builds against, when any is missing.
deps:
	@missing=""; for p in $(DEPS_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

test: $(BUILD)/chaff $(TEST_BINS)
	@tests/run $(BUILD)

# Every test under ASan+UBSan, in its own build tree.
check: $(BUILD)/chaff
	CHAFF_PLAIN=$(CURDIR)/$(BUILD)/chaff $(MAKE) BUILD=build/asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" test

# Batch mode on a real single-node Slurm (installs it when missing; root).
test-slurm: $(BUILD)/chaff
	@CHAFF=$(BUILD)/chaff CHAFF_TEST_SLURM=1 SHARED="$${SHARED:-$(CURDIR)/../shared}" \
	  bash tests/slurm.sh

golden: chaff
	tests/golden.sh --update

model: chaff
	./chaff train -o model/default.model.tmp corpus && mv model/default.model.tmp model/default.model
	$(MAKE) chaff

bench: chaff
	tests/bench/run.sh

install: chaff
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 chaff $(DESTDIR)$(PREFIX)/bin/chaff

clean:
	rm -rf build chaff

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
