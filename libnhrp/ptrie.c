/*
 * ptrie.c - path-compressed binary prefix trie.
 *
 * Every node has a key (masked to its plen) and two children; a child's
 * prefix is longer and extends its parent's prefix, and the child index
 * is the bit right after the parent's prefix.  A node is either a stored
 * prefix (it has a slot) or glue; glue nodes always have two children,
 * so n stored prefixes need at most 2n - 1 nodes.
 *
 * Nodes have one fixed size per trie (key length by family) and come
 * from chunks of CHUNK_NODES nodes owned by the trie, so there is no
 * malloc header per node.  Children are 32-bit node references (index +
 * 1, 0: none) rather than pointers: 24 bytes per IPv4 node, 40 per IPv6
 * node.  Freed nodes go on a free list for reuse; the chunks are released
 * when the trie becomes empty or is freed.  Nodes never move (only the
 * table of chunk pointers grows), so a slot pointer stays valid until its
 * prefix is removed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ptrie.h"

#define PTRIE_MAXBITS	128
#define CHUNK_NODES	128	/* even: see test_enomem_glue */

/*
 * What a lookup reads comes first; the slot (void *) is at the end of
 * the node (slotoff).
 */
struct pnode {
	uint32_t	 child[2];	/* node references, 0: none */
	uint8_t		 plen;
	uint8_t		 stored;
	uint8_t		 key[];		/* keylen bytes, masked to plen */
};

struct nhrp_ptrie {
	uint32_t	 root;
	uint32_t	 freelist;	/* through child[0] */
	size_t		 count;		/* stored prefixes */
	size_t		 nnodes;	/* nodes in use */
	size_t		 nodesize;
	size_t		 slotoff;
	uint8_t		**chunk;	/* CHUNK_NODES nodes each */
	size_t		 nchunks, chunkcap;
	size_t		 chunkbytes;	/* all chunks and the chunk table */
	uint16_t	 afn;
	uint8_t		 keylen;
	uint8_t		 maxbits;
};

static inline struct pnode *
NODE(const struct nhrp_ptrie *t, uint32_t ref)
{
	uint32_t i = ref - 1;

	return (struct pnode *)(void *)(t->chunk[i / CHUNK_NODES] +
	    (size_t)(i % CHUNK_NODES) * t->nodesize);
}

static inline void **
node_slot(const struct nhrp_ptrie *t, const struct pnode *n)
{
	return (void **)(void *)((uintptr_t)n + t->slotoff);
}

static inline unsigned
key_bit(const uint8_t *k, unsigned i)
{
	return (k[i >> 3] >> (7 - (i & 7))) & 1;
}

/* The first bit below limit where a and b differ, or limit. */
static unsigned
key_diff(const uint8_t *a, const uint8_t *b, unsigned limit)
{
	unsigned i, d;
	uint8_t x;

	for (i = 0; i * 8 < limit; i++) {
		if ((x = a[i] ^ b[i]) != 0) {
			d = i * 8 + (unsigned)__builtin_clz(x) - 24;
			return d < limit ? d : limit;
		}
	}
	return limit;
}

static void
key_copy(uint8_t *dst, const uint8_t *src, unsigned len, unsigned plen)
{
	unsigned i;

	for (i = 0; i < len; i++) {
		if (plen >= (i + 1) * 8)
			dst[i] = src[i];
		else if (plen > i * 8)
			dst[i] = src[i] & (uint8_t)(0xff << (8 - (plen - i * 8)));
		else
			dst[i] = 0;
	}
}

static void
ptrie_release(struct nhrp_ptrie *t)
{
	size_t i;

	for (i = 0; i < t->nchunks; i++)
		free(t->chunk[i]);
	free(t->chunk);
	t->chunk = NULL;
	t->nchunks = t->chunkcap = 0;
	t->freelist = 0;
	t->chunkbytes = 0;
	t->root = 0;
	t->nnodes = 0;
	t->count = 0;
}

