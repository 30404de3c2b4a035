/*
 * cache.c - peer cache indexes and the route decision.
 *
 * Every interface has a prefix trie whose slots hold the list of the
 * entries with exactly that (masked) prefix, and a hash of the entries by
 * NBMA address.  Local entries live in one global trie.  The show lists
 * (newest first) are kept for output only, never for lookups.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "hash.h"
#include "iface.h"
#include "log.h"
#include "peer.h"
#include "ptrie.h"
#include "sysdep.h"

struct cache_slot {
	struct nhrp_peer_list	 list;
	size_t			 n;
};

static struct nhrp_ptrie *local_trie;
struct nhrp_peer_tailq local_list = TAILQ_HEAD_INITIALIZER(local_list);

/*
 * Kernel neighbour table limits (issue 7): every cached, dynamic,
 * dynamic-nhs and static entry holds (or is about to hold) one kernel
 * neighbour entry, and above gc_thresh3 the kernel refuses new ones.
 * The count is kept as entries are linked and unlinked (an entry's type
 * only changes while it is unlinked); reaching NEIGH_WARN_PCT percent of
 * gc_thresh3 logs one warning, re-armed once it fell below
 * NEIGH_REARM_PCT.
 */
#define NEIGH_TYPES	(PT(PEER_CACHED) | PT(PEER_DYNAMIC) | \
	PT(PEER_DYNAMIC_NHS) | PT(PEER_STATIC))
#define NEIGH_WARN_PCT	80
#define NEIGH_REARM_PCT	70

static size_t neigh_count;
static unsigned neigh_thresh3;		/* 0: unknown, no warning */
static size_t neigh_warn_at, neigh_rearm_at;
static bool neigh_warned;

static void
neigh_limits_read(void)
{
	unsigned t1, t2, t3;
	int err;

	if ((err = sysdep_neigh_gc_thresh(&t1, &t2, &t3)) != 0) {
		/* not visible in a non-initial network namespace */
		log_debug("Kernel neighbour table limits not readable: %s",
		    strerror(-err));
		neigh_thresh3 = 0;
		neigh_warn_at = neigh_rearm_at = 0;
		return;
	}
	neigh_thresh3 = t3;
	neigh_warn_at = (size_t)t3 * NEIGH_WARN_PCT / 100;
	neigh_rearm_at = (size_t)t3 * NEIGH_REARM_PCT / 100;
	if (neigh_warn_at == 0)
		neigh_warn_at = 1;
	log_debug("Kernel neighbour table limits gc_thresh1/2/3 %u/%u/%u",
	    t1, t2, t3);
}

/*
 * gc_thresh1 to suggest: twice the entries, a power of two (gc_thresh2
 * and 3 are twice and four times that, as in contrib/sysctl)
 */
static size_t
neigh_suggest(size_t n)
{
	size_t v = 1024;

	while (v < 2 * n && v < ((size_t)1 << 30))
		v *= 2;
	return v;
}

static void
neigh_count_add(void)
{
	size_t v;

	neigh_count++;
	if (neigh_warned || neigh_warn_at == 0 ||
	    neigh_count < neigh_warn_at)
		return;
	neigh_limits_read();	/* the operator may have raised it since */
	if (neigh_warn_at == 0 || neigh_count < neigh_warn_at)
		return;
	neigh_warned = true;
	v = neigh_suggest(neigh_count);
	log_warnx("%zu peer cache entries with kernel neighbour entries: "
	    "%d%% of net.ipv4.neigh.default.gc_thresh3 (%u); the kernel "
	    "refuses new neighbours above it. Raise it above the number of "
	    "spokes, e.g. sysctl -w net.ipv4.neigh.default.gc_thresh1=%zu "
	    "net.ipv4.neigh.default.gc_thresh2=%zu "
	    "net.ipv4.neigh.default.gc_thresh3=%zu",
	    neigh_count, (int)(neigh_count * 100 / neigh_thresh3),
	    neigh_thresh3, v, v * 2, v * 4);
}

static void
neigh_count_del(void)
{
	if (neigh_count > 0)
		neigh_count--;
	if (neigh_warned && neigh_count < neigh_rearm_at)
		neigh_warned = false;
}

