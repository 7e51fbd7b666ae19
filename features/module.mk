FEATURES_SRCS += features/charset.c features/prescan.c features/elide.c features/html.c features/text.c \
                 features/doc.c
FEATURES_SRCS += features/features.c features/lexicon.c features/terms.c \
                 features/sig_refs.c features/sig_repeat.c features/sig_price.c \
                 features/sig_studies.c features/sig_widgets.c features/sig_general.c features/sig_substance.c
TEST_UNITS += tests/unit_signals.c