/* A new node's reference, 0 on ENOMEM. */
static uint32_t
node_new(struct nhrp_ptrie *t, const uint8_t *key, unsigned plen, int stored)
{
	struct pnode *n;
	uint8_t *c, **nt;
	size_t i, ncap, base;
	uint32_t ref;

	if (t->freelist == 0) {
		base = t->nchunks * CHUNK_NODES;
		if (base > UINT32_MAX - 2 * CHUNK_NODES)
			return 0;
		if ((c = malloc(CHUNK_NODES * t->nodesize)) == NULL)
			return 0;
		if (t->nchunks == t->chunkcap) {
			ncap = t->chunkcap ? t->chunkcap * 2 : 4;
			if ((nt = realloc(t->chunk, ncap * sizeof(*nt))) == NULL) {
				free(c);
				return 0;
			}
			t->chunkbytes += (ncap - t->chunkcap) * sizeof(*nt);
			t->chunk = nt;
			t->chunkcap = ncap;
		}
		t->chunk[t->nchunks++] = c;
		t->chunkbytes += CHUNK_NODES * t->nodesize;
		for (i = CHUNK_NODES; i-- > 0; ) {
			n = (struct pnode *)(void *)(c + i * t->nodesize);
			n->child[0] = t->freelist;
			t->freelist = (uint32_t)(base + i + 1);
		}
	}
	ref = t->freelist;
	n = NODE(t, ref);
	t->freelist = n->child[0];
	n->child[0] = n->child[1] = 0;
	*node_slot(t, n) = NULL;
	n->plen = (uint8_t)plen;
	n->stored = stored != 0;
	key_copy(n->key, key, t->keylen, plen);
	t->nnodes++;
	return ref;
}

static void
node_free(struct nhrp_ptrie *t, uint32_t ref)
{
	struct pnode *n = NODE(t, ref);

	n->child[0] = t->freelist;
	n->child[1] = 0;
	*node_slot(t, n) = NULL;
	t->freelist = ref;
	t->nnodes--;
}

struct nhrp_ptrie *
nhrp_ptrie_new(uint16_t afn)
{
	struct nhrp_ptrie *t;
	size_t keylen;

	if ((keylen = nhrp_afn_addrlen(afn)) == 0 || keylen * 8 > PTRIE_MAXBITS)
		return NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->afn = afn;
	t->keylen = (uint8_t)keylen;
	t->maxbits = (uint8_t)(keylen * 8);
	t->slotoff = (offsetof(struct pnode, key) + keylen +
	    sizeof(void *) - 1) & ~(sizeof(void *) - 1);
	t->nodesize = t->slotoff + sizeof(void *);
	return t;
}

void
nhrp_ptrie_free(struct nhrp_ptrie *t)
{
	if (t == NULL)
		return;
	ptrie_release(t);
	free(t);
}

size_t
nhrp_ptrie_count(const struct nhrp_ptrie *t)
{
	return t->count;
}

size_t
nhrp_ptrie_memsize(const struct nhrp_ptrie *t)
{
	return sizeof(*t) + t->chunkbytes;
}

size_t
nhrp_ptrie_nodes(const struct nhrp_ptrie *t)
{
	return t->nnodes;
}

/* Checks the address family and clamps plen; NULL on a family mismatch. */
static const uint8_t *
ptrie_key(const struct nhrp_ptrie *t, const struct nhrp_addr *a,
    unsigned *plen)
{
	if (a == NULL || a->afn != t->afn || a->len != t->keylen)
		return NULL;
	if (*plen > t->maxbits)
		*plen = t->maxbits;
	return a->addr;
}

void **
nhrp_ptrie_slot(struct nhrp_ptrie *t, const struct nhrp_addr *addr,
    unsigned plen, int create)
{
	struct pnode *n, *glue, *leaf;
	uint32_t *pp, nref, gref, lref;
	const uint8_t *key;
	unsigned d, m;

	if ((key = ptrie_key(t, addr, &plen)) == NULL)
		return NULL;
	for (pp = &t->root; (nref = *pp) != 0; pp = &n->child[key_bit(key,
	    n->plen)]) {
		n = NODE(t, nref);
		m = n->plen < plen ? n->plen : plen;
		d = key_diff(n->key, key, m);
		if (d < n->plen) {
			if (!create)
				return NULL;
			if (d == plen) {
				/* addr/plen covers n: goes between */
				if ((lref = node_new(t, key, plen, 1)) == 0)
					return NULL;
				leaf = NODE(t, lref);
				leaf->child[key_bit(n->key, plen)] = nref;
				*pp = lref;
				t->count++;
				return node_slot(t, leaf);
			}
			/* they diverge at bit d: glue above both */
			if ((gref = node_new(t, key, d, 0)) == 0)
				return NULL;
			if ((lref = node_new(t, key, plen, 1)) == 0) {
				node_free(t, gref);
				return NULL;
			}
			glue = NODE(t, gref);
			glue->child[key_bit(key, d)] = lref;
			glue->child[key_bit(n->key, d)] = nref;
			*pp = gref;
			t->count++;
			return node_slot(t, NODE(t, lref));
		}
		if (n->plen == plen) {
			if (!n->stored) {
				if (!create)
					return NULL;
				n->stored = 1;
				*node_slot(t, n) = NULL;
				t->count++;
			}
			return node_slot(t, n);
		}
		/* n covers addr/plen: descend (n->plen < plen <= maxbits) */
	}
	if (!create)
		return NULL;
	if ((lref = node_new(t, key, plen, 1)) == 0)
		return NULL;
	*pp = lref;
	t->count++;
	return node_slot(t, NODE(t, lref));
}

