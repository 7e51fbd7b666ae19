/*
 * lexicon.c - the word lists and phrases the signals look for. Words and
 * phrases are tokenized with the same tokenizer as pages and indexed by
 * the hash of their first word, so that matching a page costs one table
 * probe per word instead of one string search per phrase.
 *
 * The table is built once, on first use, and only read afterwards: safe to
 * share between the threads of `chaff bulk -j N`.
 */
#include <pthread.h>
#include <string.h>

#include "features/signals.h"

struct word_list {
	uint32_t lex;
	const char *const *words;
};

static const char *const stop_words[] = {
	"a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any",
	"are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
	"both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during",
	"each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her",
	"here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into",
	"is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor",
	"not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
	"ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such",
	"than", "that", "the", "their", "theirs", "them", "themselves", "then", "there",
	"these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
	"very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom",
	"why", "will", "with", "would", "you", "your", "yours", "yourself", "yourselves",
	"also", "may", "might", "must", "shall", "it's", "don't", "i'm", "can't", "there's",
	"that's", "let's", "we're", "they're", "you're", "isn't", "doesn't", "won't", "s",
	"t", "us", "many", "much", "even", "however", "well", "like", "get", "one", "use",
	"used", "can", "make", "way", "ways", "new", "via", "per", "within", "without", NULL
};

static const char *const unit_words[] = {
	"pill", "pills", "tablet", "tablets", "tab", "tabs", "capsule", "capsules", "softgel",
	"softgels", "caplet", "caplets",
	/* es, pt, fr, it, de, pl */
	"comprimido", "comprimidos", "c\xC3\xA1psula", "c\xC3\xA1psulas", "pastilla",
	"pastillas", "comprim\xC3\xA9", "comprim\xC3\xA9s", "g\xC3\xA9lule", "g\xC3\xA9lules",
	"pilule", "pilules", "compressa", "compresse", "pillola", "pillole", "capsula",
	"tablette", "tabletten", "kapsel", "kapseln", "pille", "pillen", "tabletka", "tabletki",
	"tabletek", "tabletk\xC4\x99", "kapsu\xC5\x82ka", "kapsu\xC5\x82ki", NULL
};

static const char *const pack_words[] = {
	"pack", "packs", "package", "packages", "vial", "vials", "dose", "doses", "strip",
	"strips", "ampoule", "ampoules", "ampule", "ampules", "injection", "injections",
	"bottle", "bottles", "cap", "caps", NULL
};

static const char *const dose_words[] = {
	"mg", "mcg", "\xC2\xB5g", "ug", "ml", "iu", "milligram", "milligrams", "microgram",
	"micrograms", NULL
};

static const char *const currency_words[] = {
	"usd", "eur", "euro", "euros", "gbp", "cad", "aud", "chf", "inr", "jpy", "nzd", "sgd",
	"sek", "nok", "dkk", "pln", "rub", NULL
};

static const char *const clinical_words[] = {
	"contraindication", "contraindications", "contraindicated", "interaction",
	"interactions", "interact", "interacts", "overdose", "overdosage", "pregnancy",
	"pregnant", "breastfeeding", "lactation", "renal", "hepatic", "kidney", "liver",
	"dosage", "dosing", "dose", "doses", "adverse", "warning", "warnings", "precaution",
	"precautions", "allergic", "hypersensitivity", "prescribed", "indication",
	"indications", "indicated", "mechanism", "pharmacokinetics", "metabolism",
	"metabolized", "clinical", "efficacy", "placebo", "randomized", "randomised",
	"monitoring", "titrate", "titration", "withdrawal", "toxicity", "elderly", "impairment",
	"inhibitor", "inhibitors", "serotonin", "bleeding", "hypotension", "mg", NULL
};

static const char *const hedge_words[] = {
	"may", "might", "could", "possibly", "potentially", "perhaps", "likely", "unlikely",
	"suggest", "suggests", "suggested", "believed", "appears", "seem", "seems", "arguably",
	"somewhat", "probably", "potential", NULL
};

static const char *const boiler_words[] = {
	"copyright", "privacy", "cookie", "cookies", "terms", "rights", "reserved", "policy",
	"contact", "advertise", "advertising", "newsletter", "subscribe", "login", "signup",
	"sitemap", "careers", "affiliate", "unsubscribe", "javascript", "browser", NULL
};

