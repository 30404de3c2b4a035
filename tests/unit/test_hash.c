/*
 * test_hash.c - the intrusive hash table against a naive reference.
 */
#include <stdint.h>
#include <stdlib.h>

#include "tests/tap.h"
#include "hash.h"

/* Linked with -Wl,--wrap=calloc: fail_calloc > 0 fails that many calls. */
void	*__real_calloc(size_t, size_t);
void	*__wrap_calloc(size_t, size_t);
static int fail_calloc;

void *
__wrap_calloc(size_t n, size_t sz)
{
	if (fail_calloc > 0) {
		fail_calloc--;
		return NULL;
	}
	return __real_calloc(n, sz);
}

struct item {
	struct nhrp_hnode	 node;
	uint32_t		 key;
	int			 in;	/* reference: in the table */
	int			 seen;
};

#define NITEMS	3000

static struct item items[NITEMS];

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(void)
{
	/* xorshift64*, fixed seed: runs are reproducible */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static uint32_t
key_hash(uint32_t key, int collide)
{
	uint32_t h = key * 2654435761u;

	return collide ? h & 0x7 : h;	/* collide: only 8 hash values */
}

static struct item *
lookup(const struct nhrp_htable *t, uint32_t key, int collide)
{
	struct nhrp_hnode *n;
	struct item *it;
	uint32_t h = key_hash(key, collide);

	for (n = nhrp_htable_first(t, h); n != NULL; n = nhrp_htable_next(n)) {
		if (n->hash != h)
			return NULL;	/* next() must filter by hash */
		it = nhrp_hnode_entry(n, struct item, node);
		if (it->key == key)
			return it;
	}
	return NULL;
}

static int
pow2(size_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* Every node is visited once by iteration, and exactly the items in. */
static int
check_iter(const struct nhrp_htable *t, size_t *visits)
{
	struct nhrp_hnode *n;
	struct item *it;
	size_t pos, i, v = 0;
	int ok = 1;

	for (i = 0; i < NITEMS; i++)
		items[i].seen = 0;
	for (n = nhrp_htable_iter_first(t, &pos); n != NULL;
	    n = nhrp_htable_iter_next(t, &pos, n)) {
		it = nhrp_hnode_entry(n, struct item, node);
		if (it < items || it >= items + NITEMS || it->seen || !it->in)
			ok = 0;
		else
			it->seen = 1;
		if (++v > NITEMS)
			return 0;
	}
	for (i = 0; i < NITEMS; i++)
		if (items[i].in && !items[i].seen)
			ok = 0;
	*visits = v;
	return ok;
}

static void
reset(struct nhrp_htable *t)
{
	size_t i;

	nhrp_htable_free(t);
	for (i = 0; i < NITEMS; i++) {
		items[i].key = (uint32_t)i * 7919u + 13;
		items[i].in = 0;
	}
}

static void
test_empty(void)
{
	struct nhrp_htable t;
	size_t pos = 99;

	nhrp_htable_init(&t);
	OK(nhrp_htable_first(&t, 1) == NULL, "empty: first is NULL");
	OK(nhrp_htable_iter_first(&t, &pos) == NULL, "empty: iter_first is NULL");
	items[0].node.hash = 5;
	items[0].node.next = NULL;
	nhrp_htable_remove(&t, &items[0].node);
	INT_EQ(t.count, 0, "empty: removing an absent node is a no-op");
	INT_EQ(nhrp_htable_compact(&t), 0, "empty: compact");
	nhrp_htable_free(&t);
	INT_EQ(t.nbuckets, 0, "empty: free leaves an empty table");
}

static void
test_growth(void)
{
	struct nhrp_htable t;
	size_t i, visits, maxb = 0;
	int ok = 1, rc = 0;

	nhrp_htable_init(&t);
	reset(&t);
	for (i = 0; i < NITEMS; i++) {
		rc |= nhrp_htable_insert(&t, &items[i].node,
		    key_hash(items[i].key, 0));
		items[i].in = 1;
		if (!pow2(t.nbuckets) || t.count > t.nbuckets ||
		    (t.nbuckets > 8 && t.count * 2 <= t.nbuckets / 2))
			ok = 0;
		if (i == 7)
			INT_EQ(t.nbuckets, 8, "growth: 8 items in 8 buckets");
		if (i == 8)
			INT_EQ(t.nbuckets, 16, "growth: the 9th item doubles");
	}
	INT_EQ(rc, 0, "growth: every insert returned 0");
	OK(ok, "growth: power of two, load factor <= 1 and >= 1/4 throughout");
	INT_EQ(t.count, NITEMS, "growth: count");
	INT_EQ(t.nbuckets, 4096, "growth: %d items in 4096 buckets", NITEMS);
	for (i = 0; i < NITEMS; i++)
		if (lookup(&t, items[i].key, 0) != &items[i])
			ok = 0;
	OK(ok, "growth: every item found after rehashing");
	OK(lookup(&t, 1, 0) == NULL, "growth: absent key not found");
	OK(check_iter(&t, &visits) && visits == NITEMS,
	    "growth: iteration visits each item once");
	maxb = t.nbuckets;

	/* remove every other item, table does not shrink by itself */
	for (i = 0; i < NITEMS; i += 2) {
		nhrp_htable_remove(&t, &items[i].node);
		items[i].in = 0;
	}
	INT_EQ(t.count, NITEMS / 2, "remove: count");
	INT_EQ(t.nbuckets, maxb, "remove: never shrinks");
	ok = 1;
	for (i = 0; i < NITEMS; i++)
		if (lookup(&t, items[i].key, 0) != (items[i].in ?
		    &items[i] : NULL))
			ok = 0;
	OK(ok, "remove: exactly the remaining items are found");
	nhrp_htable_remove(&t, &items[0].node);
	INT_EQ(t.count, NITEMS / 2, "remove: removing twice is a no-op");

	/* compact */
	for (i = 1; i < NITEMS - 100; i += 2) {
		nhrp_htable_remove(&t, &items[i].node);
		items[i].in = 0;
	}
	INT_EQ(t.count, 50, "compact: 50 left");
	INT_EQ(nhrp_htable_compact(&t), 0, "compact: returns 0");
	INT_EQ(t.nbuckets, 64, "compact: 50 items fit in 64 buckets");
	OK(check_iter(&t, &visits) && visits == 50,
	    "compact: iteration after compact");
	ok = 1;
	for (i = 0; i < NITEMS; i++)
		if (lookup(&t, items[i].key, 0) != (items[i].in ?
		    &items[i] : NULL))
			ok = 0;
	OK(ok, "compact: items found after compact");
	for (i = NITEMS - 100; i < NITEMS - 20; i++)
		if (items[i].in) {
			nhrp_htable_remove(&t, &items[i].node);
			items[i].in = 0;
		}
	INT_EQ(t.count, 10, "compact: 10 left");
	fail_calloc = 1;
	INT_EQ(nhrp_htable_compact(&t), -1, "compact: allocation failure");
	INT_EQ(t.nbuckets, 64, "compact: table kept when compact cannot allocate");
	OK(check_iter(&t, &visits) && visits == 10,
	    "compact: table intact after failed compact");
	INT_EQ(nhrp_htable_compact(&t), 0, "compact: again");
	INT_EQ(t.nbuckets, 16, "compact: 10 items fit in 16 buckets");
	for (i = NITEMS - 20; i < NITEMS; i++)
		if (items[i].in) {
			if (lookup(&t, items[i].key, 0) != &items[i])
				ok = 0;
			nhrp_htable_remove(&t, &items[i].node);
			items[i].in = 0;
		}
	OK(ok, "compact: items found after the second compact");
	INT_EQ(t.count, 0, "compact: all removed");
	INT_EQ(nhrp_htable_compact(&t), 0, "compact: empty table");
	OK(t.bucket == NULL && t.nbuckets == 0, "compact: empty table freed");
	nhrp_htable_free(&t);
}

static void
test_collisions(void)
{
	struct nhrp_htable t;
	struct nhrp_hnode *n;
	size_t i, cnt, visits;
	int ok = 1;

	nhrp_htable_init(&t);
	reset(&t);
	/* 200 items, all with hash 42 */
	for (i = 0; i < 200; i++) {
		nhrp_htable_insert(&t, &items[i].node, 42);
		items[i].in = 1;
	}
	/* and 200 that share the bucket but not the hash */
	for (i = 200; i < 400; i++) {
		nhrp_htable_insert(&t, &items[i].node, 42 + 512 * (uint32_t)i);
		items[i].in = 1;
	}
	INT_EQ(t.nbuckets, 512, "collide: 400 items, 512 buckets");
	cnt = 0;
	for (n = nhrp_htable_first(&t, 42); n != NULL; n = nhrp_htable_next(n)) {
		if (n->hash != 42)
			ok = 0;
		cnt++;
	}
	OK(ok, "collide: first/next return only the requested hash");
	INT_EQ(cnt, 200, "collide: all 200 equal hashes returned");
	OK(nhrp_htable_first(&t, 43) == NULL, "collide: other hash not found");
	n = nhrp_htable_first(&t, 42 + 512 * 300);
	OK(n == &items[300].node, "collide: unique hash in a shared bucket");
	OK(n != NULL && nhrp_htable_next(n) == NULL,
	    "collide: next after a unique hash is NULL");

	/* remove head, tail and middle of the shared chain */
	nhrp_htable_remove(&t, &items[0].node);
	nhrp_htable_remove(&t, &items[199].node);
	nhrp_htable_remove(&t, &items[100].node);
	nhrp_htable_remove(&t, &items[399].node);
	items[0].in = items[199].in = items[100].in = items[399].in = 0;
	cnt = 0;
	for (n = nhrp_htable_first(&t, 42); n != NULL; n = nhrp_htable_next(n))
		cnt++;
	INT_EQ(cnt, 197, "collide: 197 left after removing three");
	OK(check_iter(&t, &visits) && visits == 396,
	    "collide: iteration after removals");
	nhrp_htable_free(&t);
}

static void
test_iter_remove(void)
{
	struct nhrp_htable t;
	struct nhrp_hnode *n, *nx;
	struct item *it;
	size_t i, pos, visited, visits;
	int collide;

	for (collide = 0; collide < 2; collide++) {
		nhrp_htable_init(&t);
		reset(&t);
		for (i = 0; i < 1000; i++) {
			nhrp_htable_insert(&t, &items[i].node,
			    key_hash(items[i].key, collide));
			items[i].in = 1;
		}
		/* remove odd keys while iterating */
		visited = 0;
		for (n = nhrp_htable_iter_first(&t, &pos); n != NULL; n = nx) {
			nx = nhrp_htable_iter_next(&t, &pos, n);
			it = nhrp_hnode_entry(n, struct item, node);
			visited++;
			if (it->key & 1) {
				nhrp_htable_remove(&t, n);
				it->in = 0;
			}
		}
		INT_EQ(visited, 1000, "iter-remove%s: every node visited once",
		    collide ? " (collisions)" : "");
		OK(check_iter(&t, &visits) && visits == t.count,
		    "iter-remove%s: the rest is intact", collide ?
		    " (collisions)" : "");
		/* remove everything while iterating */
		visited = 0;
		for (n = nhrp_htable_iter_first(&t, &pos); n != NULL; n = nx) {
			nx = nhrp_htable_iter_next(&t, &pos, n);
			nhrp_htable_remove(&t, n);
			visited++;
		}
		INT_EQ(t.count, 0, "iter-remove%s: all removed",
		    collide ? " (collisions)" : "");
		INT_EQ(visited, 500, "iter-remove%s: 500 visited",
		    collide ? " (collisions)" : "");
		nhrp_htable_free(&t);
	}
}

static void
test_random(int collide)
{
	struct nhrp_htable t;
	struct item *it;
	size_t i, op, refcount = 0, visits;
	int ok = 1, okiter = 1;

	nhrp_htable_init(&t);
	reset(&t);
	for (op = 0; op < 60000; op++) {
		it = &items[rnd() % NITEMS];
		switch (rnd() % 4) {
		case 0:
		case 1:
			if (!it->in) {
				nhrp_htable_insert(&t, &it->node,
				    key_hash(it->key, collide));
				it->in = 1;
				refcount++;
			}
			break;
		case 2:
			if (it->in) {
				nhrp_htable_remove(&t, &it->node);
				it->in = 0;
				refcount--;
			}
			break;
		case 3:
			if (lookup(&t, it->key, collide) != (it->in ? it : NULL))
				ok = 0;
			break;
		}
		if (t.count != refcount)
			ok = 0;
		if (op % 5000 == 0) {
			if (!check_iter(&t, &visits) || visits != refcount)
				okiter = 0;
			if (op % 20000 == 0 && nhrp_htable_compact(&t) != 0)
				ok = 0;
		}
	}
	for (i = 0; i < NITEMS; i++)
		if (lookup(&t, items[i].key, collide) !=
		    (items[i].in ? &items[i] : NULL))
			ok = 0;
	OK(ok, "random%s: lookups and count match the reference",
	    collide ? " (8 hash values)" : "");
	OK(okiter, "random%s: iterations match the reference",
	    collide ? " (8 hash values)" : "");
	nhrp_htable_free(&t);
}

static void
test_enomem(void)
{
	struct nhrp_htable t;
	size_t i, visits;
	int ok = 1;

	nhrp_htable_init(&t);
	reset(&t);
	fail_calloc = 1;
	INT_EQ(nhrp_htable_insert(&t, &items[0].node, key_hash(items[0].key,
	    0)), -1, "enomem: first insert reports the failed allocation");
	items[0].in = 1;
	OK(t.count == 1 && lookup(&t, items[0].key, 0) == &items[0],
	    "enomem: the item is still inserted and found");
	fail_calloc = 100;
	for (i = 1; i < 20; i++) {
		nhrp_htable_insert(&t, &items[i].node,
		    key_hash(items[i].key, 0));
		items[i].in = 1;
	}
	fail_calloc = 0;
	for (i = 0; i < 20; i++)
		if (lookup(&t, items[i].key, 0) != &items[i])
			ok = 0;
	OK(ok, "enomem: degraded table still finds every item");
	OK(check_iter(&t, &visits) && visits == 20, "enomem: degraded iteration");
	nhrp_htable_remove(&t, &items[3].node);
	items[3].in = 0;
	OK(lookup(&t, items[3].key, 0) == NULL && t.count == 19,
	    "enomem: degraded remove");
	INT_EQ(nhrp_htable_insert(&t, &items[3].node, key_hash(items[3].key,
	    0)), 0, "enomem: recovers when allocation works again");
	items[3].in = 1;
	OK(t.bucket != NULL && t.nbuckets == 32, "enomem: real buckets again");
	ok = 1;
	for (i = 0; i < 20; i++)
		if (lookup(&t, items[i].key, 0) != &items[i])
			ok = 0;
	OK(ok, "enomem: items moved into the new buckets");
	/* growth failure keeps the old buckets */
	fail_calloc = 1;
	for (i = 20; i < 33; i++) {
		nhrp_htable_insert(&t, &items[i].node,
		    key_hash(items[i].key, 0));
		items[i].in = 1;
	}
	INT_EQ(t.nbuckets, 32, "enomem: failed growth keeps 32 buckets");
	INT_EQ(nhrp_htable_insert(&t, &items[33].node, key_hash(items[33].key,
	    0)), 0, "enomem: next insert grows");
	items[33].in = 1;
	INT_EQ(t.nbuckets, 64, "enomem: grown to 64");
	OK(check_iter(&t, &visits) && visits == 34, "enomem: all 34 there");
	nhrp_htable_free(&t);
}

int
main(void)
{
	test_empty();
	test_growth();
	test_collisions();
	test_iter_remove();
	test_random(0);
	test_random(1);
	test_enomem();
	return tap_done();
}
