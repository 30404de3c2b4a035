/*
 * hash.h - intrusive chained hash table (no allocation per item).
 *
 * Embed a struct nhrp_hnode in the item; the caller computes the hash
 * (e.g. nhrp_addr_hash()) and compares keys itself while walking the
 * chain of one hash value.  The table grows (doubles) past a load factor
 * of 1 and never rehashes the items' hash values, so insert, remove and
 * lookup are O(1) on average.
 */
#ifndef NHRP_HASH_H
#define NHRP_HASH_H

#include <stddef.h>
#include <stdint.h>

struct nhrp_hnode {
	struct nhrp_hnode	*next;
	uint32_t		 hash;
};

struct nhrp_htable {
	struct nhrp_hnode	**bucket;
	size_t			 nbuckets;	/* power of two, 0 before first insert */
	size_t			 count;
};

void	nhrp_htable_init(struct nhrp_htable *);
void	nhrp_htable_free(struct nhrp_htable *);	/* frees buckets, not items */
/* 0, or -1 when growing failed (the item is still inserted). */
int	nhrp_htable_insert(struct nhrp_htable *, struct nhrp_hnode *, uint32_t hash);
void	nhrp_htable_remove(struct nhrp_htable *, struct nhrp_hnode *);
/* First / next node whose hash equals hash (keys still to be compared). */
struct nhrp_hnode *nhrp_htable_first(const struct nhrp_htable *, uint32_t hash);
struct nhrp_hnode *nhrp_htable_next(const struct nhrp_hnode *);
/* Iterate over everything (order unspecified); safe to remove the current node
 * only if the next one was fetched first. */
struct nhrp_hnode *nhrp_htable_iter_first(const struct nhrp_htable *, size_t *pos);
struct nhrp_hnode *nhrp_htable_iter_next(const struct nhrp_htable *, size_t *pos,
	    const struct nhrp_hnode *);

#define nhrp_hnode_entry(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
