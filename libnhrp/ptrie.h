/*
 * ptrie.h - a binary prefix trie (path-compressed) from address/prefix to
 * a caller-owned slot (typically the head of a list of cache entries
 * with that exact prefix).
 *
 * All operations cost O(address bits), independent of the number of
 * prefixes stored.  One trie holds one address family: an address of
 * another family (or of the wrong length) is never found, created or
 * removed.  Host bits of addr beyond plen are ignored everywhere, and a
 * plen above the family maximum (32, 128) is clamped to it.
 *
 * Memory: at most two nodes per stored prefix, 24 bytes each for IPv4
 * and 40 for IPv6 (32-bit child references), taken from chunks owned by
 * the trie (no malloc header per node).  Removed nodes are reused; the chunks are released when the
 * trie becomes empty or is freed.
 *
 * Callbacks get the slot's value and must not modify the trie (no
 * nhrp_ptrie_slot() with create, no nhrp_ptrie_remove()): collect what
 * to change and do it after the walk.
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
 * on ENOMEM or, without create, when the prefix is not present.  The
 * pointer stays valid until addr/plen is removed (nodes never move).
 * A created prefix is stored (counted, visited) even while its slot is
 * NULL, until nhrp_ptrie_remove().
 */
void	**nhrp_ptrie_slot(struct nhrp_ptrie *, const struct nhrp_addr *,
	    unsigned plen, int create);
/* Removes addr/plen (call when its slot became empty); no-op when absent. */
void	nhrp_ptrie_remove(struct nhrp_ptrie *, const struct nhrp_addr *, unsigned plen);

/* Callback: return non-zero to stop the walk (the value is returned).
 * prefix has its host bits cleared. */
typedef int (*nhrp_ptrie_cb)(void *slot, const struct nhrp_addr *prefix,
	    unsigned plen, void *arg);

/* Every stored prefix that covers addr, longest first. */
int	nhrp_ptrie_match(const struct nhrp_ptrie *, const struct nhrp_addr *,
	    nhrp_ptrie_cb, void *arg);
/* Every stored prefix equal to or more specific than addr/plen, in the
 * order of nhrp_ptrie_walk(). */
int	nhrp_ptrie_walk_below(const struct nhrp_ptrie *, const struct nhrp_addr *,
	    unsigned plen, nhrp_ptrie_cb, void *arg);
/* Every stored prefix, in address order; a prefix comes before the
 * longer prefixes it covers. */
int	nhrp_ptrie_walk(const struct nhrp_ptrie *, nhrp_ptrie_cb, void *arg);

/* Bytes allocated by the trie, and nodes in use (stored and glue). */
size_t	nhrp_ptrie_memsize(const struct nhrp_ptrie *);
size_t	nhrp_ptrie_nodes(const struct nhrp_ptrie *);

#endif
