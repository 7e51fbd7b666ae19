CLI_SRCS += cli/main.c cli/score.c cli/bulk.c
CLI_SRCS += cli/train.c cli/eval.c
CLI_SRCS += cli/features.c
CLI_SRCS += cli/bulk_batch.c cli/merge.c
CLI_SRCS += cli/crawl.c
CLI_SRCS += cli/report.c
