/*
 * hash.c - intrusive chained hash table with power-of-two buckets.
 *
 * Items carry their hash value, so growing and shrinking move nodes by
 * the stored value and never call back into the caller.  Removal never
 * reallocates, which keeps iteration with removal safe.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"

#define HTABLE_MIN	8	/* buckets allocated by the first insert */

void
nhrp_htable_init(struct nhrp_htable *t)
{
	memset(t, 0, sizeof(*t));
}

void
nhrp_htable_free(struct nhrp_htable *t)
{
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}

/* The chain head for a hash value; NULL before the first insert. */
static struct nhrp_hnode **
htable_head(struct nhrp_htable *t, uint32_t hash)
{
	if (t->bucket != NULL)
		return &t->bucket[hash & (t->nbuckets - 1)];
	if (t->nbuckets != 0)
		return &t->single;
	return NULL;
}

static struct nhrp_hnode *
htable_chain(const struct nhrp_htable *t, size_t i)
{
	if (t->bucket != NULL)
		return t->bucket[i];
	return i == 0 ? t->single : NULL;
}

/* Moves every node into a new array of n buckets (n a power of two). */
static int
htable_resize(struct nhrp_htable *t, size_t n)
{
	struct nhrp_hnode **nb, *node, *next;
	size_t i;

	if (n > SIZE_MAX / sizeof(*nb))
		return -1;
	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return -1;
	for (i = 0; i < t->nbuckets; i++) {
		for (node = htable_chain(t, i); node != NULL; node = next) {
			next = node->next;
			node->next = nb[node->hash & (n - 1)];
			nb[node->hash & (n - 1)] = node;
		}
	}
	free(t->bucket);
	t->bucket = nb;
	t->nbuckets = n;
	t->single = NULL;
	return 0;
}

int
nhrp_htable_insert(struct nhrp_htable *t, struct nhrp_hnode *node,
    uint32_t hash)
{
	struct nhrp_hnode **head;
	size_t n;
	int rc = 0;

	if (t->nbuckets == 0) {
		if (htable_resize(t, HTABLE_MIN) == -1) {
			/* degraded: one chain kept in the table itself */
			t->nbuckets = 1;
			rc = -1;
		}
	} else if (t->bucket == NULL) {
		/* degraded: retry with room for everything */
		for (n = HTABLE_MIN; n <= t->count; n *= 2)
			;
		if (htable_resize(t, n) == -1)
			rc = -1;
	} else if (t->count >= t->nbuckets) {
		/* count becomes > nbuckets with this item: double */
		if (htable_resize(t, t->nbuckets * 2) == -1)
			rc = -1;
	}
	node->hash = hash;
	head = htable_head(t, hash);
	node->next = *head;
	*head = node;
	t->count++;
	return rc;
}

void
nhrp_htable_remove(struct nhrp_htable *t, struct nhrp_hnode *node)
{
	struct nhrp_hnode **pp;

	if ((pp = htable_head(t, node->hash)) == NULL)
		return;
	for (; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == node) {
			*pp = node->next;
			node->next = NULL;
			t->count--;
			return;
		}
	}
}

int
nhrp_htable_compact(struct nhrp_htable *t)
{
	size_t n;

	if (t->count == 0) {
		nhrp_htable_free(t);
		return 0;
	}
	for (n = HTABLE_MIN; n < t->count; n *= 2)
		;
	if (t->bucket != NULL && n >= t->nbuckets)
		return 0;
	return htable_resize(t, n);
}

struct nhrp_hnode *
nhrp_htable_first(const struct nhrp_htable *t, uint32_t hash)
{
	struct nhrp_hnode *n;

	if (t->nbuckets == 0)
		return NULL;
	n = htable_chain(t, hash & (t->nbuckets - 1));
	while (n != NULL && n->hash != hash)
		n = n->next;
	return n;
}

struct nhrp_hnode *
nhrp_htable_next(const struct nhrp_hnode *node)
{
	struct nhrp_hnode *n;

	for (n = node->next; n != NULL; n = n->next)
		if (n->hash == node->hash)
			return n;
	return NULL;
}

static struct nhrp_hnode *
htable_scan(const struct nhrp_htable *t, size_t *pos, size_t i)
{
	struct nhrp_hnode *n;

	for (; i < t->nbuckets; i++) {
		if ((n = htable_chain(t, i)) != NULL) {
			*pos = i;
			return n;
		}
	}
	*pos = t->nbuckets;
	return NULL;
}

struct nhrp_hnode *
nhrp_htable_iter_first(const struct nhrp_htable *t, size_t *pos)
{
	return htable_scan(t, pos, 0);
}

struct nhrp_hnode *
nhrp_htable_iter_next(const struct nhrp_htable *t, size_t *pos,
    const struct nhrp_hnode *node)
{
	if (node == NULL || t->nbuckets == 0)
		return NULL;
	if (node->next != NULL)
		return node->next;
	/* the node's own bucket, from its stored hash */
	return htable_scan(t, pos, (node->hash & (t->nbuckets - 1)) + 1);
}
