/*
 * bench_index.c - cost per operation and bytes per entry of the peer
 * cache indexes (hash table, prefix trie) from 1k to 1M entries.
 *
 * usage: bench_index [max-entries]	(default 1000000)
 *
 * Memory is counted with mallinfo2() (bytes in use by malloc, headers
 * included) around building each index; the hash node itself lives in
 * the item and is counted as sizeof(struct nhrp_hnode).  Times are
 * thread CPU time, the fastest of ROUNDS runs.
 */
#include <arpa/inet.h>

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "hash.h"
#include "ptrie.h"

struct item {
	struct nhrp_hnode	 node;
	struct nhrp_addr	 addr;
};

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint32_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32);
}

static double
now_ns(void)
{
	struct timespec ts;

	/* CPU time of this thread: time-slicing on a busy machine is left out */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static size_t
heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;	/* brk heap + mmapped blocks */
}

/* Distinct spoke addresses: IPv4 in 10.0.0.0/8, IPv6 in 2001:db8::/32. */
static void
make_addr(struct nhrp_addr *a, uint16_t afn, size_t i)
{
	uint8_t b[16];
	uint32_t v = (uint32_t)(i * 2654435761u) & 0x00ffffff;

	if (afn == NHRP_AFN_IPV4) {
		nhrp_addr_set_ipv4(a, htonl(0x0a000000u | v));
		return;
	}
	memset(b, 0, sizeof(b));
	b[0] = 0x20; b[1] = 0x01; b[2] = 0x0d; b[3] = 0xb8;
	b[7] = (uint8_t)(i >> 24);	/* a /64 per 16M spokes */
	b[12] = (uint8_t)rnd();		/* random interface id bits */
	b[13] = (uint8_t)(v >> 16);
	b[14] = (uint8_t)(v >> 8);
	b[15] = (uint8_t)v;
	nhrp_addr_set(a, afn, b, 16);
}

