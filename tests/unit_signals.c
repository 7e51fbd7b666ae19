/*
 * unit_signals.c - every signal on small hand-made pages that show it and
 * pages that must not trigger it (table-driven), plus the evidence helper,
 * the signal names and the hashed terms.
 *
 * A page is a title and a list of blocks. A block may start with "@codes "
 * to set its shape: h (heading), li (list item), tr (table row), hid
 * (hidden), a (all link text), and a region: nav, rel, tag, com, aside, ad,
 * foot. Example: "@tr,rel 30 pills | $0.89".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"
#include "tests/check.h"

#define MAX_BLOCKS 40

struct page {
	const char *title;
	const char *blocks[MAX_BLOCKS];
};

static void set_code(struct chaff_block *b, const char *code, size_t n)
{
	static const struct { const char *name; enum chaff_region r; } regions[] = {
		{"nav", CHAFF_REGION_NAV}, {"rel", CHAFF_REGION_RELATED},
		{"tag", CHAFF_REGION_TAGS}, {"com", CHAFF_REGION_COMMENTS},
		{"aside", CHAFF_REGION_ASIDE}, {"ad", CHAFF_REGION_AD},
		{"foot", CHAFF_REGION_FOOTER},
	};
	size_t i;

	if (n == 1 && code[0] == 'h') {
		b->flags |= CHAFF_BLOCK_HEADING;
		b->heading = 2;
	} else if (n == 2 && !memcmp(code, "li", 2)) {
		b->flags |= CHAFF_BLOCK_LIST_ITEM;
	} else if (n == 2 && !memcmp(code, "tr", 2)) {
		b->flags |= CHAFF_BLOCK_TABLE;
	} else if (n == 3 && !memcmp(code, "hid", 3)) {
		b->flags |= CHAFF_BLOCK_HIDDEN;
	} else if (n == 1 && code[0] == 'a') {
		b->link_bytes = (size_t)-1;  /* the whole block, set below */
		b->links = 1;
	}
	for (i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		if (strlen(regions[i].name) == n && !memcmp(regions[i].name, code, n))
			b->region = regions[i].r;
}

/* Build a document by hand, as chaff_doc_parse would fill it. */
static void make_doc(struct chaff_doc *doc, struct chaff_arena *a, const struct page *pg)
{
	size_t n = 0, i;

	memset(doc, 0, sizeof(*doc));
	while (n < MAX_BLOCKS && pg->blocks[n])
		n++;
	doc->title = pg->title ? pg->title : "";
	doc->blocks = chaff_arena_calloc(a, n + 1, sizeof(*doc->blocks));
	doc->nblocks = n;
	doc->charset = "UTF-8";
	for (i = 0; i < n; i++) {
		struct chaff_block *b = &doc->blocks[i];
		const char *s = pg->blocks[i];

		b->path = "body>p";
		if (s[0] == '@') {
			const char *end = strchr(s, ' '), *p = s + 1;

			while (p < end) {
				size_t k = strcspn(p, ", ");

				set_code(b, p, k);
				p += k + (p[k] == ',');
			}
			s = end + 1;
		}
		b->text = s;
		b->len = strlen(s);
		if (b->link_bytes)
			b->link_bytes = b->len;
		doc->text_bytes += b->len;
	}
	doc->input_bytes = doc->text_bytes * 3;
}

static void extract(const struct page *pg, struct chaff_features *f, struct chaff_arena *a)
{
	struct chaff_doc doc;

	make_doc(&doc, a, pg);
	chaff_features_extract(f, &doc, 0, a);
}

static double sig(const struct chaff_features *f, const char *name)
{
	int i = chaff_signal_index(name);

	if (i < 0) {
		fprintf(stderr, "no signal named %s\n", name);
		check_failed++;
		return NAN;
	}
	return f->signals[i];
}

static bool has_evidence(const struct chaff_features *f, const char *name, const char *needle)
{
	int i = chaff_signal_index(name);
	size_t k;

	if (i < 0)
		return false;
	for (k = 0; k < f->evidence[i].n; k++)
		if (strstr(f->evidence[i].items[k], needle))
			return true;
	return false;
}

/* An article body long enough to have a topic (my own words, on metformin). */
#define ARTICLE \
	"Metformin lowers blood glucose in type 2 diabetes by reducing glucose production " \
	"in the liver and improving insulin sensitivity in muscle tissue.", \
	"Most adults start metformin at 500 mg once or twice daily with meals, and the " \
	"dose is raised slowly to limit stomach upset, diarrhea and nausea.", \
	"Kidney function should be checked before starting metformin and at least yearly, " \
	"because reduced clearance raises the risk of lactic acidosis.", \
	"Long term metformin use can lower vitamin B12 levels, so clinicians often measure " \
	"B12 in patients with numbness or anemia."

enum expect { ZERO, POS };

struct signal_case {
	const char *what;
	const char *signal;
	enum expect expect;
	const char *evidence;   /* a substring of one evidence item, or NULL */
	struct page page;
};

