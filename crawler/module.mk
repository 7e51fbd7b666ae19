CRAWLER_SRCS += crawler/page.c crawler/decode.c crawler/fetch.c
CRAWLER_SRCS += crawler/warc_read.c crawler/member_pool.c crawler/warc_http.c
CRAWLER_SRCS += crawler/warc_write.c crawler/robots.c crawler/frontier.c crawler/focus.c \
                crawler/crawl.c
TEST_UNITS += tests/unit_robots.c tests/unit_warc_write.c tests/unit_frontier.c
FUZZ_TARGETS += fuzz_robots
TEST_UNITS += tests/unit_warc.c
FUZZ_TARGETS += fuzz_warc
