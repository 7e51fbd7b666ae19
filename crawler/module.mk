CRAWLER_SRCS += crawler/page.c crawler/decode.c crawler/fetch.c
CRAWLER_SRCS += crawler/warc_read.c crawler/warc_http.c