static const struct signal_case cases[] = {
	/* ---- repeated_sections ------------------------------------------ */
	{ "near-duplicate paragraph", "repeated_sections", POS,
	  "Store the tablets",
	  { "Metformin", { ARTICLE,
	    "Store the tablets at room temperature away from moisture, heat and direct light, "
	    "and keep them out of reach of children and pets.",
	    "@h Overdose",
	    "Store the tablets at room temperature away from moisture and heat and direct light, "
	    "and keep them out of reach of children or pets.", NULL } } },
	{ "repeated heading", "repeated_sections", POS, "Side effects (x2)",
	  { "Metformin", { "@h Side effects", ARTICLE, "@h Side effects",
	    "Some people notice a metallic taste during the first weeks.", NULL } } },
	{ "stitched sections start at 5", "repeated_sections", POS, "5. Dosage",
	  { "Metformin", { "Metformin is a diabetes medicine taken by mouth every day.",
	    "@h 5. Dosage", "Take the tablets with the evening meal unless told otherwise.",
	    "@h 6. Warnings", "Stop taking it before surgery with contrast dye.", NULL } } },
	{ "numbering restarts", "repeated_sections", POS, "1. Uses of metformin",
	  { "Metformin", { "@h 1. Uses", "It treats type 2 diabetes in adults and children.",
	    "@h 2. Dosage", "Tablets come in several strengths for different needs.",
	    "@h 1. Uses of metformin", "Doctors also prescribe it for other conditions.", NULL } } },
	{ "unique article", "repeated_sections", ZERO, NULL,
	  { "Metformin", { "@h Metformin", ARTICLE, "@h Side effects", "@li Nausea",
	    "@li Diarrhea", "@h Interactions", "@li Nausea when taken with alcohol", NULL } } },
	{ "a numbered list of steps", "repeated_sections", ZERO, NULL,
	  { "How to take it", { "Follow these steps every morning.", "@li 1. Check blood sugar",
	    "@li 2. Eat breakfast", "@li 3. Take the tablet", "That is all.", NULL } } },

	/* ---- price_blocks ------------------------------------------------- */
	{ "price per pill, comma decimals", "price_blocks", POS, "$0,62 per pill",
	  { "Glucophage", { "Glucophage", "Price: $0,62 per pill", "Dosage: 500mg, 850mg",
	    ARTICLE, NULL } } },
	{ "euro price per capsule", "price_blocks", POS, "per capsule",
	  { "Omeprazole", { "Omeprazole 20mg", "\xE2\x82\xAC" "4,17 per capsule", NULL } } },
	{ "price after the amount: 0.51 USD / tablet", "price_blocks", POS, "USD",
	  { "Tramadol", { "Tramadol 50mg", "Only 0.51 USD / tablet", NULL } } },
	{ "package x price table", "price_blocks", POS, "60 pills",
	  { "Sildenafil", { "@tr Package | Per pill | Price",
	    "@tr 20mg x 60 pills | $1.10 | $66.00 | Add to cart",
	    "@tr 20mg x 90 pills | $0.95 | $85.50 | Add to cart", NULL } } },
	{ "pharmacy calls without prices", "price_blocks", POS, "No prescription needed",
	  { "Tramadol online", { "No prescription needed", "Bonus pills with every order",
	    "Discreet packaging, worldwide shipping", ARTICLE, NULL } } },
	{ "repeat of the price box counts", "unit_prices", POS, "(x2)",
	  { "Glucophage", { "Price: $0.62 per pill", ARTICLE, "Price: $0.62 per pill", NULL } } },
	{ "shoe shop", "price_blocks", ZERO, NULL,
	  { "Trail runner", { "Trail runner 3", "$49.99", "Add to cart", "Free shipping",
	    "In stock", "Buy now", "Sizes: 8, 9, 10, 11", NULL } } },
	{ "price comparison in prose", "price_blocks", ZERO, NULL,
	  { "Metformin cost", { "At most pharmacies a month of generic metformin costs about "
	    "$12, or roughly $0.40 per tablet, and insurance plans usually cover it with a small "
	    "copay.", ARTICLE, NULL } } },
	{ "insurance copay", "price_blocks", ZERO, NULL,
	  { "Plan", { "Copay: $10 per prescription", "Deductible: $500 per year",
	    "Tablets: 500 mg, 850 mg, 1000 mg", NULL } } },
	{ "strengths without prices", "price_blocks", ZERO, NULL,
	  { "Metformin", { "Available strengths: 500 mg, 850 mg, 1000 mg", ARTICLE, NULL } } },
	{ "a warning about online pharmacies", "price_blocks", ZERO, NULL,
	  { "Buying medicine online", { "Websites that promise no prescription needed and "
	    "free pills are often selling counterfeit medicines; the regulator keeps a list of "
	    "licensed online pharmacies you can check before you order anything.", NULL } } },

	{ "keyword-stuffed hidden block", "price_blocks", POS, "buy naratriptan",
	  { "School news", { "The choir sings on Friday at noon in the hall.",
	    "@hid buy naratriptan online cheap generic amerge 2.5mg no prescription order "
	    "naratriptan 1mg overnight pharmacy price per pill", NULL } } },
	{ "stuffed block counted", "stuffed_blocks", POS, NULL,
	  { "x", { "buy naratriptan online cheap generic amerge 2.5mg no prescription order "
	    "naratriptan 1mg overnight pharmacy", NULL } } },
	{ "a broker's buy and sell list is not stuffing", "stuffed_blocks", ZERO, NULL,
	  { "x", { "Buy. Sell. Trade. Deposit. Withdraw. Stop order. Limit order. Market "
	    "order. Buy online. Order online.", NULL } } },
	{ "price per tablet in German", "price_blocks", POS, "pro Tablette",
	  { "Naratriptan", { "Naratriptan 2,5 mg", "Preis: 0,79 \xE2\x82\xAC pro Tablette",
	    "Dosierung: 1 mg, 2,5 mg", NULL } } },
	{ "a gadget called a tablet", "price_blocks", ZERO, NULL,
	  { "Deals", { "@tr Fire HD 8 Tablet, 32 GB, for $59.99 (list price $99.99)",
	    "@tr Kids Tablet 8 with case, 2 pack, $89.99", NULL } } },
	{ "licensed pharmacy with prices", "price_blocks", ZERO, NULL,
	  { "Naratriptan", { "A valid prescription is required for this medicine.",
	    "@tr 2.5 mg | 9 tablets | $14.20", "@tr 2.5 mg | 18 tablets | $24.90",
	    "Price: $1.58 per tablet", NULL } } },
	{ "licensed pharmacy reports why", "rx_required", POS, "valid prescription",
	  { "Naratriptan", { "A valid prescription is required for this medicine.",
	    "@tr 2.5 mg | 9 tablets | $14.20", NULL } } },
	{ "no prescription required is not a licence", "rx_required", ZERO, NULL,
	  { "x", { "No prescription required", "Bonus pills with every order", NULL } } },
	{ "storefront that claims a licence still sells", "price_blocks", POS, NULL,
	  { "x", { "Licensed pharmacy", "No prescription needed", "Bonus pills with every order",
	    "Price: $0.99 per pill", NULL } } },

	{ "a pharmacy FAQ asks, it does not sell", "price_blocks", ZERO, NULL,
	  { "Naratriptan", { "Can you get naratriptan without a prescription?",
	    "Discreet packaging, tracked delivery", "A valid prescription is required.",
	    "Prescription only medicine", "@tr 2.5 mg | 6 tablets | \xC2\xA3" "9.95", NULL } } },
	{ "price table drawn with blocks", "package_price_rows", POS, NULL,
	  { "Naratriptan", { "Naratriptan 2.5 mg", "2.5 mg x 20 tabs", "$1.60", "$32.00",
	    "2.5 mg x 40 tabs", "$1.20", "$48.00", NULL } } },
	{ "one passing mention is no licence", "price_blocks", POS, NULL,
	  { "Naratriptan", { "Price: $0.89 per pill", "Dosage: 1mg, 2.5mg", "Buy now",
	    "Many clinicians and their patients use it with insurance.", NULL } } },

	/* ---- placeholder_studies ------------------------------------------ */
	{ "Doe et al.", "placeholder_studies", POS, "Doe et al. (2020)",
	  { "Metformin", { ARTICLE, "A trial by Doe et al. (2020) found that patients lost "
	    "weight on metformin.", NULL } } },
	{ "John Doe as a study author", "placeholder_studies", POS, "John Doe",
	  { "Metformin", { "Lead researcher John Doe said the study enrolled 300 patients.",
	    NULL } } },
	{ "table of unsourced findings", "placeholder_studies", POS, "Study 2",
	  { "Metformin", { "@tr Study | Participants | Findings",
	    "@tr Study 1 | 120 | Blood sugar improved in 80% of participants",
	    "@tr Study 2 | 90 | Weight fell in 60% of participants", NULL } } },
	{ "journal-only rows", "placeholder_studies", POS, "Journal of Diabetes Care",
	  { "Metformin", { "@tr Journal of Diabetes Care | Metformin significantly reduces A1C",
	    "@tr European Journal of Medicine | Metformin improves insulin response", NULL } } },
	{ "weak cues lift a strong one", "placeholder_authors", POS, "Smith et al.",
	  { "Metformin", { "Smith et al. (2017) reported fewer strokes.",
	    "Doe et al. (2019) reported the same.", NULL } } },
	{ "a real citation with a DOI", "placeholder_studies", ZERO, NULL,
	  { "Metformin", { ARTICLE, "Smith et al. (2018) followed 4000 patients for ten years "
	    "(doi:10.1000/demo.2018.1).", NULL } } },
	{ "news: a study in a journal", "placeholder_studies", ZERO, NULL,
	  { "Metformin", { ARTICLE, "A study published in the journal Diabetologia found that "
	    "metformin users had fewer heart attacks.", NULL } } },
	{ "Jane Doe in legal news", "placeholder_studies", ZERO, NULL,
	  { "Lawsuit", { "Jane Doe filed a lawsuit against the city on Monday.", NULL } } },
	{ "Study 1 as a heading", "placeholder_studies", ZERO, NULL,
	  { "Two experiments", { "@h Study 1", "Participants read short texts and rated them "
	    "on a seven point scale.", "@h Study 2", "We repeated the design with a new "
	    "sample recruited online.", NULL } } },
	{ "reference entries are not findings rows", "placeholder_studies", ZERO, NULL,
	  { "Metformin", { ARTICLE, "@h References",
	    "@li 1. Lee H, et al. Increased risk of lactic acidosis in renal failure. Diabetes Care.",
	    "@li 2. Kim J, et al. Reduced B12 levels with long-term use. BMJ.", NULL } } },
	{ "a year in prose is not an attribution", "placeholder_studies", ZERO, NULL,
	  { "Energy", { "@tr In 2015, renewable energy, mainly hydro and geothermal, supplied "
	    "40% of power.", "@tr In 2016, wind and solar grew and supplied 10% of power.", NULL } } },
	{ "one sourced findings row", "placeholder_studies", ZERO, NULL,
	  { "Metformin", { "@tr Lee et al. (2015) | 300 | 30% lower risk | doi:10.1/x",
	    "@tr Kim et al. (2016) | 200 | 20% lower risk | doi:10.1/y", NULL } } },

	/* ---- truncated_references ------------------------------------------ */
	{ "last entry breaks off", "truncated_references", POS, "Green P, et al. (",
	  { "Metformin", { ARTICLE, "@h References",
	    "@li 1. Brown A, White B (2012). Metformin and the liver. Diabetes 61(3):1-9.",
	    "@li 2. Green P, et al. (", "@h More reading", NULL } } },
	{ "numbering gap", "truncated_references", POS, "numbering gap",
	  { "Metformin", { "@h References",
	    "@li 1. Brown A (2012). Metformin and the liver. Diabetes 61:1-9.",
	    "@li 2. Grey C (2014). Metformin in pregnancy. Lancet 3:4-5.",
	    "@li 4. Black D (2016). Metformin and B12. BMJ 9:10-12.", NULL } } },
	{ "complete references", "truncated_references", ZERO, NULL,
	  { "Metformin", { ARTICLE, "@h References",
	    "@li 1. Brown A (2012). Metformin and the liver. Diabetes 61:1-9.",
	    "@li 2. Grey C (2014). Metformin in pregnancy. Lancet 3:4-5.", NULL } } },
	{ "sources inline", "truncated_references", ZERO, NULL,
	  { "Metformin", { ARTICLE, "Sources: CDC, NIH (", NULL } } },

	/* ---- offtopic_widgets ---------------------------------------------- */
	{ "see also line", "offtopic_widgets", POS, "See also",
	  { "Metformin", { ARTICLE, "See also Metformin and alcohol: what to know", NULL } } },
	{ "tags line", "offtopic_widgets", POS, "Tags: metformin",
	  { "Metformin", { ARTICLE, "Tags: metformin, diabetes", NULL } } },
	{ "comment form", "offtopic_widgets", POS, "Leave a Reply",
	  { "Metformin", { ARTICLE, "Leave a Reply", "Your email address will not be published.",
	    NULL } } },
	{ "related region", "offtopic_widgets", POS, "Best running shoes",
	  { "Metformin", { ARTICLE, "@rel,a Best running shoes of the year",
	    "@rel,a Ten pasta recipes", NULL } } },
	{ "app promotion", "offtopic_widgets", POS, "#1 Sleep App",
	  { "Metformin", { "The #1 Sleep App, Trusted by Millions", ARTICLE, NULL } } },
	{ "off-topic teaser in the text", "offtopic_blocks", POS, "Kitchen",
	  { "Metformin", { ARTICLE, "Clever Kitchen Storage Ideas For Small Apartments",
	    "More on metformin", NULL } } },
	{ "on-topic teaser", "offtopic_widgets", ZERO, NULL,
	  { "Metformin", { ARTICLE, "Metformin dosing when kidney function is reduced",
	    "Metformin and vitamin B12", NULL } } },
	{ "a sentence that starts with Category", "offtopic_widgets", ZERO, NULL,
	  { "Metformin", { ARTICLE, "Category 1 recommendations apply to every adult with "
	    "diabetes and normal kidney function who tolerates metformin well.", NULL } } },
	{ "off-topic heading over its own prose", "offtopic_widgets", ZERO, NULL,
	  { "Metformin", { ARTICLE, "@h Travel Insurance For Long Flights",
	    "Long flights raise the question of travel insurance, which covers lost luggage, "
	    "delays and emergency care abroad for a modest premium.", NULL } } },

	/* ---- general signals ---------------------------------------------- */
	{ "doi in text", "doi_pmid_refs", POS, NULL,
	  { "x", { "Read the trial (doi:10.1056/NEJMoa0000001).", NULL } } },
	{ "pmid in text", "doi_pmid_refs", POS, NULL,
	  { "x", { "See PMID 12345678 for details.", NULL } } },
	{ "no identifiers", "doi_pmid_refs", ZERO, NULL, { "x", { ARTICLE, NULL } } },
	{ "byline", "author_lines", POS, "By Jane Roberts",
	  { "x", { "By Jane Roberts", ARTICLE, NULL } } },
	{ "no byline", "author_lines", ZERO, NULL,
	  { "x", { "By the way, this is not a byline at all.", NULL } } },
	{ "reviewer line", "reviewer_lines", POS, "Medically reviewed",
	  { "x", { "Medically reviewed by Dr. Ann Lee, MD", ARTICLE, NULL } } },
	{ "no reviewer", "reviewer_lines", ZERO, NULL, { "x", { ARTICLE, NULL } } },
	{ "date line", "date_lines", POS, "Last updated",
	  { "x", { "Last updated: March 3, 2023", ARTICLE, NULL } } },
	{ "no date line", "date_lines", ZERO, NULL, { "x", { ARTICLE, NULL } } },
	{ "disclaimer without sources", "disclaimer_only", POS, NULL,
	  { "x", { ARTICLE, "This page is for informational purposes only.", NULL } } },
	{ "disclaimer with a DOI", "disclaimer_only", ZERO, NULL,
	  { "x", { ARTICLE, "This page is for informational purposes only.",
	    "Source: doi:10.2337/dc00-0001", NULL } } },
	{ "disclaimer with a named source", "disclaimer_only", ZERO, NULL,
	  { "x", { ARTICLE, "According to the American Diabetes Association, it is first line.",
	    "This page is for informational purposes only.", NULL } } },
	{ "named source", "named_sources", POS, "according to the American",
	  { "x", { "It is first line according to the American Diabetes Association.", NULL } } },
	{ "filler", "filler_rate", POS, NULL,
	  { "x", { "Let's delve into the tapestry of metformin, a beacon of hope. It is "
	    "important to note that it plays a crucial role.", NULL } } },
	{ "no filler", "filler_rate", ZERO, NULL, { "x", { ARTICLE, NULL } } },
	{ "question title", "title_question", POS, NULL,
	  { "Can you drink alcohol on metformin?", { ARTICLE, NULL } } },
	{ "plain title", "title_question", ZERO, NULL,
	  { "Metformin: uses, dosage and side effects", { ARTICLE, NULL } } },
	{ "clickbait title", "clickbait_title", POS, NULL,
	  { "10 Things You Need to Know About Metformin", { ARTICLE, NULL } } },
	{ "plain title is no bait", "clickbait_title", ZERO, NULL,
	  { "Metformin 500 mg tablets", { ARTICLE, NULL } } },
	{ "hidden text", "hidden_text_fraction", POS, NULL,
	  { "x", { ARTICLE, "@hid cheap pills cheap pills cheap pills", NULL } } },
	{ "no hidden text", "hidden_text_fraction", ZERO, NULL, { "x", { ARTICLE, NULL } } },
	{ "anchor text", "anchor_text_fraction", POS, NULL,
	  { "x", { ARTICLE, "@a Home", NULL } } },
	{ "no anchor text", "anchor_text_fraction", ZERO, NULL, { "x", { ARTICLE, NULL } } },
	{ "table rows", "table_rows", POS, NULL, { "x", { "@tr a | b", NULL } } },
	{ "list items", "list_item_fraction", POS, NULL, { "x", { "@li one", "two", NULL } } },
	{ "headings", "heading_fraction", POS, NULL, { "x", { "@h One", "two", NULL } } },
	{ "dosage mentions", "dosage_rate", POS, NULL, { "x", { ARTICLE, NULL } } },
	{ "no dosage mentions", "dosage_rate", ZERO, NULL,
	  { "x", { "The weather was fine all week.", NULL } } },
	{ "clinical words", "clinical_rate", POS, NULL, { "x", { ARTICLE, NULL } } },
	{ "second person", "second_person_rate", POS, NULL,
	  { "x", { "You should take your tablets.", NULL } } },
	{ "hedges", "hedge_rate", POS, NULL, { "x", { "It may possibly help.", NULL } } },
	{ "exclamations", "exclamation_rate", POS, NULL, { "x", { "Order today!", NULL } } },
	{ "no exclamations", "exclamation_rate", ZERO, NULL, { "x", { ARTICLE, NULL } } },
	/* ---- substance -------------------------------------------------- */
	{ "medical terms", "medical_term_rate", POS, NULL, { "x", { ARTICLE, NULL } } },
	{ "no medical terms", "medical_term_rate", ZERO, NULL,
	  { "x", { "The choir meets on Thursday evenings in the church hall.", NULL } } },
	{ "dose with its unit", "specificity_rate", POS, "5 milligrams",
	  { "x", { "The usual starting dose is 5 milligrams three times daily.", NULL } } },
	{ "one-token dose", "specificity_rate", POS, "20mg",
	  { "x", { "It comes as 20mg tablets.", NULL } } },
	{ "approval", "specificity_rate", POS, "approved to",
	  { "x", { "The injection is approved to treat severe spasticity.", NULL } } },
	{ "frequency", "specificity_rate", POS, "twice daily",
	  { "x", { "Take it twice daily with food.", NULL } } },
	{ "numbers that are not facts", "specificity_rate", ZERO, NULL,
	  { "x", { "Chapter 3 has 12 pages about gardens in 2019.", NULL } } },
	{ "authoritative source by name", "reputable_sources", POS, "MedlinePlus",
	  { "x", { "According to MedlinePlus, the drug is taken by mouth.", NULL } } },
	{ "acronym in capitals", "reputable_sources", POS, "FDA",
	  { "x", { "The FDA added a boxed warning in 2009.", NULL } } },
	{ "ordinary words are not acronyms", "reputable_sources", ZERO, NULL,
	  { "x", { "Who knows? It was a nice day for the fda-free picnic.", NULL } } },
	{ "speculation", "speculation_rate", POS, "Numerous people",
	  { "x", { "Numerous people have claimed it cured them, and the forums are buzzing.",
	           NULL } } },
	{ "plain statements", "speculation_rate", ZERO, NULL, { "x", { ARTICLE, NULL } } },
};

