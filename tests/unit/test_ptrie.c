/*
 * test_ptrie.c - the prefix trie against a naive reference (a flat array
 * of prefixes searched linearly), plus edge cases.
 */
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"
#include "addr.h"
#include "ptrie.h"

/* Linked with -Wl,--wrap=malloc: fail_malloc > 0 fails that many calls. */
void	*__real_malloc(size_t);
void	*__wrap_malloc(size_t);
static int fail_malloc;

void *
__wrap_malloc(size_t sz)
{
	if (fail_malloc > 0) {
		fail_malloc--;
		return NULL;
	}
	return __real_malloc(sz);
}

/* ---- helpers ---------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static struct nhrp_addr
A(const char *s)
{
	struct nhrp_addr a;

	if (nhrp_addr_parse(s, &a, 0, NULL) != 0) {
		printf("Bail out! cannot parse %s\n", s);
		exit(1);
	}
	return a;
}

static unsigned
bit(const uint8_t *k, unsigned i)
{
	return (k[i / 8] >> (7 - i % 8)) & 1;
}

/* Does net/plen cover a?  Bit by bit, independent of the trie's code. */
static int
covers(const uint8_t *net, unsigned plen, const uint8_t *a)
{
	unsigned i;

	for (i = 0; i < plen; i++)
		if (bit(net, i) != bit(a, i))
			return 0;
	return 1;
}

