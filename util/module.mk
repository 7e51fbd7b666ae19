UTIL_SRCS += util/err.c util/alloc.c util/buf.c util/arena.c util/hash.c util/utf8.c \
             util/json.c util/str.c util/sha.c util/crc32.c
UTIL_SRCS += util/jsonparse.c
TEST_UNITS += tests/unit_jsonparse.c
FUZZ_TARGETS += fuzz_jsonparse