static void test_cases(void)
{
	struct chaff_arena a;
	size_t i;

	chaff_arena_init(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct signal_case *tc = &cases[i];
		struct chaff_features f;
		double v;
		bool ok;

		extract(&tc->page, &f, &a);
		v = sig(&f, tc->signal);
		ok = tc->expect == POS ? v > 0 : v == 0;
		if (ok && tc->evidence && !has_evidence(&f, tc->signal, tc->evidence)) {
			int k = chaff_signal_index(tc->signal);
			size_t e;

			/* sub-signals share the evidence of their named signal */
			ok = false;
			for (e = 0; e < CHAFF_SIG_NAMED_COUNT && !ok; e++)
				ok = has_evidence(&f, chaff_signal_name(e), tc->evidence);
			if (!ok) {
				fprintf(stderr, "%s: evidence lacks \"%s\":\n", tc->what, tc->evidence);
				for (e = 0; k >= 0 && e < f.evidence[k].n; e++)
					fprintf(stderr, "  %s\n", f.evidence[k].items[e]);
			}
		}
		if (!ok)
			fprintf(stderr, "case \"%s\": %s = %g (want %s)%s\n", tc->what, tc->signal, v,
			        tc->expect == POS ? "> 0" : "0",
			        (tc->expect == POS ? v > 0 : v == 0) ? ", evidence missing" : "");
		CHECK(ok);
		chaff_arena_reset(&a);
	}
	chaff_arena_release(&a);
}

