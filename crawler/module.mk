CRAWLER_SRCS += crawler/page.c crawler/decode.c crawler/fetch.c
