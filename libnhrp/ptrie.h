/*
 * ptrie.h - a binary prefix trie (path-compressed) from address/prefix to
 * a caller-owned slot (typically the head of a list of cache entries
 * with that exact prefix).
 *
 * All operations cost O(address bits), independent of the number of
 * prefixes stored.  One trie holds one address family.
 */
#ifndef NHRP_PTRIE_H
#define NHRP_PTRIE_H

#include <stddef.h>

#include "addr.h"

struct nhrp_ptrie;

struct nhrp_ptrie *nhrp_ptrie_new(uint16_t afn);
void	nhrp_ptrie_free(struct nhrp_ptrie *);	/* slots are not freed */
size_t	nhrp_ptrie_count(const struct nhrp_ptrie *);	/* prefixes with a slot */

/*
 * The slot for exactly addr/plen (host bits of addr are ignored).  With
 * create, a missing node is made (its slot starts NULL); NULL is returned
 * on ENOMEM or, without create, when the prefix is not present.
 */
void	**nhrp_ptrie_slot(struct nhrp_ptrie *, const struct nhrp_addr *,
	    unsigned plen, int create);
/* Removes addr/plen (call when its slot became empty). */
void	nhrp_ptrie_remove(struct nhrp_ptrie *, const struct nhrp_addr *, unsigned plen);

/* Callback: return non-zero to stop the walk (the value is returned). */
typedef int (*nhrp_ptrie_cb)(void *slot, const struct nhrp_addr *prefix,
	    unsigned plen, void *arg);

/* Every stored prefix that covers addr, longest first. */
int	nhrp_ptrie_match(const struct nhrp_ptrie *, const struct nhrp_addr *,
	    nhrp_ptrie_cb, void *arg);
/* Every stored prefix equal to or more specific than addr/plen. */
int	nhrp_ptrie_walk_below(const struct nhrp_ptrie *, const struct nhrp_addr *,
	    unsigned plen, nhrp_ptrie_cb, void *arg);
/* Every stored prefix. */
int	nhrp_ptrie_walk(const struct nhrp_ptrie *, nhrp_ptrie_cb, void *arg);

#endif
