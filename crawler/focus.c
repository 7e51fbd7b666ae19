/*
 * focus.c - the crawler's medication lexicon: is a link worth following?
 * A URL or anchor text is cut into lower-case letter runs (digits and
 * punctuation separate words, so "500mg" gives "mg" and "side-effects"
 * gives "side", "effects"); a word of the lexicon, or a two-word phrase of
 * it, is a match. Plurals match their singular. The features/ module keeps
 * its own word lists for scoring; these are for following links only.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "chaff.h"

#define WORD_MAX 32

/* Medication topics, and generic and brand names of common medicines. */
static const char *words[] = {
	/* topics */
	"analgesic", "antacid", "antibiotic", "anticoagulant", "anticonvulsant",
	"antidepressant", "antifungal", "antihistamine", "antihypertensive", "antiinflammatory",
	"antipsychotic", "antiviral", "benzodiazepine", "capsule", "contraindication",
	"decongestant", "dosage", "dose", "dosing", "drug", "drugstore", "inhaler", "medication", "medicine",
	"medicinal", "mg", "nsaid", "ointment", "opioid", "otc", "overdose",
	"painkiller", "pharma", "pharmaceutical", "pharmacist", "pharmacies", "pharmacology",
	"pharmacy", "pill", "prescription", "prescribing", "rx", "sedative", "statin",
	"steroid", "suppository", "tablet", "vaccine", "vitamin", "sideeffects",
	/* generic names */
	"acetaminophen", "acyclovir", "adalimumab", "albuterol", "alendronate", "allopurinol",
	"alprazolam", "amiodarone", "amitriptyline", "amlodipine", "amoxicillin", "amphetamine",
	"anastrozole", "apixaban", "aripiprazole", "aspirin", "atenolol", "atomoxetine",
	"atorvastatin", "azithromycin", "baclofen", "benazepril", "bisoprolol", "budesonide",
	"bumetanide", "buprenorphine", "bupropion", "buspirone", "candesartan", "captopril",
	"carbamazepine", "carisoprodol", "carvedilol", "cefalexin", "cephalexin", "celecoxib",
	"cetirizine", "chlorthalidone", "ciprofloxacin", "citalopram", "clarithromycin",
	"clindamycin", "clomiphene", "clonazepam", "clonidine", "clopidogrel", "codeine",
	"colchicine", "cyclobenzaprine", "dabigatran", "dapoxetine", "desvenlafaxine",
	"dexamethasone", "diazepam", "diclofenac", "digoxin", "diltiazem", "diphenhydramine",
	"donepezil", "doxazosin", "doxycycline", "duloxetine", "dutasteride", "empagliflozin",
	"enalapril", "escitalopram", "esomeprazole", "estradiol", "ezetimibe", "famotidine",
	"fenofibrate", "fentanyl", "fexofenadine", "finasteride", "fluconazole", "fluoxetine",
	"fluticasone", "folic", "furosemide", "gabapentin", "glimepiride", "glipizide",
	"glyburide", "haloperidol", "hydrochlorothiazide", "hydrocodone", "hydrocortisone",
	"hydroxychloroquine", "hydroxyzine", "ibuprofen", "insulin", "irbesartan",
	"isotretinoin", "ivermectin", "ketoconazole", "ketorolac", "labetalol", "lamotrigine",
	"lansoprazole", "letrozole", "levetiracetam", "levocetirizine", "levofloxacin",
	"levothyroxine", "lidocaine", "liraglutide", "lisinopril", "loperamide",
	"loratadine", "lorazepam", "losartan", "lovastatin", "meloxicam", "memantine",
	"metformin", "methadone", "methocarbamol", "methotrexate", "methylphenidate",
	"methylprednisolone", "metoclopramide", "metoprolol", "metronidazole", "minoxidil",
	"mirtazapine", "modafinil", "montelukast", "morphine", "mupirocin", "naloxone",
	"naltrexone", "naproxen", "nebivolol", "nifedipine", "nitrofurantoin", "nitroglycerin",
	"norethindrone", "nortriptyline", "nystatin", "olanzapine", "olmesartan", "omeprazole",
	"ondansetron", "orlistat", "oseltamivir", "oxybutynin", "oxycodone", "pantoprazole",
	"paracetamol", "paroxetine", "penicillin", "phentermine", "pioglitazone", "pravastatin",
	"prednisolone", "prednisone", "pregabalin", "progesterone", "promethazine",
	"propranolol", "quetiapine", "ramipril", "ranitidine", "rivaroxaban", "rizatriptan",
	"ropinirole", "rosuvastatin", "semaglutide", "sertraline", "sildenafil", "simvastatin",
	"sitagliptin", "spironolactone", "sumatriptan", "tadalafil", "tamoxifen", "tamsulosin",
	"temazepam", "terbinafine", "testosterone", "tizanidine", "topiramate", "tramadol",
	"trazodone", "triamcinolone", "valacyclovir", "valsartan", "vardenafil", "venlafaxine",
	"verapamil", "warfarin", "zolpidem",
	/* brand names people search for */
	"adderall", "advil", "ambien", "augmentin", "cialis", "crestor", "eliquis", "lasix",
	"levitra", "lexapro", "lipitor", "lyrica", "motrin", "nexium", "ozempic", "paxil",
	"plavix", "prozac", "synthroid", "tylenol", "valium", "viagra", "wegovy", "xanax",
	"zoloft", "zyrtec",
};

/* Two-word phrases, as "first second". */
static const char *const phrases[] = {
	"adverse effect", "adverse reaction", "birth control", "blood pressure", "blood thinner",
	"drug interaction", "package insert", "patient information", "side effect",
};

static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sort_words(void)
{
	qsort(words, sizeof(words) / sizeof(words[0]), sizeof(words[0]), cmp_str);
}

static bool known(const char *w)
{
	const char *key = w;

	return bsearch(&key, words, sizeof(words) / sizeof(words[0]), sizeof(words[0]), cmp_str);
}

/* The word or its singular ("statins", "pharmacies" is listed as is). */
static bool word_matches(char *w, size_t n)
{
	if (known(w))
		return true;
	if (n > 3 && w[n - 1] == 's') {
		w[n - 1] = '\0';
		if (known(w))
			return true;
		w[n - 1] = 's';
	}
	return false;
}

static bool phrase_matches(const char *prev, const char *w)
{
	char both[2 * WORD_MAX + 2];
	size_t i, n = (size_t)snprintf(both, sizeof(both), "%s %s", prev, w);

	if (n && both[n - 1] == 's')
		both[n - 1] = '\0';  /* "side effects" */
	for (i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (!strcmp(both, phrases[i]))
			return true;
	return false;
}

bool chaff_focus_match(const char *s, size_t n)
{
	char w[WORD_MAX + 1], prev[WORD_MAX + 1] = "";
	size_t i = 0;

	pthread_once(&sorted_once, sort_words);
	while (i < n) {
		size_t len = 0;
		bool long_word = false;

		while (i < n && !((s[i] | 32) >= 'a' && (s[i] | 32) <= 'z'))
			i++;
		while (i < n && (s[i] | 32) >= 'a' && (s[i] | 32) <= 'z') {
			if (len < WORD_MAX)
				w[len++] = (char)(s[i] | 32);
			else
				long_word = true;
			i++;
		}
		if (!len || long_word) {
			prev[0] = '\0';
			continue;
		}
		w[len] = '\0';
		if (word_matches(w, len) || (prev[0] && phrase_matches(prev, w)))
			return true;
		memcpy(prev, w, len + 1);
	}
	return false;
}