static const char *const surname_words[] = {
	"smith", "jones", "johnson", "williams", "brown", "miller", "davis", "wilson",
	"taylor", "anderson", "thomas", "moore", "lee", NULL
};

static const char *const doe_words[] = { "doe", "roe", "bloggs", NULL };

static const char *const med_words[] = {
	"pharmacy", "pharmacies", "prescription", "prescriptions", "rx", "drug", "drugs",
	"medication", "medications", "medicine", "medicines", "generic", "generics",
	"pharmaceutical", "pharmaceuticals", "pharmacist", "otc", "pill", "pills", "tablet",
	"tablets", "capsule", "capsules", "dosage", "mg", "drugstore", "meds", NULL
};

static const char *const study_words[] = {
	"study", "studies", "trial", "trials", "research", "researchers", "participants",
	"patients", "subjects", "cohort", "journal", "published", "findings", "randomized",
	"randomised", "placebo", "efficacy", "survey", "experiment", "clinical", NULL
};

static const char *const you_words[] = {
	"you", "your", "yours", "yourself", "yourselves", "you're", "you'll", "you've",
	"you'd", NULL
};

static const char *const filler_words[] = {
	"delve", "delves", "delving", "tapestry", "realm", "embark", "embarking", "beacon",
	"testament", "whirlwind", "unravel", "unraveling", "unravelling", "navigate",
	"navigating", "holistic", "pivotal", "multifaceted", "meticulous", "meticulously",
	"seamless", "seamlessly", "elevate", "furthermore", "moreover", "additionally",
	"remarkable", "tremendous", "invaluable", "crucial", "intricate", "intricacies",
	"paramount", "bustling", "vibrant", "captivating", "transformative", "unparalleled",
	"unlock", "unleash", "harness", "foster", "boasts", "comprehensive", "journey",
	"odyssey", "empower", "empowering", "wonders", "versatile", "versatility", "nuanced",
	"landscape", "marvel", NULL
};

static const char *const month_words[] = {
	"january", "february", "march", "april", "june", "july", "august", "september",
	"october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
	"sep", "sept", "oct", "nov", "dec", NULL
};

static const char *const refhead_words[] = {
	"references", "reference", "sources", "bibliography", "citations", "cited",
	"literature", "footnotes", NULL
};

static const char *const promo_words[] = {
	"download", "install", "app", "apps", "store", "play", "subscribe", "newsletter",
	"inbox", "signup", NULL
};

static const char *const buy_words[] = {
	"buy", "cheap", "cheapest", "order", "online", "discount", "overnight", "purchase",
	"acquistare", "comprare", "comprar", "kaufen", "bestellen", "acheter", "commander",
	"kupi\xC4\x87", "zam\xC3\xB3wi\xC4\x87", "tanie", "economico", "barato", "billig",
	"g\xC3\xBCnstig", "kupi\xC4\x99", "kup", "tanio", "cena", "precio", "prezzo", "preis",
	"prix", "acquista", "compra", "comprare", "commandez", NULL
};

static const char *const rx_words[] = {
	"prescription", "pharmacy", "rx", "generic", "ricetta", "farmacia", "generico", "receta",
	"gen\xC3\xA9rico", "rezept", "rezeptfrei", "apotheke", "ordonnance", "pharmacie",
	"recepty", "recepta", "apteka", "pills", "tabs", NULL
};

/* Medical vocabulary beyond the clinical words: conditions, anatomy, routes. */
static const char *const medterm_words[] = {
	"spasticity", "sclerosis", "palsy", "spinal", "epilepsy", "seizure", "seizures",
	"diabetes", "hypertension", "cholesterol", "infection", "infections", "bacterial",
	"viral", "fungal", "asthma", "arthritis", "depression", "insomnia", "migraine",
	"angina", "arrhythmia", "fibrillation", "thrombosis", "embolism", "stroke",
	"cardiac", "cardiovascular", "pulmonary", "gastrointestinal", "intravenous",
	"intramuscular", "subcutaneous", "intrathecal", "oral", "orally", "injectable",
	"infusion", "formulation", "prescription", "approved", "approval", "neurotransmitter",
	"receptor", "receptors", "agonist", "antagonist", "anticonvulsant", "antispastic",
	"analgesic", "antibiotic", "antidepressant", "antihypertensive", "anticoagulant",
	"diuretic", "sedative", "opioid", "opioids", "benzodiazepine", "nervous", "nerve",
	"nerves", "muscle", "muscles", "muscular", "skeletal", "chronic", "acute", "syndrome",
	"disorder", "disease", "therapy", "symptoms", "spasms", "spasm", "tablet", "tablets",
	"capsule", "capsules", "milligrams", "physician", "clinician", "pharmacist", "half-life",
	"bladder", "blood", "heart", "lungs", "brain", "kidneys", "pancreas", "thyroid",
	"hormone", "insulin", "glucose", "platelet", "inflammation", "immune", "tumor", "cancer",
	NULL
};