static void test_values(void)
{
	static const struct page small = { "Ab?", { "the cat and the dog", "@hid xx", NULL } };
	struct chaff_arena a;
	struct chaff_features f;

	chaff_arena_init(&a);
	extract(&small, &f, &a);
	CHECK_INT(sig(&f, "word_count"), 5);
	CHECK_INT(sig(&f, "text_length"), 19);
	CHECK_INT(sig(&f, "title_length"), 3);
	CHECK(fabs(sig(&f, "stopword_fraction") - 0.6) < 1e-9);
	CHECK(fabs(sig(&f, "avg_word_length") - 15.0 / 5) < 1e-9);
	CHECK(fabs(sig(&f, "hidden_text_fraction") - 2.0 / 21) < 1e-9);
	CHECK_INT(sig(&f, "title_question"), 1);
	chaff_arena_release(&a);
}

static void test_compression(void)
{
	static const struct page same = { "x", { "pills pills pills pills pills pills pills "
	                                         "pills pills pills pills pills pills pills", NULL } };
	static const struct page varied = { "x", { "Quick brown foxes jump over lazy dogs; "
	                                           "zebras graze while kittens nap.", NULL } };
	struct chaff_arena a;
	struct chaff_features f;
	double r1, r2;

	chaff_arena_init(&a);
	extract(&same, &f, &a);
	r1 = sig(&f, "compression_ratio");
	extract(&varied, &f, &a);
	r2 = sig(&f, "compression_ratio");
	CHECK(r1 > 3);
	CHECK(r2 > 0 && r2 < r1);
	chaff_arena_release(&a);
}