void
nhrp_ptrie_remove(struct nhrp_ptrie *t, const struct nhrp_addr *addr,
    unsigned plen)
{
	uint32_t *pp, *parentpp = NULL, nref = 0, pref = 0;
	struct pnode *n = NULL, *parent = NULL;
	const uint8_t *key;

	if ((key = ptrie_key(t, addr, &plen)) == NULL)
		return;
	for (pp = &t->root; (nref = *pp) != 0; ) {
		n = NODE(t, nref);
		if (n->plen >= plen)
			break;
		parentpp = pp;
		parent = n;
		pref = nref;
		pp = &n->child[key_bit(key, n->plen)];
	}
	if (nref == 0 || n->plen != plen || !n->stored ||
	    key_diff(n->key, key, plen) < plen)
		return;
	n->stored = 0;
	*node_slot(t, n) = NULL;
	t->count--;
	if (n->child[0] != 0 && n->child[1] != 0)
		return;			/* stays as glue */
	*pp = n->child[0] != 0 ? n->child[0] : n->child[1];
	node_free(t, nref);
	if (*pp == 0 && parent != NULL && !parent->stored) {
		/* the parent glue is left with one child: splice it out */
		*parentpp = parent->child[0] != 0 ? parent->child[0] :
		    parent->child[1];
		node_free(t, pref);
	}
	if (t->root == 0)
		ptrie_release(t);
}

static int
ptrie_visit(const struct nhrp_ptrie *t, const struct pnode *n,
    nhrp_ptrie_cb cb, void *arg)
{
	struct nhrp_addr prefix;

	memset(&prefix, 0, sizeof(prefix));
	prefix.afn = t->afn;
	prefix.len = t->keylen;
	memcpy(prefix.addr, n->key, t->keylen);
	return cb(*node_slot(t, n), &prefix, n->plen, arg);
}

int
nhrp_ptrie_match(const struct nhrp_ptrie *t, const struct nhrp_addr *addr,
    nhrp_ptrie_cb cb, void *arg)
{
	const struct pnode *path[PTRIE_MAXBITS + 1], *n;
	const uint8_t *key;
	unsigned plen = PTRIE_MAXBITS, depth = 0;
	uint32_t ref;
	int rc;

	if ((key = ptrie_key(t, addr, &plen)) == NULL)
		return 0;
	for (ref = t->root; ref != 0; ref = n->child[key_bit(key, n->plen)]) {
		n = NODE(t, ref);
		if (key_diff(n->key, key, n->plen) < n->plen)
			break;
		if (n->stored)
			path[depth++] = n;
		if (n->plen >= t->maxbits)
			break;
	}
	while (depth > 0)
		if ((rc = ptrie_visit(t, path[--depth], cb, arg)) != 0)
			return rc;
	return 0;
}

static int
ptrie_walk_node(const struct nhrp_ptrie *t, const struct pnode *n,
    nhrp_ptrie_cb cb, void *arg)
{
	int rc;

	if (n->stored && (rc = ptrie_visit(t, n, cb, arg)) != 0)
		return rc;
	if (n->child[0] != 0 &&
	    (rc = ptrie_walk_node(t, NODE(t, n->child[0]), cb, arg)) != 0)
		return rc;
	if (n->child[1] != 0 &&
	    (rc = ptrie_walk_node(t, NODE(t, n->child[1]), cb, arg)) != 0)
		return rc;
	return 0;
}

int
nhrp_ptrie_walk_below(const struct nhrp_ptrie *t,
    const struct nhrp_addr *addr, unsigned plen, nhrp_ptrie_cb cb, void *arg)
{
	const struct pnode *n = NULL;
	const uint8_t *key;
	uint32_t ref;

	if ((key = ptrie_key(t, addr, &plen)) == NULL)
		return 0;
	for (ref = t->root; ref != 0; ref = n->child[key_bit(key, n->plen)]) {
		n = NODE(t, ref);
		if (n->plen >= plen)
			break;
	}
	if (ref == 0 || key_diff(n->key, key, plen) < plen)
		return 0;
	return ptrie_walk_node(t, n, cb, arg);
}

int
nhrp_ptrie_walk(const struct nhrp_ptrie *t, nhrp_ptrie_cb cb, void *arg)
{
	if (t->root == 0)
		return 0;
	return ptrie_walk_node(t, NODE(t, t->root), cb, arg);
}