static const struct word_list word_lists[] = {
	{ LEX_MEDTERM, medterm_words },
	{ LEX_STOP, stop_words },
	{ LEX_UNIT, unit_words },
	{ LEX_PACK, pack_words },
	{ LEX_DOSE, dose_words },
	{ LEX_CURRENCY, currency_words },
	{ LEX_CLINICAL, clinical_words },
	{ LEX_HEDGE, hedge_words },
	{ LEX_BOILER, boiler_words },
	{ LEX_SURNAME, surname_words },
	{ LEX_DOE, doe_words },
	{ LEX_MED, med_words },
	{ LEX_STUDY, study_words },
	{ LEX_YOU, you_words },
	{ LEX_FILLER, filler_words },
	{ LEX_MONTH, month_words },
	{ LEX_REFHEAD, refhead_words },
	{ LEX_PROMO, promo_words },
	{ LEX_BUY, buy_words },
	{ LEX_RX, rx_words },
};

struct phrase_list {
	enum phrase_class cls;
	const char *const *phrases;
};

static const char *const filler_phrases[] = {
	"it is important to note", "it's important to note", "it is worth noting",
	"it's worth noting", "in conclusion", "in summary", "to sum up", "comprehensive guide",
	"crucial role", "vital role", "pivotal role", "key role", "in today's fast paced world",
	"in today's world", "in the realm of", "when it comes to", "in the world of",
	"look no further", "let's dive", "dive into", "at the end of the day", "the wonders of",
	"it is essential to", "it's essential to", "it is crucial to", "it's crucial to",
	"it is advisable to", "a wide range of", "game changer", "the power of",
	"whether you're", "say goodbye to", "rest assured", "the bottom line",
	"first and foremost", "a plethora of", "myriad of", "a testament to", "has emerged as",
	"let's explore", "let's take a closer look", "a closer look", "go to treatment",
	"go to option", "shedding light", "shed light", "here's the kicker", NULL
};

static const char *const call_phrases[] = {
	"no prescription required", "no prescription needed", "no prescription necessary",
	"no rx", "no doctor's prescription", "no prior prescription", "bonus pills",
	"bonus pill", "free pills", "free bonus pills", "buy cheap", "order cheap",
	"cheap generic", "canadian pharmacy",
	"sin receta", "sin prescripci\xC3\xB3n", "senza ricetta", "senza prescrizione",
	"ohne rezept", "rezeptfrei", "sans ordonnance", "bez recepty", NULL
};

static const char *const softcall_phrases[] = {
	"discreet packaging", "discreet shipping", "discreet delivery", "worldwide shipping",
	"worldwide delivery", "free airmail", "online pharmacy", "online drugstore",
	"lowest price", "lowest prices", "best price", "best prices", "money back guarantee",
	"overnight delivery", "fedex overnight", "trial pack", "price per pill",
	"diskrete verpackung", "env\xC3\xADo discreto", "spedizione anonima",
	"livraison discr\xC3\xA8te", NULL
};

static const char *const norx_phrases[] = {
	"without prescription", "without a prescription", "without a doctor's prescription",
	"without a doctor", NULL
};

static const char *const shop_phrases[] = {
	"add to cart", "add to basket", "add to bag", "buy now", "order now", "shop now",
	"checkout", "in stock", "free shipping", "place order", "place your order",
	"in den warenkorb", "jetzt kaufen", "comprar ahora", "a\xC3\xB1" "adir al carrito",
	"aggiungi al carrello", "acquista ora", "ajouter au panier", "commander", "do koszyka",
	"kup teraz", NULL
};