int
cache_init(void)
{
	if (local_trie == NULL)
		local_trie = nhrp_ptrie_new(NHRP_AFN_IPV4);
	neigh_limits_read();
	return local_trie == NULL ? -1 : 0;
}

void
cache_shutdown(void)
{
	if (local_trie != NULL)
		nhrp_ptrie_free(local_trie);
	local_trie = NULL;
}

int
cache_iface_init(struct nhrp_iface *ifp)
{
	TAILQ_INIT(&ifp->peers);
	nhrp_htable_init(&ifp->nbma_idx);
	ifp->npeers = 0;
	ifp->trie = nhrp_ptrie_new(NHRP_AFN_IPV4);
	return ifp->trie == NULL ? -1 : 0;
}

void
cache_iface_clear(struct nhrp_iface *ifp)
{
	if (ifp->trie != NULL)
		nhrp_ptrie_free(ifp->trie);
	ifp->trie = NULL;
	nhrp_htable_free(&ifp->nbma_idx);
}

static int
peer_indexes_nbma(const struct nhrp_peer *p)
{
	switch (p->type) {
	case PEER_CACHED:
	case PEER_SHORTCUT_ROUTE:	/* keyed by next hop */
	case PEER_DYNAMIC:
	case PEER_DYNAMIC_NHS:
	case PEER_STATIC:
		return !nhrp_addr_is_unspec(&p->nbma);
	default:
		return 0;
	}
}

static struct nhrp_ptrie *
peer_trie(const struct nhrp_peer *p)
{
	if (p->type == PEER_LOCAL)
		return local_trie;
	return p->iface != NULL ? p->iface->trie : NULL;
}

int
cache_link(struct nhrp_peer *p)
{
	struct nhrp_ptrie *t = peer_trie(p);
	struct cache_slot *s;
	void **slot;

	if (t == NULL)
		return -1;
	slot = nhrp_ptrie_slot(t, &p->proto, p->prefix, 1);
	if (slot == NULL)
		return -1;
	if ((s = *slot) == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL) {
			nhrp_ptrie_remove(t, &p->proto, p->prefix);
			return -1;
		}
		LIST_INIT(&s->list);
		*slot = s;
	}
	LIST_INSERT_HEAD(&s->list, p, slot_entry);
	s->n++;
	if (p->type == PEER_LOCAL)
		TAILQ_INSERT_HEAD(&local_list, p, show_entry);
	else {
		TAILQ_INSERT_HEAD(&p->iface->peers, p, show_entry);
		p->iface->npeers++;
	}
	if (peer_indexes_nbma(p)) {
		nhrp_htable_insert(&p->iface->nbma_idx, &p->nbma_node,
		    nhrp_addr_hash(&p->nbma));
		p->nbma_hashed = true;
	}
	if (NEIGH_TYPES & PT(p->type))
		neigh_count_add();
	return 0;
}

void
cache_unlink(struct nhrp_peer *p)
{
	struct nhrp_ptrie *t = peer_trie(p);
	struct cache_slot *s;
	void **slot;

	if (p->nbma_hashed) {
		nhrp_htable_remove(&p->iface->nbma_idx, &p->nbma_node);
		p->nbma_hashed = false;
	}
	if (t == NULL)
		return;
	if (NEIGH_TYPES & PT(p->type))
		neigh_count_del();
	slot = nhrp_ptrie_slot(t, &p->proto, p->prefix, 0);
	LIST_REMOVE(p, slot_entry);
	if (p->type == PEER_LOCAL)
		TAILQ_REMOVE(&local_list, p, show_entry);
	else {
		TAILQ_REMOVE(&p->iface->peers, p, show_entry);
		p->iface->npeers--;
	}
	if (slot != NULL && (s = *slot) != NULL) {
		if (--s->n == 0) {
			free(s);
			*slot = NULL;
			nhrp_ptrie_remove(t, &p->proto, p->prefix);
		}
	}
}