static size_t *
shuffled(size_t n)
{
	size_t *o, i, j, t;

	if ((o = malloc(n * sizeof(*o))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		o[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = rnd() % (i + 1);
		t = o[i];
		o[i] = o[j];
		o[j] = t;
	}
	return o;
}

/*
 * The machine is shared: every size is run ROUNDS times and the fastest
 * round of each operation is printed at the end of the size.
 */
#define ROUNDS	3
#define MAXRES	32

struct result {
	const char	*what;
	const char	*op;
	double		 ns;
	double		 bytes;
	const char	*note;
	char		 notebuf[64];
};

static struct result results[MAXRES];
static size_t nresults;

static struct result *
result(const char *what, const char *op)
{
	size_t i;

	for (i = 0; i < nresults; i++)
		if (strcmp(results[i].what, what) == 0 &&
		    strcmp(results[i].op, op) == 0)
			return &results[i];
	if (nresults == MAXRES)
		abort();
	results[nresults].what = what;
	results[nresults].op = op;
	results[nresults].ns = -1;
	results[nresults].bytes = -1;
	results[nresults].notebuf[0] = '\0';
	return &results[nresults++];
}

static void
report(const char *what, size_t n, const char *op, double ns, size_t ops)
{
	struct result *r = result(what, op);

	if (r->ns < 0 || ns / (double)ops < r->ns)
		r->ns = ns / (double)ops;
}

static void
report_mem(const char *what, double bytes, const char *label, size_t a)
{
	struct result *r = result(what, "memory");

	r->bytes = bytes;
	snprintf(r->notebuf, sizeof(r->notebuf), "(%s %zu)", label, a);
}

static void
flush_results(size_t n)
{
	size_t i;

	for (i = 0; i < nresults; i++) {
		if (results[i].bytes >= 0)
			printf("%-10s %8zu  %-8s %8.1f bytes/entry  %s\n",
			    results[i].what, n, results[i].op,
			    results[i].bytes, results[i].notebuf);
		else
			printf("%-10s %8zu  %-8s %8.1f ns/op\n",
			    results[i].what, n, results[i].op, results[i].ns);
	}
	nresults = 0;
}

static struct item *
lookup(const struct nhrp_htable *t, const struct nhrp_addr *a)
{
	struct nhrp_hnode *n;
	struct item *it;

	for (n = nhrp_htable_first(t, nhrp_addr_hash(a)); n != NULL;
	    n = nhrp_htable_next(n)) {
		it = nhrp_hnode_entry(n, struct item, node);
		if (nhrp_addr_equal(&it->addr, a))
			return it;
	}
	return NULL;
}

static int
bench_hash(size_t n, struct item *items, size_t *order)
{
	struct nhrp_htable t;
	size_t i, mem0, mem, miss = 0;
	double t0;

	for (i = 0; i < n; i++)
		make_addr(&items[i].addr, NHRP_AFN_IPV4, i);
	nhrp_htable_init(&t);
	mem0 = heap_used();
	t0 = now_ns();
	for (i = 0; i < n; i++)
		nhrp_htable_insert(&t, &items[i].node,
		    nhrp_addr_hash(&items[i].addr));
	report("hash", n, "insert", now_ns() - t0, n);
	mem = heap_used() - mem0;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (lookup(&t, &items[order[i]].addr) != &items[order[i]])
			miss++;
	report("hash", n, "lookup", now_ns() - t0, n);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		nhrp_htable_remove(&t, &items[order[i]].node);
	report("hash", n, "remove", now_ns() - t0, n);
	report_mem("hash", (double)mem / (double)n + sizeof(struct nhrp_hnode),
	    "16 in the item + buckets:", t.nbuckets);
	nhrp_htable_free(&t);
	if (miss != 0 || t.count != 0) {
		printf("hash: %zu lookups failed\n", miss);
		return 1;
	}
	return 0;
}

static int
first_cb(void *slot, const struct nhrp_addr *p, unsigned plen, void *arg)
{
	*(void **)arg = slot;
	return 1;
}

static int
bench_trie(uint16_t afn, size_t n, size_t *order)
{
	const char *name = afn == NHRP_AFN_IPV4 ? "trie-ipv4" : "trie-ipv6";
	struct nhrp_ptrie *t;
	struct nhrp_addr *addrs, a;
	unsigned maxp = nhrp_afn_maxprefix(afn);
	size_t i, mem0, mem, nodes, bad = 0;
	void **slot, *found;
	double t0;

	if ((addrs = malloc(n * sizeof(*addrs))) == NULL)
		return 1;
	for (i = 0; i < n; i++)
		make_addr(&addrs[i], afn, i);
	mem0 = heap_used();
	if ((t = nhrp_ptrie_new(afn)) == NULL)
		return 1;
	/* a few covering prefixes, as configured on a hub */
	make_addr(&a, afn, 0);
	if ((slot = nhrp_ptrie_slot(t, &a, 0, 1)) == NULL)
		return 1;
	*slot = &a;
	if ((slot = nhrp_ptrie_slot(t, &a, 8, 1)) == NULL)
		return 1;
	*slot = &a;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if ((slot = nhrp_ptrie_slot(t, &addrs[i], maxp, 1)) == NULL)
			return 1;
		*slot = &addrs[i];
	}
	report(name, n, "insert", now_ns() - t0, n);
	mem = heap_used() - mem0;
	nodes = nhrp_ptrie_nodes(t);

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		slot = nhrp_ptrie_slot(t, &addrs[order[i]], maxp, 0);
		if (slot == NULL || *slot != &addrs[order[i]])
			bad++;
	}
	report(name, n, "exact", now_ns() - t0, n);

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		found = NULL;
		nhrp_ptrie_match(t, &addrs[order[i]], first_cb, &found);
		if (found != &addrs[order[i]])
			bad++;
	}
	report(name, n, "match", now_ns() - t0, n);

	t0 = now_ns();
	for (i = 0; i < n; i++)
		nhrp_ptrie_remove(t, &addrs[order[i]], maxp);
	report(name, n, "remove", now_ns() - t0, n);
	report_mem(name, (double)mem / (double)n, "nodes:", nodes);
	if (nhrp_ptrie_count(t) != 2 || bad != 0) {
		printf("%s: %zu lookups failed\n", name, bad);
		return 1;
	}
	nhrp_ptrie_free(t);
	free(addrs);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct item *items;
	size_t *order, n, max = 1000000;
	int r, rc = 0;

	if (argc > 1)
		max = strtoul(argv[1], NULL, 10);
	if (max > 16000000) {
		fprintf(stderr, "usage: bench_index [max-entries <= 16M]\n");
		return 2;
	}
	if ((items = calloc(max, sizeof(*items))) == NULL)
		return 1;
	printf("%-10s %8s  %-8s %8s\n", "index", "entries", "op", "cost");
	printf("(fastest of %d rounds)\n", ROUNDS);
	for (n = 1000; n <= max; n *= 10) {
		if ((order = shuffled(n)) == NULL)
			return 1;
		for (r = 0; r < ROUNDS; r++) {
			rc |= bench_hash(n, items, order);
			rc |= bench_trie(NHRP_AFN_IPV4, n, order);
			rc |= bench_trie(NHRP_AFN_IPV6, n, order);
		}
		flush_results(n);
		fflush(stdout);
		free(order);
	}
	free(items);
	return rc;
}
