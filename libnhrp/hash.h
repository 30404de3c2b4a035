/*
 * hash.h - intrusive chained hash table (no allocation per item).
 *
 * Embed a struct nhrp_hnode in the item; the caller computes the hash
 * (e.g. nhrp_addr_hash()) and compares keys itself while walking the
 * chain of one hash value.  The table grows (doubles) past a load factor
 * of 1 and never rehashes the items' hash values, so insert, remove and
 * lookup are O(1) on average.  Memory: 16 bytes per node (in the item)
 * plus 8 to 16 bytes of bucket array per item.  Removal never shrinks the
 * table (so it is safe while iterating); nhrp_htable_compact() does.
 * Inserting while iterating is not allowed (growth reorders the buckets).
 * A zeroed struct is a valid empty table.
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
	struct nhrp_hnode	*single;	/* the one chain while bucket is NULL
						   after a failed first allocation */
};

void	nhrp_htable_init(struct nhrp_htable *);
void	nhrp_htable_free(struct nhrp_htable *);	/* frees buckets, not items */
/* 0, or -1 when growing failed (the item is still inserted, even when
 * the very first bucket array could not be allocated). */
int	nhrp_htable_insert(struct nhrp_htable *, struct nhrp_hnode *, uint32_t hash);
/* The node must be in the table (a node that is not is left alone). */
void	nhrp_htable_remove(struct nhrp_htable *, struct nhrp_hnode *);
/* Shrinks the bucket array to fit count (frees it when empty); never
 * while iterating.  Returns 0, or -1 when the smaller array could not be
 * allocated (the table is unchanged and still valid). */
int	nhrp_htable_compact(struct nhrp_htable *);
/* First / next node whose hash equals hash (keys still to be compared). */
struct nhrp_hnode *nhrp_htable_first(const struct nhrp_htable *, uint32_t hash);
struct nhrp_hnode *nhrp_htable_next(const struct nhrp_hnode *);
/* Iterate over everything (order unspecified); safe to remove the current node
 * only if the next one was fetched first:
 *	for (n = nhrp_htable_iter_first(t, &pos); n != NULL; n = nx) {
 *		nx = nhrp_htable_iter_next(t, &pos, n);
 *		nhrp_htable_remove(t, n);
 *	}
 * pos is the iterator's state; don't change it between calls. */
struct nhrp_hnode *nhrp_htable_iter_first(const struct nhrp_htable *, size_t *pos);
struct nhrp_hnode *nhrp_htable_iter_next(const struct nhrp_htable *, size_t *pos,
	    const struct nhrp_hnode *);

#define nhrp_hnode_entry(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
