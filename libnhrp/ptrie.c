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
 * from chunks owned by the trie, so there is no malloc header per node:
 * 32 bytes per IPv4 node, 48 per IPv6 node.  Freed nodes go on a free
 * list for reuse; the chunks are released when the trie becomes empty
 * or is freed.  Nodes never move, so a slot pointer stays valid until
 * its prefix is removed.
 */
#include <stdlib.h>
#include <string.h>

#include "ptrie.h"

#define PTRIE_MAXBITS	128
#define CHUNK_FIRST	8	/* nodes in the first chunk, doubling ... */
#define CHUNK_MAX	512	/* ... up to this many */

/*
 * What a lookup reads comes first; the slot (void *) is at the end of
 * the node (slotoff).  Nodes start on a 64-byte boundary in their chunk,
 * so an IPv4 node never straddles two cache lines.
 */
struct pnode {
	struct pnode	*child[2];
	uint8_t		 plen;
	uint8_t		 stored;
	uint8_t		 key[];		/* keylen bytes, masked to plen */
};

struct pchunk {
	struct pchunk	*next;
	size_t		 size;		/* bytes allocated */
};
#define NODE_ALIGN	64

struct nhrp_ptrie {
	struct pnode	*root;
	size_t		 count;		/* stored prefixes */
	size_t		 nnodes;	/* nodes in use */
	size_t		 nodesize;
	size_t		 slotoff;
	size_t		 chunknodes;	/* nodes in the next chunk */
	size_t		 chunkbytes;	/* all chunks */
	struct pnode	*freelist;	/* through child[0] */
	struct pchunk	*chunks;
	uint16_t	 afn;
	uint8_t		 keylen;
	uint8_t		 maxbits;
};

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
	struct pchunk *c, *next;

	for (c = t->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	t->chunks = NULL;
	t->freelist = NULL;
	t->chunkbytes = 0;
	t->chunknodes = CHUNK_FIRST;
	t->root = NULL;
	t->nnodes = 0;
	t->count = 0;
}

static struct pnode *
node_new(struct nhrp_ptrie *t, const uint8_t *key, unsigned plen, int stored)
{
	struct pchunk *c;
	struct pnode *n;
	size_t i, size;
	uintptr_t p;

	if (t->freelist == NULL) {
		size = sizeof(*c) + NODE_ALIGN + t->chunknodes * t->nodesize;
		if ((c = malloc(size)) == NULL)
			return NULL;
		c->size = size;
		c->next = t->chunks;
		t->chunks = c;
		t->chunkbytes += size;
		p = ((uintptr_t)(c + 1) + NODE_ALIGN - 1) &
		    ~(uintptr_t)(NODE_ALIGN - 1);
		for (i = t->chunknodes; i-- > 0; ) {
			n = (struct pnode *)(p + i * t->nodesize);
			n->child[0] = t->freelist;
			t->freelist = n;
		}
		if (t->chunknodes < CHUNK_MAX)
			t->chunknodes *= 2;
	}
	n = t->freelist;
	t->freelist = n->child[0];
	n->child[0] = n->child[1] = NULL;
	*node_slot(t, n) = NULL;
	n->plen = (uint8_t)plen;
	n->stored = stored != 0;
	key_copy(n->key, key, t->keylen, plen);
	t->nnodes++;
	return n;
}

static void
node_free(struct nhrp_ptrie *t, struct pnode *n)
{
	n->child[0] = t->freelist;
	n->child[1] = NULL;
	*node_slot(t, n) = NULL;
	t->freelist = n;
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
	t->chunknodes = CHUNK_FIRST;
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
	struct pnode **pp, *n, *glue, *leaf;
	const uint8_t *key;
	unsigned d, m;

	if ((key = ptrie_key(t, addr, &plen)) == NULL)
		return NULL;
	for (pp = &t->root; (n = *pp) != NULL; pp = &n->child[key_bit(key,
	    n->plen)]) {
		m = n->plen < plen ? n->plen : plen;
		d = key_diff(n->key, key, m);
		if (d < n->plen) {
			if (!create)
				return NULL;
			if (d == plen) {
				/* addr/plen covers n: goes between */
				if ((leaf = node_new(t, key, plen, 1)) == NULL)
					return NULL;
				leaf->child[key_bit(n->key, plen)] = n;
				*pp = leaf;
				t->count++;
				return node_slot(t, leaf);
			}
			/* they diverge at bit d: glue above both */
			if ((glue = node_new(t, key, d, 0)) == NULL)
				return NULL;
			if ((leaf = node_new(t, key, plen, 1)) == NULL) {
				node_free(t, glue);
				return NULL;
			}
			glue->child[key_bit(key, d)] = leaf;
			glue->child[key_bit(n->key, d)] = n;
			*pp = glue;
			t->count++;
			return node_slot(t, leaf);
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
	if ((leaf = node_new(t, key, plen, 1)) == NULL)
		return NULL;
	*pp = leaf;
	t->count++;
	return node_slot(t, leaf);
}

void
nhrp_ptrie_remove(struct nhrp_ptrie *t, const struct nhrp_addr *addr,
    unsigned plen)
{
	struct pnode **pp, **parentpp = NULL, *n, *parent = NULL, *other;
	const uint8_t *key;

	if ((key = ptrie_key(t, addr, &plen)) == NULL)
		return;
	for (pp = &t->root; (n = *pp) != NULL && n->plen < plen; ) {
		parentpp = pp;
		parent = n;
		pp = &n->child[key_bit(key, n->plen)];
	}
	if (n == NULL || n->plen != plen || !n->stored ||
	    key_diff(n->key, key, plen) < plen)
		return;
	n->stored = 0;
	*node_slot(t, n) = NULL;
	t->count--;
	if (n->child[0] != NULL && n->child[1] != NULL)
		return;			/* stays as glue */
	*pp = n->child[0] != NULL ? n->child[0] : n->child[1];
	node_free(t, n);
	if (*pp == NULL && parent != NULL && !parent->stored) {
		/* the parent glue is left with one child: splice it out */
		other = parent->child[0] != NULL ? parent->child[0] :
		    parent->child[1];
		*parentpp = other;
		node_free(t, parent);
	}
	if (t->root == NULL)
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
	int rc;

	if ((key = ptrie_key(t, addr, &plen)) == NULL)
		return 0;
	for (n = t->root; n != NULL; n = n->child[key_bit(key, n->plen)]) {
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
	if (n->child[0] != NULL &&
	    (rc = ptrie_walk_node(t, n->child[0], cb, arg)) != 0)
		return rc;
	if (n->child[1] != NULL &&
	    (rc = ptrie_walk_node(t, n->child[1], cb, arg)) != 0)
		return rc;
	return 0;
}

int
nhrp_ptrie_walk_below(const struct nhrp_ptrie *t,
    const struct nhrp_addr *addr, unsigned plen, nhrp_ptrie_cb cb, void *arg)
{
	const struct pnode *n;
	const uint8_t *key;

	if ((key = ptrie_key(t, addr, &plen)) == NULL)
		return 0;
	for (n = t->root; n != NULL && n->plen < plen; )
		n = n->child[key_bit(key, n->plen)];
	if (n == NULL || key_diff(n->key, key, plen) < plen)
		return 0;
	return ptrie_walk_node(t, n, cb, arg);
}

int
nhrp_ptrie_walk(const struct nhrp_ptrie *t, nhrp_ptrie_cb cb, void *arg)
{
	if (t->root == NULL)
		return 0;
	return ptrie_walk_node(t, t->root, cb, arg);
}