void
cache_nbma_changed(struct nhrp_peer *p, const struct nhrp_addr *nbma)
{
	if (p->nbma_hashed) {
		nhrp_htable_remove(&p->iface->nbma_idx, &p->nbma_node);
		p->nbma_hashed = false;
	}
	if (nbma != &p->nbma)
		p->nbma = *nbma;
	if ((p->flags & PEER_F_REMOVED) == 0 && p->iface != NULL &&
	    peer_indexes_nbma(p)) {
		nhrp_htable_insert(&p->iface->nbma_idx, &p->nbma_node,
		    nhrp_addr_hash(&p->nbma));
		p->nbma_hashed = true;
	}
}

struct walk_arg {
	struct nhrp_iface	*ifp;
	unsigned		 mask;
	cache_cb		 cb;
	void			*arg;
	bool			 local;	/* filter local entries by interface */
};

static int
local_visible(const struct nhrp_peer *p, const struct nhrp_iface *ifp)
{
	if (ifp == NULL || p->iface == ifp)
		return 1;
	return p->iface != NULL && (p->iface->flags & CONF_IF_SHORTCUT_DEST);
}

static int
slot_walk(void *slotp, const struct nhrp_addr *pfx, unsigned plen, void *argp)
{
	struct walk_arg *wa = argp;
	struct cache_slot *s = slotp;
	struct nhrp_peer *p, *np;
	int r;

	if (s == NULL)
		return 0;
	for (p = LIST_FIRST(&s->list); p != NULL; p = np) {
		np = LIST_NEXT(p, slot_entry);
		if ((wa->mask & PT(p->type)) == 0)
			continue;
		if (wa->local && !local_visible(p, wa->ifp))
			continue;
		if ((r = wa->cb(p, wa->arg)) != 0)
			return r;
	}
	return 0;
}

int
cache_foreach_prefix(struct nhrp_iface *ifp, const struct nhrp_addr *a,
    unsigned prefix, unsigned mask, cache_cb cb, void *arg)
{
	struct walk_arg wa = { ifp, mask, cb, arg, false };
	void **slot;
	int r;

	if (ifp != NULL && ifp->trie != NULL && (mask & ~PT(PEER_LOCAL))) {
		slot = nhrp_ptrie_slot(ifp->trie, a, prefix, 0);
		if (slot != NULL && (r = slot_walk(*slot, a, prefix, &wa)) != 0)
			return r;
	}
	if ((mask & PT(PEER_LOCAL)) && local_trie != NULL) {
		wa.local = true;
		wa.mask = PT(PEER_LOCAL);
		slot = nhrp_ptrie_slot(local_trie, a, prefix, 0);
		if (slot != NULL && (r = slot_walk(*slot, a, prefix, &wa)) != 0)
			return r;
	}
	return 0;
}

int
cache_foreach_covering(struct nhrp_iface *ifp, const struct nhrp_addr *a,
    unsigned mask, cache_cb cb, void *arg)
{
	struct walk_arg wa = { ifp, mask, cb, arg, false };
	int r;

	if (ifp != NULL && ifp->trie != NULL && (mask & ~PT(PEER_LOCAL))) {
		if ((r = nhrp_ptrie_match(ifp->trie, a, slot_walk, &wa)) != 0)
			return r;
	}
	if ((mask & PT(PEER_LOCAL)) && local_trie != NULL) {
		wa.local = true;
		wa.mask = PT(PEER_LOCAL);
		if ((r = nhrp_ptrie_match(local_trie, a, slot_walk, &wa)) != 0)
			return r;
	}
	return 0;
}

int
cache_foreach_below(struct nhrp_iface *ifp, const struct nhrp_addr *a,
    unsigned prefix, unsigned mask, cache_cb cb, void *arg)
{
	struct walk_arg wa = { ifp, mask, cb, arg, false };

	if (ifp == NULL || ifp->trie == NULL)
		return 0;
	return nhrp_ptrie_walk_below(ifp->trie, a, prefix, slot_walk, &wa);
}

