MODEL_SRCS += model/model.c model/modelfile.c model/predict.c model/fit.c model/corpus.c \
              model/featcache.c model/dataset.c model/training.c model/metrics.c \
              model/corpus_warc.c
TEST_UNITS += tests/unit_model.c
FUZZ_TARGETS += fuzz_model fuzz_corpus

# The feature cache is keyed by a checksum of the sources that compute
# features as well as CHAFF_FEATURES_VERSION: editing them invalidates
# cached features even when nobody remembers to bump the version.
FEATURES_CODE = $(sort $(FEATURES_SRCS) $(UTIL_SRCS) $(wildcard features/*.h)) include/chaff.h
$(BUILD)/model/featcache.o: $(FEATURES_CODE)
$(BUILD)/model/featcache.o: CPPFLAGS += \
	-DCHAFF_FEATURES_CODE=\"$(firstword $(shell cat $(FEATURES_CODE) | cksum))\"
MODEL_SRCS += model/report.c model/report_html.c
TEST_UNITS += tests/unit_report.c