/* Gopher statistics on a page that repeats itself word for word. */
static void test_repetition_stats(void)
{
	static const struct page rep = { "x", {
		"alpha beta gamma delta epsilon zeta eta theta",
		"alpha beta gamma delta epsilon zeta eta theta",
		"iota kappa lambda mu", NULL } };
	static const struct page uniq = { "x", { ARTICLE, NULL } };
	struct chaff_arena a;
	struct chaff_features f;

	chaff_arena_init(&a);
	extract(&rep, &f, &a);
	CHECK(fabs(sig(&f, "dup_line_frac") - 1.0 / 3) < 1e-9);
	CHECK(sig(&f, "dup_line_char_frac") > 0.4);
	CHECK(sig(&f, "dup_5gram_char_frac") > 0.8);
	CHECK(sig(&f, "dup_10gram_char_frac") == 0);  /* 8 words: no 10-gram repeats */
	CHECK(sig(&f, "top_2gram_char_frac") > 0);
	CHECK(sig(&f, "near_dup_block_char_frac") > 0.3);
	extract(&uniq, &f, &a);
	CHECK(sig(&f, "dup_line_frac") == 0);
	CHECK(sig(&f, "dup_5gram_char_frac") == 0);
	CHECK(sig(&f, "top_2gram_char_frac") < 0.1);
	chaff_arena_release(&a);
}