static const char *const widget_phrases[] = {
	"see also", "related posts", "related post", "related articles", "related article",
	"related stories", "related content", "related reading", "related links",
	"you may also like", "you might also like", "you may also be interested",
	"recommended for you", "recommended articles", "recommended reading", "read next",
	"read more", "more from", "more stories", "more articles", "popular posts",
	"popular articles", "recent posts", "recent articles", "trending now", "tags",
	"tagged", "tagged with", "category", "categories", "filed under", "posted in",
	"leave a reply", "leave a comment", "post a comment", "add a comment",
	"your email address will not be published", "required fields are marked",
	"comments", "share this", "follow us", "sponsored content", "around the web", NULL
};

static const char *const app_phrases[] = {
	"download the app", "download our app", "get the app", "get our app",
	"get it on google play", "download on the app store", "available on the app store",
	"app store", "google play", "free app", NULL
};

static const char *const disclaimer_phrases[] = {
	"for informational purposes only", "for educational purposes only",
	"for information purposes only", "not intended to be a substitute",
	"not a substitute for professional", "not intended as a substitute",
	"should not replace professional medical advice", "not replace professional medical advice",
	"does not provide medical advice", "does not dispense medical advice",
	"not medical advice", "medical disclaimer", "informational resource",
	"consult your doctor", "consult your healthcare provider",
	"consult a healthcare professional", "consult with a healthcare professional",
	"consult your physician", "seek the advice of your physician",
	"consult with your doctor", "talk to your doctor", NULL
};

static const char *const reviewer_phrases[] = {
	"medically reviewed by", "reviewed by", "fact checked by", "clinically reviewed by",
	"medical review by", "medically reviewed", "expert reviewed", "peer reviewed by", NULL
};

static const char *const author_phrases[] = {
	"written by", "author", "authored by", "posted by", "contributed by", "by dr",
	"article by", "words by", NULL
};

static const char *const date_phrases[] = {
	"last updated", "updated on", "updated", "published on", "published", "posted on",
	"last reviewed", "reviewed on", "date published", "last modified", "page last reviewed",
	NULL
};

static const char *const clickbait_phrases[] = {
	"you won't believe", "won't believe", "what happens when", "what happened next",
	"this is why", "here's why", "here is why", "the truth about", "the secret", "secrets",
	"shocking", "everything you need to know", "ultimate guide", "you need to know",
	"doctors hate", "weird trick", "blow your mind", "things you", "reasons why",
	"can you", "should you", "is it safe", "does it work", "really work", "miracle", NULL
};

static const char *const journal_phrases[] = {
	"published in the", "published in", "a study in", "according to a study",
	"a study published", "research published in", "appeared in the", "reported in the",
	NULL
};

static const char *const source_phrases[] = {
	"according to", "published by", "reported by", "data from", "study by",
	"research by", "researchers at", "researchers from", "guidance from", "recommended by",
	NULL
};

static const char *const rxreq_phrases[] = {
	"prescription required", "prescription is required", "valid prescription",
	"prescription only", "requires a prescription", "require a prescription",
	"only with a prescription", "copay", "copays", "formulary", "your insurance",
	"with insurance", "insurance plans", "licensed pharmacy", "licensed clinician",
	"licensed clinicians", "clinicians licensed", "prescribed only", "if a prescription is issued",
	"online consultation", "registered prescriber", "registered prescribers", "board certified",
	"licensed pharmacist", "registered pharmacy", "registered pharmacist", NULL
};

static const struct phrase_list phrase_lists[] = {
	{ PH_FILLER, filler_phrases },
	{ PH_CALL, call_phrases },
	{ PH_SOFTCALL, softcall_phrases },
	{ PH_NORX, norx_phrases },
	{ PH_SHOP, shop_phrases },
	{ PH_WIDGET, widget_phrases },
	{ PH_APP, app_phrases },
	{ PH_DISCLAIMER, disclaimer_phrases },
	{ PH_REVIEWER, reviewer_phrases },
	{ PH_AUTHOR, author_phrases },
	{ PH_DATE, date_phrases },
	{ PH_CLICKBAIT, clickbait_phrases },
	{ PH_JOURNAL, journal_phrases },
	{ PH_SOURCE, source_phrases },
	{ PH_RXREQ, rxreq_phrases },
};

