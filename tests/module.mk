# Tests. Each module adds its unit tests (tests/unit_*.c, one program each)
# to TEST_UNITS and its fuzz targets (tests/fuzz/fuzz_NAME.c) to FUZZ_TARGETS
# in its own module.mk; this file builds them.

TEST_UNITS += tests/unit_util.c tests/unit_page.c tests/unit_doc.c tests/unit_elide.c
FUZZ_TARGETS += fuzz_page fuzz_elide
TEST_BINS := $(TEST_UNITS:%.c=$(BUILD)/%) $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/replay_%)

$(BUILD)/tests/%: tests/%.c tests/check.h tests/doc_same.h $(BUILD)/libchaff.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libchaff.a $(LDLIBS)

# Fuzz targets replay their corpus (tests/fuzz/corpus/NAME/) as ordinary tests.
$(BUILD)/tests/fuzz/replay_%: tests/fuzz/%.c tests/fuzz/replay.c $(BUILD)/libchaff.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ tests/fuzz/replay.c $< $(BUILD)/libchaff.a $(LDLIBS)

# libFuzzer builds (clang): make fuzz, then build/fuzz/NAME tests/fuzz/corpus/NAME
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer,address,undefined
fuzz: $(FUZZ_TARGETS:%=build/fuzz/%)
build/fuzz/%: tests/fuzz/%.c $(LIB_SRCS)
	@mkdir -p $(dir $@)
	clang $(CPPFLAGS) -std=c11 -pthread $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) \
	  $(BUILD)/model/default_model.o $(LDLIBS)