static void test_links(void)
{
	static const struct page pg = { "x", { ARTICLE, NULL } };
	struct chaff_link links[3] = {
		{ "https://www.cdc.gov/diabetes/", "CDC", 0, true, false },
		{ "https://pubmed.ncbi.nlm.nih.gov/123/", "trial", 0, true, false },
		{ "/about", "About", 0, false, false },
	};
	struct chaff_arena a;
	struct chaff_doc doc;
	struct chaff_features f;

	chaff_arena_init(&a);
	make_doc(&doc, &a, &pg);
	doc.links = links;
	doc.nlinks = 3;
	doc.host = "www.example.org";
	chaff_features_extract(&f, &doc, 0, &a);
	CHECK_INT(sig(&f, "authority_links"), 2);  /* cdc.gov and nih.gov */
	CHECK_INT(sig(&f, "doi_pmid_refs"), 1);    /* the pubmed link */
	CHECK(fabs(sig(&f, "external_link_fraction") - 2.0 / 3) < 1e-9);
	CHECK(sig(&f, "link_density") > 0);
	/* Host unknown (a file): the site is where most absolute links point. */
	{
		struct chaff_link own[5] = {
			{ "https://www.site.co.uk/a", "a", 0, true, false },
			{ "https://site.co.uk/b", "b", 0, true, false },
			{ "http://news.site.co.uk/c", "c", 0, true, false },
			{ "https://other.org/d", "d", 0, true, false },
			{ "/e", "e", 0, false, false },
		};

		doc.host = NULL;
		doc.links = own;
		doc.nlinks = 5;
		chaff_features_extract(&f, &doc, 0, &a);
		CHECK(fabs(sig(&f, "external_link_fraction") - 1.0 / 5) < 1e-9);
	}
	chaff_arena_release(&a);
}