static void
mask(uint8_t *k, unsigned len, unsigned plen)
{
	unsigned i;

	for (i = plen; i < len * 8; i++)
		k[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
}

/* ---- what a walk reported --------------------------------------------- */

struct visit {
	uintptr_t	slot;
	unsigned	plen;
	uint8_t		key[16];
};

#define MAXVISIT	4096

struct collect {
	struct visit	 v[MAXVISIT];
	size_t		 n;
	uint16_t	 afn;
	int		 bad;		/* wrong family or host bits set */
	size_t		 stop_at;	/* return 7 at this visit (1-based) */
};

static struct collect got, want;

static int
collect_cb(void *slot, const struct nhrp_addr *prefix, unsigned plen,
    void *arg)
{
	struct collect *c = arg;
	uint8_t k[16];

	if (prefix->afn != c->afn || prefix->len != nhrp_afn_addrlen(c->afn))
		c->bad = 1;
	memcpy(k, prefix->addr, 16);
	mask(k, prefix->len, plen);
	if (memcmp(k, prefix->addr, prefix->len) != 0)
		c->bad = 1;
	if (c->n < MAXVISIT) {
		c->v[c->n].slot = (uintptr_t)slot;
		c->v[c->n].plen = plen;
		memcpy(c->v[c->n].key, prefix->addr, 16);
	}
	c->n++;
	if (c->stop_at != 0 && c->n == c->stop_at)
		return 7;
	return 0;
}

static void
collect_reset(struct collect *c, uint16_t afn)
{
	c->n = 0;
	c->afn = afn;
	c->bad = 0;
	c->stop_at = 0;
}

static int
collect_equal(const struct collect *a, const struct collect *b, size_t klen)
{
	size_t i;

	if (a->n != b->n || a->bad || b->bad)
		return 0;
	for (i = 0; i < a->n && i < MAXVISIT; i++)
		if (a->v[i].slot != b->v[i].slot ||
		    a->v[i].plen != b->v[i].plen ||
		    memcmp(a->v[i].key, b->v[i].key, klen) != 0)
			return 0;
	return 1;
}

/* ---- the reference ---------------------------------------------------- */

struct ref {
	uint8_t		key[16];	/* masked */
	unsigned	plen;
	int		in;
	uintptr_t	tag;
};

#define NREF	1500

static struct ref refs[NREF];
static size_t nrefs, refcount;
static unsigned klen;

static int
ref_cmp_walk(const void *pa, const void *pb)
{
	const struct ref *a = *(const struct ref * const *)pa;
	const struct ref *b = *(const struct ref * const *)pb;
	int c;

	if ((c = memcmp(a->key, b->key, klen)) != 0)
		return c;
	return a->plen < b->plen ? -1 : a->plen > b->plen;
}

static int
ref_cmp_match(const void *pa, const void *pb)
{
	const struct ref *a = *(const struct ref * const *)pa;
	const struct ref *b = *(const struct ref * const *)pb;

	return a->plen > b->plen ? -1 : a->plen < b->plen;
}

static void
ref_add(struct collect *c, const struct ref *r)
{
	c->v[c->n].slot = r->tag;
	c->v[c->n].plen = r->plen;
	memset(c->v[c->n].key, 0, 16);
	memcpy(c->v[c->n].key, r->key, klen);
	c->n++;
}

/* kind 0: walk below net/plen (plen 0: all), 1: match net */
static void
ref_query(struct collect *c, uint16_t afn, int kind, const uint8_t *net,
    unsigned plen)
{
	static const struct ref *sel[NREF];
	size_t i, n = 0;

	collect_reset(c, afn);
	for (i = 0; i < nrefs; i++) {
		if (!refs[i].in)
			continue;
		if (kind == 0 && refs[i].plen >= plen &&
		    covers(net, plen, refs[i].key))
			sel[n++] = &refs[i];
		if (kind == 1 && covers(refs[i].key, refs[i].plen, net))
			sel[n++] = &refs[i];
	}
	qsort(sel, n, sizeof(sel[0]), kind == 0 ? ref_cmp_walk : ref_cmp_match);
	for (i = 0; i < n; i++)
		ref_add(c, sel[i]);
}

/* Random prefixes in clusters, so the trie gets deep and bushy. */
static void
random_key(uint8_t *k, uint16_t afn, unsigned *plen)
{
	unsigned i, r = rnd() % 4, maxb = klen * 8;

	memset(k, 0, 16);
	if (afn == NHRP_AFN_IPV4) {
		k[0] = 10;
		if (r == 0)
			for (i = 1; i < 4; i++)
				k[i] = (uint8_t)rnd();
		else if (r == 3)
			for (i = 0; i < 4; i++)
				k[i] = (uint8_t)rnd();
		else {
			k[2] = (uint8_t)(rnd() % 4);
			k[3] = (uint8_t)rnd();
		}
	} else {
		k[0] = 0x20; k[1] = 0x01; k[2] = 0x0d; k[3] = 0xb8;
		if (r == 0)
			for (i = 4; i < 16; i++)
				k[i] = (uint8_t)rnd();
		else if (r == 3)
			for (i = 0; i < 16; i++)
				k[i] = (uint8_t)rnd();
		else {
			k[7] = (uint8_t)(rnd() % 4);
			k[14] = (uint8_t)(rnd() % 4);
			k[15] = (uint8_t)rnd();
		}
	}
	switch (rnd() % 3) {
	case 0:
		*plen = maxb;
		break;
	case 1:
		*plen = maxb - rnd() % 9;
		break;
	default:
		*plen = rnd() % (maxb + 1);
		break;
	}
}

static void
ref_init(uint16_t afn, uint64_t seed)
{
	uint8_t k[16];
	unsigned plen;
	size_t i;

	rng_state = seed;
	klen = (unsigned)nhrp_afn_addrlen(afn);
	nrefs = refcount = 0;
	while (nrefs < NREF) {
		random_key(k, afn, &plen);
		mask(k, klen, plen);
		for (i = 0; i < nrefs; i++)
			if (refs[i].plen == plen &&
			    memcmp(refs[i].key, k, klen) == 0)
				break;
		if (i < nrefs)
			continue;
		memcpy(refs[nrefs].key, k, 16);
		refs[nrefs].plen = plen;
		refs[nrefs].in = 0;
		refs[nrefs].tag = 0x1000 + nrefs * 8;
		nrefs++;
	}
}

/* The address of a prefix, with random host bits beyond plen. */
static struct nhrp_addr
ref_addr(uint16_t afn, const uint8_t *k, unsigned plen, int hostbits)
{
	struct nhrp_addr a;
	uint8_t buf[16];
	unsigned i;

	memcpy(buf, k, 16);
	if (hostbits)
		for (i = plen; i < klen * 8; i++)
			if (rnd() & 1)
				buf[i / 8] |= (uint8_t)(0x80 >> (i % 8));
	nhrp_addr_set(&a, afn, buf, klen);
	return a;
}

/* The trie equals the reference: walk order, count, node bound. */
static int
trie_equal(struct nhrp_ptrie *t, uint16_t afn)
{
	static const uint8_t zero[16];

	ref_query(&want, afn, 0, zero, 0);
	collect_reset(&got, afn);
	nhrp_ptrie_walk(t, collect_cb, &got);
	if (!collect_equal(&got, &want, klen))
		return 0;
	if (nhrp_ptrie_count(t) != refcount)
		return 0;
	if (nhrp_ptrie_nodes(t) > (refcount ? 2 * refcount - 1 : 0))
		return 0;
	return 1;
}

/* ---- randomized comparison --------------------------------------------- */

static void
test_random(uint16_t afn, uint64_t seed)
{
	const char *fam = afn == NHRP_AFN_IPV4 ? "ipv4" : "ipv6";
	struct nhrp_ptrie *t;
	struct nhrp_addr a;
	struct ref *r;
	uint8_t k[16];
	void **slot;
	size_t op, i, peakmem = 0;
	unsigned plen;
	int ok_slot = 1, ok_walk = 1, ok_match = 1, ok_below = 1;
	int ok_remove = 1;

	ref_init(afn, seed);
	t = nhrp_ptrie_new(afn);
	if (!OK(t != NULL, "%s: new", fam))
		return;
	for (op = 0; op < 40000; op++) {
		r = &refs[rnd() % nrefs];
		a = ref_addr(afn, r->key, r->plen, rnd() % 2);
		switch (rnd() % 8) {
		case 0:
		case 1:
		case 2:
			slot = nhrp_ptrie_slot(t, &a, r->plen, 1);
			if (slot == NULL ||
			    (uintptr_t)*slot != (r->in ? r->tag : 0)) {
				ok_slot = 0;
				break;
			}
			if (!r->in)
				refcount++;
			r->in = 1;
			*slot = (void *)r->tag;
			break;
		case 3:
		case 4:
			nhrp_ptrie_remove(t, &a, r->plen);
			if (r->in)
				refcount--;
			r->in = 0;
			if (nhrp_ptrie_slot(t, &a, r->plen, 0) != NULL)
				ok_remove = 0;
			break;
		case 5:
			slot = nhrp_ptrie_slot(t, &a, r->plen, 0);
			if (r->in ? slot == NULL || (uintptr_t)*slot != r->tag :
			    slot != NULL)
				ok_slot = 0;
			break;
		case 6:
			/* match: an address near a stored prefix, or random */
			if (rnd() % 4 == 0) {
				random_key(k, afn, &plen);
				a = ref_addr(afn, k, 0, 0);
			}
			ref_query(&want, afn, 1, a.addr, 0);
			collect_reset(&got, afn);
			nhrp_ptrie_match(t, &a, collect_cb, &got);
			if (!collect_equal(&got, &want, klen))
				ok_match = 0;
			break;
		case 7:
			plen = rnd() % (klen * 8 + 1);
			ref_query(&want, afn, 0, a.addr, plen);
			collect_reset(&got, afn);
			nhrp_ptrie_walk_below(t, &a, plen, collect_cb, &got);
			if (!collect_equal(&got, &want, klen))
				ok_below = 0;
			break;
		}
		if (nhrp_ptrie_memsize(t) > peakmem)
			peakmem = nhrp_ptrie_memsize(t);
		if (op % 500 == 0 && !trie_equal(t, afn))
			ok_walk = 0;
	}
	OK(ok_slot, "%s: slot lookup and create match the reference", fam);
	OK(ok_remove, "%s: removed prefixes are gone", fam);
	OK(ok_match, "%s: match order matches the reference", fam);
	OK(ok_below, "%s: walk_below matches the reference", fam);
	OK(ok_walk && trie_equal(t, afn),
	    "%s: full walk, count and node bound match the reference", fam);
	OK(peakmem <= 4096 + (2 * NREF + 512) * 48 * 2,
	    "%s: memory bounded under churn (peak %zu bytes)", fam, peakmem);

	/* remove everything, in random order, checking as we go */
	ok_walk = 1;
	for (i = 0; i < nrefs; i++) {
		r = &refs[(i * 7 + 3) % nrefs];
		a = ref_addr(afn, r->key, r->plen, 1);
		nhrp_ptrie_remove(t, &a, r->plen);
		if (r->in)
			refcount--;
		r->in = 0;
		if (i % 50 == 0 && !trie_equal(t, afn))
			ok_walk = 0;
	}
	OK(ok_walk && trie_equal(t, afn), "%s: emptied in random order", fam);
	INT_EQ(nhrp_ptrie_nodes(t), 0, "%s: no nodes left", fam);
	OK(nhrp_ptrie_memsize(t) < 256, "%s: chunks released when empty (%zu)",
	    fam, nhrp_ptrie_memsize(t));
	nhrp_ptrie_free(t);
}

/* Allocation failures leave the trie unchanged. */
static void
test_enomem(uint16_t afn)
{
	const char *fam = afn == NHRP_AFN_IPV4 ? "ipv4" : "ipv6";
	struct nhrp_ptrie *t;
	struct nhrp_addr a;
	struct ref *r;
	void **slot;
	size_t i, failed = 0;
	int ok = 1;

	ref_init(afn, 0x5eed0000 + afn);
	t = nhrp_ptrie_new(afn);
	for (i = 0; i < 600; i++) {
		r = &refs[i];
		a = ref_addr(afn, r->key, r->plen, 0);
		fail_malloc = i % 4 != 3;
		slot = nhrp_ptrie_slot(t, &a, r->plen, 1);
		if (slot == NULL) {
			if (fail_malloc != 0)
				ok = 0;		/* failed without malloc */
			failed++;
		} else {
			*slot = (void *)r->tag;
			r->in = 1;
			refcount++;
		}
		fail_malloc = 0;
		if (!trie_equal(t, afn))
			ok = 0;
	}
	OK(ok, "%s: failed allocations leave the trie unchanged", fam);
	OK(failed >= 5, "%s: allocation failures were hit (%zu)", fam, failed);
	nhrp_ptrie_free(t);
}

/*
 * Hosts far apart: after the first, each needs a glue node and a leaf.
 * Chunks hold an even number of nodes, so the first failing insert gets
 * its glue node and fails on the leaf: that glue node must be given back.
 */
static void
test_enomem_glue(void)
{
	struct nhrp_ptrie *t;
	struct nhrp_addr a;
	size_t i, nodes, mem;
	void **slot = NULL;
	int ok = 1;

	t = nhrp_ptrie_new(NHRP_AFN_IPV4);
	for (i = 0; i < 1000; i++) {
		nhrp_addr_set_ipv4(&a, htonl((uint32_t)i * 0x01000193u));
		nodes = nhrp_ptrie_nodes(t);
		mem = nhrp_ptrie_memsize(t);
		fail_malloc = i > 0;
		slot = nhrp_ptrie_slot(t, &a, 32, 1);
		fail_malloc = 0;
		if (slot == NULL)
			break;
		if (nhrp_ptrie_nodes(t) != nodes + (i ? 2 : 1))
			ok = 0;
	}
	OK(ok && slot == NULL && i > 1, "glue+leaf: insert %zu failed", i);
	OK(nodes % 2 == 1 && nhrp_ptrie_nodes(t) == nodes &&
	    nhrp_ptrie_memsize(t) == mem && nhrp_ptrie_count(t) == i,
	    "glue+leaf: the glue node was given back (%zu nodes)", nodes);
	OK(nhrp_ptrie_slot(t, &a, 32, 0) == NULL, "glue+leaf: not inserted");
	OK(nhrp_ptrie_slot(t, &a, 32, 1) != NULL, "glue+leaf: retry works");
	INT_EQ(nhrp_ptrie_count(t), i + 1, "glue+leaf: count after retry");
	nhrp_ptrie_free(t);
}

/* ---- edge cases ------------------------------------------------------- */

static int
count_cb(void *slot, const struct nhrp_addr *p, unsigned plen, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void
put(struct nhrp_ptrie *t, const char *s, unsigned plen, uintptr_t tag)
{
	struct nhrp_addr a = A(s);
	void **slot;

	slot = nhrp_ptrie_slot(t, &a, plen, 1);
	if (slot == NULL) {
		printf("Bail out! cannot insert %s/%u\n", s, plen);
		exit(1);
	}
	*slot = (void *)tag;
}

static uintptr_t
get(struct nhrp_ptrie *t, const char *s, unsigned plen)
{
	struct nhrp_addr a = A(s);
	void **slot;

	slot = nhrp_ptrie_slot(t, &a, plen, 0);
	return slot == NULL ? 0 : (uintptr_t)*slot;
}

static void
del(struct nhrp_ptrie *t, const char *s, unsigned plen)
{
	struct nhrp_addr a = A(s);

	nhrp_ptrie_remove(t, &a, plen);
}

/* Match tags as a string like "4,3,1". */
static const char *
match_str(struct nhrp_ptrie *t, const char *s, size_t stop_at, int *rc)
{
	static char buf[256];
	struct nhrp_addr a = A(s);
	size_t i;
	int r;

	collect_reset(&got, a.afn);
	got.stop_at = stop_at;
	r = nhrp_ptrie_match(t, &a, collect_cb, &got);
	if (rc != NULL)
		*rc = r;
	buf[0] = '\0';
	for (i = 0; i < got.n && strlen(buf) < 200; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%lu",
		    i ? "," : "", (unsigned long)got.v[i].slot);
	return buf;
}

static const char *
below_str(struct nhrp_ptrie *t, const char *s, unsigned plen)
{
	static char buf[256];
	struct nhrp_addr a = A(s);
	size_t i;

	collect_reset(&got, a.afn);
	nhrp_ptrie_walk_below(t, &a, plen, collect_cb, &got);
	buf[0] = '\0';
	for (i = 0; i < got.n && strlen(buf) < 200; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%lu",
		    i ? "," : "", (unsigned long)got.v[i].slot);
	return buf;
}

static void
test_edges_v4(void)
{
	struct nhrp_ptrie *t;
	struct nhrp_addr a;
	size_t nodes;
	int n, rc;

	OK(nhrp_ptrie_new(NHRP_AFN_NONE) == NULL, "new: unknown family refused");
	OK(nhrp_ptrie_new(99) == NULL, "new: family 99 refused");
	t = nhrp_ptrie_new(NHRP_AFN_IPV4);
	nhrp_ptrie_free(NULL);

	STR_EQ(match_str(t, "1.2.3.4", 0, NULL), "", "empty: match");
	n = 0;
	INT_EQ(nhrp_ptrie_walk(t, count_cb, &n), 0, "empty: walk");
	INT_EQ(n, 0, "empty: walk visits nothing");
	del(t, "10.0.0.0", 8);
	INT_EQ(nhrp_ptrie_count(t), 0, "empty: removing an absent prefix");

	/* same address, different prefixes */
	put(t, "10.0.0.0", 8, 8);
	put(t, "10.0.0.0", 16, 16);
	put(t, "10.0.0.0", 24, 24);
	put(t, "10.0.0.1", 32, 32);
	put(t, "0.0.0.0", 0, 100);
	INT_EQ(nhrp_ptrie_count(t), 5, "same address: 5 prefixes");
	STR_EQ(match_str(t, "10.0.0.1", 0, NULL), "32,24,16,8,100",
	    "same address: longest first, /0 last");
	STR_EQ(match_str(t, "10.0.0.2", 0, NULL), "24,16,8,100",
	    "same address: /32 only matches itself");
	STR_EQ(match_str(t, "11.0.0.1", 0, NULL), "100",
	    "/0 matches everything");
	STR_EQ(match_str(t, "10.0.0.1", 2, &rc), "32,24",
	    "match: callback stops the walk");
	INT_EQ(rc, 7, "match: the callback's value is returned");
	INT_EQ(get(t, "10.9.9.9", 8), 8, "host bits ignored on lookup");
	INT_EQ(get(t, "10.0.0.1", 40), 32, "plen above 32 clamped to 32");
	INT_EQ(get(t, "10.0.0.0", 12), 0, "absent prefix between two stored");
	a = A("2001:db8::1");
	OK(nhrp_ptrie_slot(t, &a, 8, 1) == NULL, "IPv6 address refused");
	nhrp_addr_clear(&a);
	OK(nhrp_ptrie_slot(t, &a, 0, 1) == NULL, "unspecified address refused");
	STR_EQ(match_str(t, "2001:db8::1", 0, NULL), "", "IPv6 matches nothing");

	STR_EQ(below_str(t, "10.0.0.0", 16), "16,24,32",
	    "walk_below: prefix and more specifics");
	STR_EQ(below_str(t, "10.0.0.0", 12), "16,24,32",
	    "walk_below: from an absent prefix");
	STR_EQ(below_str(t, "0.0.0.0", 0), "100,8,16,24,32",
	    "walk_below /0: everything, covering first");
	STR_EQ(below_str(t, "10.0.0.1", 32), "32", "walk_below /32");
	STR_EQ(below_str(t, "10.0.0.2", 32), "", "walk_below absent /32");
	STR_EQ(below_str(t, "11.0.0.0", 8), "", "walk_below elsewhere");

	/* removal of internal nodes */
	nodes = nhrp_ptrie_nodes(t);
	del(t, "10.0.0.0", 16);
	INT_EQ(nhrp_ptrie_nodes(t), nodes - 1,
	    "remove /16 (one child): node freed");
	STR_EQ(match_str(t, "10.0.0.1", 0, NULL), "32,24,8,100",
	    "remove /16: the rest still matches");
	put(t, "10.0.1.0", 24, 124);
	nodes = nhrp_ptrie_nodes(t);
	INT_EQ(nodes, 6, "glue node for 10.0.0.0/23 made");
	del(t, "10.0.0.0", 8);
	INT_EQ(nhrp_ptrie_nodes(t), nodes - 1,
	    "remove /8 (one child): node freed");
	put(t, "10.0.0.0", 23, 23);
	INT_EQ(nhrp_ptrie_nodes(t), nodes - 1, "glue /23 becomes a prefix");
	STR_EQ(below_str(t, "10.0.0.0", 8), "23,24,32,124",
	    "walk order: covering first, then address order");
	del(t, "10.0.0.0", 23);
	INT_EQ(nhrp_ptrie_nodes(t), nodes - 1,
	    "remove /23 (two children): stays as glue");
	INT_EQ(get(t, "10.0.0.0", 23), 0, "the glue is not a prefix");
	del(t, "10.0.1.0", 24);
	INT_EQ(nhrp_ptrie_nodes(t), nodes - 3,
	    "remove a leaf under glue: glue spliced out");
	STR_EQ(below_str(t, "0.0.0.0", 0), "100,24,32", "after removals");
	del(t, "10.0.0.0", 24);
	del(t, "10.0.0.1", 32);
	del(t, "0.0.0.0", 0);
	INT_EQ(nhrp_ptrie_count(t), 0, "all removed");
	INT_EQ(nhrp_ptrie_nodes(t), 0, "no nodes left");

	/* /32 leaves only; /0 glue */
	put(t, "1.1.1.1", 32, 1);
	put(t, "129.1.1.1", 32, 2);
	INT_EQ(nhrp_ptrie_nodes(t), 3, "two hosts differing in bit 0: /0 glue");
	put(t, "0.0.0.0", 0, 3);
	INT_EQ(nhrp_ptrie_nodes(t), 3, "/0 reuses the glue");
	STR_EQ(match_str(t, "129.1.1.1", 0, NULL), "2,3", "/32 then /0");
	STR_EQ(match_str(t, "255.255.255.255", 0, NULL), "3", "all-ones");
	put(t, "255.255.255.255", 32, 4);
	STR_EQ(match_str(t, "255.255.255.255", 0, NULL), "4,3",
	    "all-ones /32");
	n = 0;
	nhrp_ptrie_walk(t, count_cb, &n);
	INT_EQ(n, 4, "walk visits 4");
	nhrp_ptrie_free(t);
}

static void
test_edges_v6(void)
{
	struct nhrp_ptrie *t;
	struct nhrp_addr a;

	t = nhrp_ptrie_new(NHRP_AFN_IPV6);
	put(t, "2001:db8::", 32, 32);
	put(t, "2001:db8::1", 128, 128);
	put(t, "2001:db8::", 64, 64);
	put(t, "::", 0, 1);
	put(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, 2);
	STR_EQ(match_str(t, "2001:db8::1", 0, NULL), "128,64,32,1",
	    "v6: longest first");
	STR_EQ(match_str(t, "2001:db8:0:1::1", 0, NULL), "32,1",
	    "v6: outside the /64");
	STR_EQ(match_str(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0,
	    NULL), "2,1", "v6: all-ones /128");
	INT_EQ(get(t, "2001:db8::1", 200), 128, "v6: plen clamped to 128");
	INT_EQ(get(t, "2001:db8:ffff::", 32), 32, "v6: host bits ignored");
	STR_EQ(below_str(t, "2001:db8::", 33), "64,128", "v6: walk_below /33");
	a = A("10.0.0.1");
	OK(nhrp_ptrie_slot(t, &a, 32, 1) == NULL, "v6: IPv4 address refused");
	nhrp_ptrie_remove(t, &a, 32);
	INT_EQ(nhrp_ptrie_count(t), 5, "v6: IPv4 remove ignored");
	nhrp_ptrie_free(t);
}

/* A slot pointer stays valid while other prefixes come and go. */
static void
test_slot_stable(void)
{
	struct nhrp_ptrie *t;
	struct nhrp_addr a;
	void **s1, **s2;
	unsigned i;
	int ok = 1;

	t = nhrp_ptrie_new(NHRP_AFN_IPV4);
	a = A("10.1.0.0");
	s1 = nhrp_ptrie_slot(t, &a, 24, 1);
	*s1 = (void *)0x24;
	for (i = 0; i < 2000; i++) {
		nhrp_addr_set_ipv4(&a, htonl(0xc0a80000u + i * 3));
		s2 = nhrp_ptrie_slot(t, &a, 32 - i % 9, 1);
		if (s2 == NULL) {
			ok = 0;
			continue;
		}
		*s2 = (void *)1;
		if (i % 3 == 0)
			nhrp_ptrie_remove(t, &a, 32 - i % 9);
	}
	a = A("10.1.0.0");
	OK(ok && nhrp_ptrie_slot(t, &a, 24, 0) == s1 && *s1 == (void *)0x24,
	    "slot pointer stable across other inserts and removals");
	nhrp_ptrie_free(t);
}

int
main(void)
{
	test_edges_v4();
	test_edges_v6();
	test_slot_stable();
	test_random(NHRP_AFN_IPV4, 0x1234567887654321ULL);
	test_random(NHRP_AFN_IPV4, 0xdeadbeefcafef00dULL);
	test_random(NHRP_AFN_IPV6, 0x0123456789abcdefULL);
	test_random(NHRP_AFN_IPV6, 0xfedcba9876543210ULL);
	test_enomem(NHRP_AFN_IPV4);
	test_enomem(NHRP_AFN_IPV6);
	test_enomem_glue();
	return tap_done();
}