int
cache_foreach_nbma(struct nhrp_iface *ifp, const struct nhrp_addr *nbma,
    unsigned mask, cache_cb cb, void *arg)
{
	struct nhrp_hnode *n, *nn;
	struct nhrp_peer *p;
	int r;

	if (ifp == NULL)
		return 0;
	for (n = nhrp_htable_first(&ifp->nbma_idx, nhrp_addr_hash(nbma));
	    n != NULL; n = nn) {
		nn = nhrp_htable_next(n);
		p = nhrp_hnode_entry(n, struct nhrp_peer, nbma_node);
		if ((mask & PT(p->type)) == 0 || !nhrp_addr_equal(&p->nbma, nbma))
			continue;
		if ((r = cb(p, arg)) != 0)
			return r;
	}
	return 0;
}

static int
first_cb(struct nhrp_peer *p, void *arg)
{
	*(struct nhrp_peer **)arg = p;
	return 1;
}

struct nhrp_peer *
cache_local_match(struct nhrp_iface *ifp, const struct nhrp_addr *a)
{
	struct nhrp_peer *found = NULL;

	cache_foreach_covering(ifp, a, PT(PEER_LOCAL), first_cb, &found);
	return found;
}

struct exact_arg {
	const struct nhrp_addr	*a;
	unsigned		 prefix;
	struct nhrp_peer	*found;
};

static int
exact_cb(struct nhrp_peer *p, void *arg)
{
	struct exact_arg *ea = arg;

	if (p->prefix != ea->prefix || !nhrp_addr_equal(&p->proto, ea->a))
		return 0;
	ea->found = p;
	return 1;
}

struct nhrp_peer *
cache_find_exact(struct nhrp_iface *ifp, const struct nhrp_addr *a,
    unsigned prefix, unsigned mask)
{
	struct exact_arg ea = { a, prefix, NULL };

	cache_foreach_prefix(ifp, a, prefix, mask, exact_cb, &ea);
	return ea.found;
}

/* Route decision (5.5) over every entry covering dst. */
struct route_arg {
	const struct nhrp_addr		*dst;
	const struct cache_route_excl	*ex;
	struct nhrp_peer		*best;
};

static int
route_excluded(const struct nhrp_peer *p, const struct cache_route_excl *ex)
{
	size_t i;

	if (ex == NULL)
		return 0;
	if (ex->src != NULL) {
		if (nhrp_addr_equal(&p->proto, ex->src))
			return 1;
		if (p->type == PEER_SHORTCUT_ROUTE &&
		    nhrp_addr_equal(&p->nbma, ex->src))
			return 1;
	}
	for (i = 0; i < ex->ntransit; i++) {
		if (nhrp_addr_equal(&p->nbma, &ex->transit_nbma[i]) &&
		    nhrp_addr_equal(&p->proto, &ex->transit_proto[i]))
			return 1;
	}
	return 0;
}

static int
route_better(const struct nhrp_peer *a, const struct nhrp_peer *b,
    const struct nhrp_addr *dst)
{
	int ea, eb, ua, ub;

	ea = a->type >= PEER_DYNAMIC_NHS && nhrp_addr_equal(&a->proto, dst);
	eb = b->type >= PEER_DYNAMIC_NHS && nhrp_addr_equal(&b->proto, dst);
	if (ea != eb)
		return ea;
	ua = (a->flags & PEER_F_UP) != 0;
	ub = (b->flags & PEER_F_UP) != 0;
	if (ua != ub)
		return ua;
	if (a->prefix != b->prefix)
		return a->prefix > b->prefix;
	return a->last_used < b->last_used;
}

static int
route_cb(struct nhrp_peer *p, void *arg)
{
	struct route_arg *ra = arg;

	if (route_excluded(p, ra->ex))
		return 0;
	if (ra->best == NULL || route_better(p, ra->best, ra->dst))
		ra->best = p;
	return 0;
}

struct nhrp_peer *
cache_route(struct nhrp_iface *ifp, const struct nhrp_addr *dst,
    unsigned mask, const struct cache_route_excl *ex, double now)
{
	struct route_arg ra = { dst, ex, NULL };

	cache_foreach_covering(ifp, dst, mask, route_cb, &ra);
	if (ra.best != NULL)
		ra.best->last_used = now;
	return ra.best;
}