#define LEX_SLOTS 4096          /* power of two, > 2x the distinct words */
#define MAX_PHRASES 512
#define PHRASE_MAX_WORDS 8

struct lex_slot {
	uint64_t hash;          /* 0: empty */
	uint32_t lex;
	int head;               /* first phrase starting with this word, or -1 */
};

struct phrase {
	enum phrase_class cls;
	const char *text;
	size_t n;
	uint64_t h[PHRASE_MAX_WORDS];
	int next;               /* next phrase with the same first word */
};

static struct lex_slot slots[LEX_SLOTS];
static struct phrase phrases[MAX_PHRASES];
static size_t nphrases;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static struct lex_slot *slot_for(uint64_t h, bool insert)
{
	size_t i = (size_t)h & (LEX_SLOTS - 1), probes;

	if (!h)
		h = 1;
	for (probes = 0; probes < LEX_SLOTS; probes++) {
		struct lex_slot *s = &slots[i];

		if (s->hash == h)
			return s;
		if (!s->hash) {
			if (!insert)
				return NULL;
			s->hash = h;
			s->head = -1;
			return s;
		}
		i = (i + 1) & (LEX_SLOTS - 1);
	}
	return NULL;
}

/* Hash of the one word of s, as the page tokenizer would make it. */
static uint64_t word_hash(const char *s)
{
	char low[64];
	struct sig_tok t;
	size_t n = strlen(s), low_len = 0;

	if (n >= sizeof(low) || chaff_sig_tokenize(s, n, low, &low_len, &t, 1, 0) != 1)
		return 0;
	return t.hash;
}

static void add_phrase(enum phrase_class cls, const char *text)
{
	char low[128];
	struct sig_tok t[PHRASE_MAX_WORDS];
	size_t n = strlen(text), low_len = 0, k, i;
	struct phrase *p;
	struct lex_slot *s;

	if (nphrases >= MAX_PHRASES || n >= sizeof(low))
		return;
	k = chaff_sig_tokenize(text, n, low, &low_len, t, PHRASE_MAX_WORDS, 0);
	if (!k || k > PHRASE_MAX_WORDS)
		return;
	p = &phrases[nphrases];
	p->cls = cls;
	p->text = text;
	p->n = k;
	for (i = 0; i < k; i++)
		p->h[i] = t[i].hash;
	s = slot_for(t[0].hash, true);
	if (!s)
		return;
	p->next = s->head;
	s->head = (int)nphrases++;
}

static void build(void)
{
	size_t i, j;

	for (i = 0; i < sizeof(word_lists) / sizeof(word_lists[0]); i++) {
		for (j = 0; word_lists[i].words[j]; j++) {
			struct lex_slot *s = slot_for(word_hash(word_lists[i].words[j]), true);

			if (s)
				s->lex |= word_lists[i].lex;
		}
	}
	for (i = 0; i < sizeof(phrase_lists) / sizeof(phrase_lists[0]); i++)
		for (j = 0; phrase_lists[i].phrases[j]; j++)
			add_phrase(phrase_lists[i].cls, phrase_lists[i].phrases[j]);
}

void chaff_lex_init(void)
{
	pthread_once(&once, build);
}

uint32_t chaff_lex_word(uint64_t hash)
{
	const struct lex_slot *s = slot_for(hash, false);

	return s ? s->lex | (s->head >= 0 ? LEX_PHRASE : 0) : 0;
}

size_t chaff_lex_phrases_at(const struct sig_ctx *c, size_t i, struct phrase_match *out,
                            size_t max)
{
	const struct lex_slot *s;
	size_t n = 0;
	int k;

	if (!(c->tok[i].lex & LEX_PHRASE) || !(s = slot_for(c->tok[i].hash, false)))
		return 0;
	for (k = s->head; k >= 0 && n < max; k = phrases[k].next) {
		const struct phrase *p = &phrases[k];
		size_t j;

		if (i + p->n > c->ntok)
			continue;
		for (j = 1; j < p->n; j++)
			if (c->tok[i + j].hash != p->h[j] || c->tok[i + j].block != c->tok[i].block)
				break;
		if (j < p->n)
			continue;
		out[n].cls = p->cls;
		out[n].text = p->text;
		out[n].first = i;
		out[n].ntok = p->n;
		n++;
	}
	return n;
}
