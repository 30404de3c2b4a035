/*
 * cache.h - the peer cache indexes: per interface a prefix trie (slot =
 * list of entries with exactly that prefix) and an NBMA hash; local
 * entries in one global trie.  No walk over all peers per packet.
 */
#ifndef NHRP_CACHE_H
#define NHRP_CACHE_H

#include <stdbool.h>

#include "addr.h"

struct nhrp_iface;
struct nhrp_peer;

int	cache_init(void);
void	cache_shutdown(void);
int	cache_iface_init(struct nhrp_iface *);
void	cache_iface_clear(struct nhrp_iface *);

/* index maintenance */
int	cache_link(struct nhrp_peer *);		/* tries, hash, show list */
void	cache_unlink(struct nhrp_peer *);
void	cache_nbma_changed(struct nhrp_peer *, const struct nhrp_addr *newnbma);

/* callback: non-zero stops */
typedef int (*cache_cb)(struct nhrp_peer *, void *);

/* Entries of iface (and, with local, the global local entries of iface)
 * whose masked prefix is exactly proto/prefix. */
int	cache_foreach_prefix(struct nhrp_iface *, const struct nhrp_addr *,
	    unsigned prefix, unsigned typemask, cache_cb, void *);
/* Entries whose prefix covers addr, longest first. */
int	cache_foreach_covering(struct nhrp_iface *, const struct nhrp_addr *,
	    unsigned typemask, cache_cb, void *);
/* Entries of iface (not local) equal to or more specific than a/prefix;
 * the callback must not change the cache. */
int	cache_foreach_below(struct nhrp_iface *, const struct nhrp_addr *,
	    unsigned prefix, unsigned typemask, cache_cb, void *);
/* Entries of iface with this NBMA (shortcut-routes: with this next hop). */
int	cache_foreach_nbma(struct nhrp_iface *, const struct nhrp_addr *,
	    unsigned typemask, cache_cb, void *);
/* Local entries covering addr on iface or shortcut-destination ifaces. */
struct nhrp_peer *cache_local_match(struct nhrp_iface *, const struct nhrp_addr *);
/* Exact entry: same address/prefix of a type in mask. */
struct nhrp_peer *cache_find_exact(struct nhrp_iface *, const struct nhrp_addr *,
	    unsigned prefix, unsigned typemask);

/* Route decision 5.5 */
struct cache_route_excl {
	const struct nhrp_addr *src;		/* packet source proto */
	const struct nhrp_addr *transit_nbma;	/* pairs (nbma, proto) */
	const struct nhrp_addr *transit_proto;
	size_t ntransit;
};
struct nhrp_peer *cache_route(struct nhrp_iface *, const struct nhrp_addr *dst,
	    unsigned typemask, const struct cache_route_excl *, double now);

#endif