static void test_evidence_add(void)
{
	struct chaff_arena a;
	struct chaff_evidence ev;
	char long_text[400];
	size_t i;

	chaff_arena_init(&a);
	memset(&ev, 0, sizeof(ev));
	chaff_evidence_add(&ev, &a, "  Price:\t $0,51 \n per pill  ", 27);
	CHECK_INT(ev.n, 1);
	CHECK_STR(ev.items[0], "Price: $0,51 per pill");
	chaff_evidence_add(&ev, &a, "Price: $0,51 per pill", 21);
	CHECK_INT(ev.n, 1);                     /* deduplicated */
	chaff_evidence_add(&ev, &a, "   ", 3);
	CHECK_INT(ev.n, 1);                     /* nothing left after trimming */
	for (i = 0; i < sizeof(long_text); i++)
		long_text[i] = i % 3 ? 'a' : ' ';
	memcpy(long_text + 150, "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 8);
	chaff_evidence_add(&ev, &a, long_text, sizeof(long_text));
	CHECK_INT(ev.n, 2);
	CHECK(strlen(ev.items[1]) <= CHAFF_EVIDENCE_CHARS + 3);
	CHECK(chaff_utf8_valid(ev.items[1], strlen(ev.items[1])));
	CHECK(strstr(ev.items[1], "\xE2\x80\xA6") != NULL);  /* marked as cut */
	/* A cut inside a two-byte character drops the whole character, every time. */
	{
		char accents[2 * CHAFF_EVIDENCE_CHARS + 2];
		struct chaff_evidence e2;
		size_t k, want;

		memset(&e2, 0, sizeof(e2));
		accents[0] = 'x';  /* the cut falls in the middle of a character */
		for (k = 1; k + 1 < sizeof(accents); k += 2)
			memcpy(accents + k, "\xC3\xA9", 2);
		chaff_evidence_add(&e2, &a, accents, sizeof(accents) - 1);
		CHECK_INT(e2.n, 1);
		want = 1 + 2 * ((CHAFF_EVIDENCE_CHARS - 1) / 2) + 3;
		CHECK_INT(strlen(e2.items[0]), want);
		CHECK(chaff_utf8_valid(e2.items[0], strlen(e2.items[0])));
	}
	for (i = 0; i < 20; i++) {
		char s[16];

		snprintf(s, sizeof(s), "item %zu", i);
		chaff_evidence_add(&ev, &a, s, strlen(s));
	}
	CHECK_INT(ev.n, CHAFF_MAX_EVIDENCE);
	chaff_evidence_add(NULL, &a, "x", 1);   /* tolerated */
	chaff_arena_release(&a);
}

static void test_names(void)
{
	size_t n = chaff_signal_count(), i, k;

	CHECK(n > CHAFF_SIG_NAMED_COUNT && n <= CHAFF_SIG_MAX);
	CHECK_STR(chaff_signal_name(CHAFF_SIG_REPEATED_SECTIONS), "repeated_sections");
	CHECK_STR(chaff_signal_name(CHAFF_SIG_PRICE_BLOCKS), "price_blocks");
	CHECK_STR(chaff_signal_name(CHAFF_SIG_PLACEHOLDER_STUDIES), "placeholder_studies");
	CHECK_STR(chaff_signal_name(CHAFF_SIG_TRUNCATED_REFERENCES), "truncated_references");
	CHECK_STR(chaff_signal_name(CHAFF_SIG_OFFTOPIC_WIDGETS), "offtopic_widgets");
	CHECK(chaff_signal_name(n) == NULL);
	CHECK_INT(chaff_signal_index("no_such_signal"), -1);
	CHECK_INT(chaff_signal_index(NULL), -1);
	for (i = 0; i < n; i++) {
		const char *name = chaff_signal_name(i);

		CHECK(name && name[0]);
		CHECK_INT(chaff_signal_index(name), (long long)i);
		for (k = 0; name && name[k]; k++)
			if (!((name[k] >= 'a' && name[k] <= 'z') || (name[k] >= '0' && name[k] <= '9') ||
			      name[k] == '_'))
				break;
		CHECK(name && !name[k]);
	}
}

static void test_terms(void)
{
	static const struct page pg = { "x", {
		"Buy cheap PILLS, buy cheap pills now.", "@nav Home About", "Caf\xC3\xA9 CAF\xC3\x89", NULL } };
	struct chaff_arena a;
	struct chaff_features f;
	double norm = 0;
	size_t i;
	bool bigram = false, accent = false, nav = false;
	uint32_t want;

	chaff_arena_init(&a);
	extract(&pg, &f, &a);
	CHECK_INT(f.hash_bits, CHAFF_HASH_BITS_DEFAULT);
	CHECK(f.nterms > 0);
	want = (uint32_t)chaff_hash64("buy cheap", 9, 0) & ((1u << CHAFF_HASH_BITS_DEFAULT) - 1);
	for (i = 0; i < f.nterms; i++) {
		norm += (double)f.terms[i].value * f.terms[i].value;
		CHECK(f.terms[i].index < (1u << CHAFF_HASH_BITS_DEFAULT));
		if (i)
			CHECK(f.terms[i].index > f.terms[i - 1].index);
		if (!strcmp(f.terms[i].words, "buy cheap"))
			bigram = f.terms[i].index == want;
		accent |= !strcmp(f.terms[i].words, "caf\xC3\xA9");
		nav |= !strcmp(f.terms[i].words, "home");
	}
	CHECK(fabs(norm - 1) < 1e-5);
	CHECK(bigram);
	CHECK(accent);       /* Café and CAFÉ are one lower-case word */
	CHECK(!nav);         /* navigation is not main content */
	chaff_features_extract(&f, &(struct chaff_doc){ .title = "" }, 4, &a);
	CHECK_INT(f.nterms, 0);
	CHECK_INT(f.hash_bits, 4);
	chaff_arena_release(&a);
}

/* Empty, odd and hostile documents: every value finite, nothing crashes. */
static void test_hostile(void)
{
	static char big[200000];
	static const char bad_utf8[] = "\xFF\xFE price \xC3 $ 0,5 per \xE2\x82 pill et al. ( ( (";
	struct chaff_arena a;
	struct chaff_features f;
	struct chaff_doc doc;
	struct page pg = { NULL, { NULL } };
	size_t i;

	chaff_arena_init(&a);
	memset(&doc, 0, sizeof(doc));
	doc.title = "";
	chaff_features_extract(&f, &doc, 0, &a);
	for (i = 0; i < chaff_signal_count(); i++)
		CHECK(f.signals[i] == 0 || i == (size_t)chaff_signal_index("disclaimer_only"));
	CHECK_INT(sig(&f, "word_count"), 0);
	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = (char)('a' + (i * 7919) % 26);   /* one enormous word */
	pg.title = big;
	pg.blocks[0] = big;
	pg.blocks[1] = bad_utf8;
	pg.blocks[2] = "@h References";
	pg.blocks[3] = "@li 9. (";
	extract(&pg, &f, &a);
	for (i = 0; i < chaff_signal_count(); i++)
		CHECK(isfinite(f.signals[i]));
	CHECK(sig(&f, "truncated_references") > 0);
	chaff_arena_release(&a);
}

/* The plain-text path end to end: the parser's blocks feed the signals. */
static void test_plain_text(void)
{
	static const char text[] =
		"Metformin Tablets\n\nPrice: $0.45 per pill\n\nDosage: 500mg, 850mg\n\n"
		"Metformin lowers blood sugar in type 2 diabetes and is usually the first medicine "
		"doctors try.\n\nLeave a Reply\n";
	struct chaff_limits lim;
	struct chaff_page page;
	struct chaff_arena a;
	struct chaff_doc doc;
	struct chaff_features f;
	char why[CHAFF_WHY_MAX] = "";

	chaff_limits_default(&lim);
	chaff_arena_init(&a);
	chaff_page_init(&page, &lim);
	page.kind = CHAFF_PAGE_TEXT;
	chaff_buf_append(&page.body, text, sizeof(text) - 1);
	CHECK_INT(chaff_doc_parse(&doc, &page, &lim, &a, why), CHAFF_OK);
	chaff_features_extract(&f, &doc, 0, &a);
	CHECK(sig(&f, "price_blocks") >= 2);
	CHECK(has_evidence(&f, "price_blocks", "$0.45 per pill"));
	CHECK(sig(&f, "offtopic_widgets") >= 1);
	CHECK(has_evidence(&f, "offtopic_widgets", "Leave a Reply"));
	chaff_page_release(&page);
	chaff_arena_release(&a);
}

int main(void)
{
	test_names();
	test_evidence_add();
	test_cases();
	test_values();
	test_compression();
	test_repetition_stats();
	test_links();
	test_terms();
	test_hostile();
	test_plain_text();
	return check_summary();
}
