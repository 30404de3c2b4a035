/*
 * peer.c - peer cache entries: creation, insertion with de-duplication,
 * removal with down hooks, the peer-up -> neighbour -> up sequence,
 * expiry, negative caching, kernel neighbour events.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "cache.h"
#include "core.h"
#include "iface.h"
#include "log.h"
#include "multicast.h"
#include "packet_io.h"
#include "peer.h"
#include "redirect.h"
#include "resolver.h"
#include "script.h"
#include "server.h"
#include "sysdep.h"

#define NEGATIVE_TIME	180.0

static size_t peers_allocated;

/*
 * Entries come from slabs of PEER_SLAB bytes aligned to their size, so an
 * entry finds its slab from its address: no malloc header per entry, and
 * the long-lived entries of a hub sit together instead of between the
 * short-lived buffers of the registrations that made them.  A slab is
 * released when its last entry goes.  Sanitizer builds use calloc/free so
 * that a use after free is still caught.
 */
#if defined(__SANITIZE_ADDRESS__)
#define PEER_MALLOC	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PEER_MALLOC	1
#endif
#endif

#ifndef PEER_MALLOC
#define PEER_SLAB	(64 * 1024)

union peer_cell {
	union peer_cell		*next;		/* while free */
	struct nhrp_peer	 peer;
};

struct peer_slab {
	LIST_ENTRY(peer_slab)	 entry;		/* slabs with a free cell */
	union peer_cell		*free;		/* cells given back */
	unsigned		 nfree;		/* free cells, untouched ones too */
	unsigned		 nfresh;	/* cells never handed out yet */
	union peer_cell		 cell[];
};

#define PEER_SLAB_CELLS	((PEER_SLAB - sizeof(struct peer_slab)) / \
	sizeof(union peer_cell))

static LIST_HEAD(, peer_slab) peer_slabs = LIST_HEAD_INITIALIZER(peer_slabs);
static size_t peer_nslabs;

/* PEER_SLAB bytes aligned to PEER_SLAB, pages touched only when used */
static struct peer_slab *
peer_slab_new(void)
{
	struct peer_slab *sl;
	uintptr_t a, b;
	void *m;

	m = mmap(NULL, 2 * PEER_SLAB, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	a = (uintptr_t)m;
	b = (a + PEER_SLAB - 1) & ~(uintptr_t)(PEER_SLAB - 1);
	if (b > a)
		munmap(m, b - a);
	if (a + 2 * PEER_SLAB > b + PEER_SLAB)
		munmap((void *)(b + PEER_SLAB), a + 2 * PEER_SLAB - b - PEER_SLAB);
	sl = (struct peer_slab *)b;
	peer_nslabs++;
	sl->free = NULL;
	sl->nfree = sl->nfresh = (unsigned)PEER_SLAB_CELLS;
	return sl;
}

static struct nhrp_peer *
peer_alloc(void)
{
	struct peer_slab *sl;
	union peer_cell *c;

	if ((sl = LIST_FIRST(&peer_slabs)) == NULL) {
		if ((sl = peer_slab_new()) == NULL)
			return NULL;
		LIST_INSERT_HEAD(&peer_slabs, sl, entry);
	}
	if ((c = sl->free) != NULL)
		sl->free = c->next;
	else
		c = &sl->cell[PEER_SLAB_CELLS - sl->nfresh--];
	if (--sl->nfree == 0)
		LIST_REMOVE(sl, entry);
	memset(c, 0, sizeof(*c));
	return &c->peer;
}

static void
peer_release(struct nhrp_peer *p)
{
	union peer_cell *c = (union peer_cell *)(void *)p;
	struct peer_slab *sl;

	sl = (struct peer_slab *)((uintptr_t)p & ~(uintptr_t)(PEER_SLAB - 1));
	if (sl->nfree++ == 0)
		LIST_INSERT_HEAD(&peer_slabs, sl, entry);
	if (sl->nfree == PEER_SLAB_CELLS &&
	    (LIST_FIRST(&peer_slabs) != sl || LIST_NEXT(sl, entry) != NULL)) {
		/* empty, and not the only slab with room: give it back */
		LIST_REMOVE(sl, entry);
		munmap(sl, PEER_SLAB);
		peer_nslabs--;
		return;
	}
	c->next = sl->free;
	sl->free = c;
}
size_t
peer_slab_bytes(void)
{
	return peer_nslabs * PEER_SLAB;
}
#else
size_t
peer_slab_bytes(void)
{
	return 0;
}

static struct nhrp_peer *
peer_alloc(void)
{
	return calloc(1, sizeof(struct nhrp_peer));
}

static void
peer_release(struct nhrp_peer *p)
{
	free(p);
}
#endif

static const char *const type_names[PEER_NTYPES] = {
	"incomplete", "negative", "cached", "shortcut-route", "dynamic",
	"dynamic-nhs", "static", "dynamic-map", "local-route", "local",
};

const char *
peer_type_name(unsigned t)
{
	return t < PEER_NTYPES ? type_names[t] : "unknown";
}

double
rand_between(double a, double b)
{
	return a + (b - a) * ((double)random() / (double)RAND_MAX);
}

/*
 * Entry timers: one binary min-heap of due times for all entries and one
 * ev_timer for its top, instead of an ev_timer per entry (48 bytes in the
 * entry plus 16 in libev's own heap).  p->tq_idx is the entry's heap
 * position + 1, 0 while no timer is set.  Room for every allocated entry
 * is reserved by peer_new, so setting a timer never fails.
 */
static struct nhrp_peer **tq;
static size_t tq_n, tq_cap;
static ev_timer tq_timer;
static bool tq_timer_init;

static inline void
tq_put(size_t i, struct nhrp_peer *p)
{
	tq[i] = p;
	p->tq_idx = (uint32_t)i + 1;
}

static void
tq_up(size_t i)
{
	struct nhrp_peer *p = tq[i];
	size_t up;

	while (i > 0) {
		up = (i - 1) / 2;
		if (!(p->due < tq[up]->due))
			break;
		tq_put(i, tq[up]);
		i = up;
	}
	tq_put(i, p);
}

static void
tq_down(size_t i)
{
	struct nhrp_peer *p = tq[i];
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= tq_n)
			break;
		if (c + 1 < tq_n && tq[c + 1]->due < tq[c]->due)
			c++;
		if (!(tq[c]->due < p->due))
			break;
		tq_put(i, tq[c]);
		i = c;
	}
	tq_put(i, p);
}

static void
tq_remove(struct nhrp_peer *p)
{
	size_t i = p->tq_idx - 1;
	struct nhrp_peer *last;

	p->tq_idx = 0;
	last = tq[--tq_n];
	if (i < tq_n) {
		tq_put(i, last);
		tq_up(i);
		tq_down(last->tq_idx - 1);
	}
}

/* room for n timers; shrinks when far too big */
static int
tq_reserve(size_t n)
{
	struct nhrp_peer **nv;
	size_t ncap = tq_cap;

	if (n > tq_cap)
		ncap = tq_cap < 64 ? 64 : tq_cap * 2;
	else if (tq_cap > 1024 && n < tq_cap / 4)
		ncap = tq_cap / 2;
	if (ncap == tq_cap)
		return 0;
	if ((nv = reallocarray(tq, ncap, sizeof(*nv))) == NULL)
		return n > tq_cap ? -1 : 0;
	tq = nv;
	tq_cap = ncap;
	return 0;
}

static void tq_cb(struct ev_loop *, ev_timer *, int);

/* the ev_timer follows the top of the heap */
static void
tq_arm(void)
{
	double d;

	if (!tq_timer_init) {
		ev_timer_init(&tq_timer, tq_cb, 0., 0.);
		tq_timer_init = true;
	}
	ev_timer_stop(nhrp_loop, &tq_timer);
	if (tq_n == 0)
		return;
	d = tq[0]->due - ev_now(nhrp_loop);
	ev_timer_set(&tq_timer, d > 0 ? d : 0., 0.);
	ev_timer_start(nhrp_loop, &tq_timer);
}

static void
tq_fire(struct nhrp_peer *p)
{
	void (*fn)(struct nhrp_peer *) = p->timer_fn;

	if (p->tq_idx != 0)
		tq_remove(p);
	p->timer_fn = NULL;
	if (fn != NULL) {
		peer_get(p);
		fn(p);
		peer_put(p);
	}
}

static void
tq_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	double now = ev_now(loop);
	size_t budget = tq_n;

	/* what was due; one set again with no delay waits for the next round */
	while (tq_n > 0 && tq[0]->due <= now && budget-- > 0)
		tq_fire(tq[0]);
	tq_arm();
}

static void
tq_stop(struct nhrp_peer *p)
{
	bool top;

	if (p->tq_idx == 0)
		return;
	top = p->tq_idx == 1;
	tq_remove(p);
	if (top)
		tq_arm();
}

double
peer_timer_left(const struct nhrp_peer *p)
{
	double d;

	if (p == NULL || p->tq_idx == 0)
		return -1;
	d = p->due - ev_now(nhrp_loop);
	return d > 0 ? d : 0;
}

void
peer_timer_fire(struct nhrp_peer *p)
{
	if (p != NULL && p->tq_idx != 0) {
		tq_fire(p);
		tq_arm();
	}
}

struct nhrp_peer *
peer_new(struct nhrp_iface *ifp, unsigned type)
{
	struct nhrp_peer *p;

	if (tq_reserve(peers_allocated + 1) != 0)
		return NULL;
	if ((p = peer_alloc()) == NULL)
		return NULL;
	p->iface = ifp;
	p->type = (uint8_t)type;
	p->refcnt = 1;
	peers_allocated++;
	return p;
}

void
peer_get(struct nhrp_peer *p)
{
	p->refcnt++;
}

void
peer_put(struct nhrp_peer *p)
{
	if (p == NULL || --p->refcnt > 0)
		return;
	tq_stop(p);
	if (p->job != NULL)
		script_cancel(p->job);
	if (p->dnsq != NULL)
		resolver_cancel(p->dnsq);
	if (p->req != NULL)
		request_cancel(p->req);
	sysdep_cancel(p);
	free(p->hostname);
	peer_release(p);
	peers_allocated--;
	tq_reserve(peers_allocated);
}

int
peer_vec_add_cb(struct nhrp_peer *p, void *arg)
{
	struct peer_vec *v = arg;
	struct nhrp_peer **nv;
	size_t ncap;

	if (v->n == v->cap) {
		ncap = v->cap ? v->cap * 2 : 16;
		if ((nv = reallocarray(v->v, ncap, sizeof(*nv))) == NULL)
			return 1;
		v->v = nv;
		v->cap = ncap;
	}
	peer_get(p);
	v->v[v->n++] = p;
	return 0;
}

void
peer_vec_release(struct peer_vec *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		peer_put(v->v[i]);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

int
peer_is_up(const struct nhrp_peer *p)
{
	return (p->flags & PEER_F_UP) != 0;
}

void
peer_schedule(struct nhrp_peer *p, double delay, void (*fn)(struct nhrp_peer *))
{
	if (p->tq_idx != 0)
		tq_remove(p);
	p->timer_fn = fn;
	p->due = ev_now(nhrp_loop) + (delay > 0 ? delay : 0.);
	tq_put(tq_n++, p);	/* room reserved by peer_new */
	tq_up(tq_n - 1);
	if (p->tq_idx == 1 || !ev_is_active(&tq_timer))
		tq_arm();
}

void
peer_cancel(struct nhrp_peer *p)
{
	struct srv_reg *reg;

	tq_stop(p);
	p->timer_fn = NULL;
	if (p->job != NULL) {
		script_cancel(p->job);
		p->job = NULL;
	}
	if (p->dnsq != NULL) {
		resolver_cancel(p->dnsq);
		p->dnsq = NULL;
	}
	if (p->req != NULL) {
		request_cancel(p->req);
		p->req = NULL;
	}
	packet_queue_drop(p);
	sysdep_cancel(p);
	if ((reg = p->reg) != NULL) {
		p->reg = NULL;
		server_peer_result(reg, p, SERVER_RESULT_GONE);
	}
}

/* --- format ---------------------------------------------------------- */

char *
peer_format(const struct nhrp_peer *p, char *buf, size_t len)
{
	char a[NHRP_ADDRSTRLEN];
	size_t o = 0;
	double rem;
	int r;

#define APP(...) do {							\
	r = snprintf(buf + o, len > o ? len - o : 0, __VA_ARGS__);	\
	if (r > 0)							\
		o += (size_t)r;						\
} while (0)
	APP("%s/%u", af(&p->proto, a), p->prefix);
	if (!nhrp_addr_is_unspec(&p->nbma)) {
		const char *l = "nbma";
		if (p->type == PEER_SHORTCUT_ROUTE || p->type == PEER_LOCAL_ROUTE)
			l = "nexthop";
		else if (p->type == PEER_LOCAL)
			l = "alias";
		APP(" %s %s", l, af(&p->nbma, a));
	}
	if (p->hostname != NULL)
		APP(" hostname %s", p->hostname);
	if (p->flags & PEER_F_NAT)
		APP(" nbma-nat-oa %s", af(&p->nat_oa, a));
	if (p->iface != NULL)
		APP(" dev %s", p->iface->name);
	if (p->mtu)
		APP(" mtu %u", p->mtu);
	if (p->flags & PEER_F_USED)
		APP(" used");
	if (p->flags & PEER_F_UP)
		APP(" up");
	else if (p->flags & PEER_F_LOWER_UP)
		APP(" lower-up");
	if (p->expire > 0) {
		rem = p->expire - core_now();
		if (rem >= 0)
			APP(" expires_in %d:%02d", (int)rem / 60, (int)rem % 60);
		else
			APP(" expired");
	}
	if (p->flags & PEER_F_DYING)
		APP(" dying");
#undef APP
	return buf;
}

static void
peer_log(const char *what, const struct nhrp_peer *p)
{
	char buf[512];

	if (log_getverbose())
		log_debug("%s %s %s", what, peer_type_name(p->type),
		    peer_format(p, buf, sizeof(buf)));
}

size_t
peer_allocated(void)
{
	return peers_allocated;
}

size_t
peer_count(void)
{
	struct nhrp_iface *ifp;
	struct nhrp_peer *p;
	size_t n = 0;

	TAILQ_FOREACH(p, &local_list, show_entry)
		n++;
	TAILQ_FOREACH(ifp, &iface_list, entry)
		n += ifp->npeers;
	return n;
}

void
peer_dump_all(void)
{
	struct nhrp_iface *ifp;
	struct nhrp_peer *p;
	char buf[512];

	log_info("Peer cache dump:");
	TAILQ_FOREACH(p, &local_list, show_entry)
		log_info("%s %s", peer_type_name(p->type),
		    peer_format(p, buf, sizeof(buf)));
	TAILQ_FOREACH(ifp, &iface_list, entry)
		TAILQ_FOREACH(p, &ifp->peers, show_entry)
			log_info("%s %s", peer_type_name(p->type),
			    peer_format(p, buf, sizeof(buf)));
	log_info("Total %zu peer cache entries, %zu allocated entries",
	    peer_count(), peers_allocated);
	redirect_log_counters();
}

/* --- scripts --------------------------------------------------------- */

static void
peer_own_nbma(struct nhrp_peer *p)
{
	const struct nhrp_addr *to = &p->nbma;

	if (!nhrp_addr_is_unspec(&p->my_nbma) || p->iface == NULL)
		return;
	if (p->type == PEER_SHORTCUT_ROUTE || p->type == PEER_LOCAL_ROUTE ||
	    p->type == PEER_LOCAL)
		return;
	if (nhrp_addr_is_unspec(to))
		return;
	iface_own_nbma(p->iface, to, &p->my_nbma, &p->my_mtu);
}

/* "ifname proto/prefix", without snprintf's cost: once per hook */
static void
peer_script_key(const struct nhrp_peer *p, char *key, size_t size)
{
	char a[NHRP_ADDRSTRLEN], num[12], *q = num + sizeof(num);
	const char *name = p->iface != NULL ? p->iface->name : "";
	size_t nl = strlen(name), al, ul;
	unsigned v = p->prefix;

	af(&p->proto, a);
	al = strlen(a);
	do {
		*--q = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	ul = (size_t)(num + sizeof(num) - q);
	if (nl + 1 + al + 1 + ul >= size) {
		snprintf(key, size, "%s %s/%u", name, a, p->prefix);
		return;
	}
	memcpy(key, name, nl);
	key[nl] = ' ';
	memcpy(key + nl + 1, a, al);
	key[nl + 1 + al] = '/';
	memcpy(key + nl + 2 + al, q, ul);
	key[nl + 2 + al + ul] = '\0';
}

void
peer_run_script(struct nhrp_peer *p, const char *event,
    void (*done)(void *, int, const char *), void *ctx)
{
	struct script_env env;
	struct script_job *job;
	struct nhrp_iface *ifp = p->iface;
	char a[NHRP_ADDRSTRLEN], key[16 + NHRP_ADDRSTRLEN + 8];

	peer_own_nbma(p);
	script_env_init(&env);
	/* hooks off: nobody reads the environment, only the key orders */
	if (script_hooks_off())
		goto run;
	script_env_add(&env, "NHRP_TYPE", "%s", peer_type_name(p->type));
	if (ifp != NULL && !nhrp_addr_is_unspec(&ifp->proto))
		script_env_add(&env, "NHRP_SRCADDR", "%s", af(&ifp->proto, a));
	if (!nhrp_addr_is_unspec(&p->my_nbma))
		script_env_add(&env, "NHRP_SRCNBMA", "%s", af(&p->my_nbma, a));
	script_env_add(&env, "NHRP_DESTADDR", "%s", af(&p->proto, a));
	script_env_add(&env, "NHRP_DESTPREFIX", "%u", p->prefix);
	if (p->down_reason != NULL)
		script_env_add(&env, "NHRP_PEER_DOWN_REASON", "%s",
		    p->down_reason);
	switch (p->type) {
	case PEER_STATIC:
	case PEER_DYNAMIC:
	case PEER_DYNAMIC_NHS:
	case PEER_CACHED:
	case PEER_LOCAL:
		script_env_add(&env, "NHRP_DESTNBMA", "%s", af(&p->nbma, a));
		if (p->mtu)
			script_env_add(&env, "NHRP_DESTMTU", "%u", p->mtu);
		if (p->flags & PEER_F_NAT)
			script_env_add(&env, "NHRP_DESTNBMA_NAT_OA", "%s",
			    af(&p->nat_oa, a));
		break;
	case PEER_SHORTCUT_ROUTE:
	case PEER_LOCAL_ROUTE:
		script_env_add(&env, "NHRP_NEXTHOP", "%s", af(&p->nbma, a));
		break;
	}
	script_env_add(&env, "NHRP_INTERFACE", "%s",
	    ifp != NULL ? ifp->name : "");
	script_env_add(&env, "NHRP_GRE_KEY", "%u",
	    ifp != NULL ? ifp->gre_key : 0);
run:
	/* one peer's hooks never overlap and keep their order */
	peer_script_key(p, key, sizeof(key));
	job = script_run_keyed(key, event, &env, done, ctx);
	if (done != NULL) {
		if (job == NULL) {
			/* could not even queue it: a failure */
			done(ctx, 1, "exitstatus 1");
			return;
		}
		p->job = job;
	}
}

static void
peer_run_down_hooks(struct nhrp_peer *p, const char *reason)
{
	if (p->flags & PEER_F_REPLACED)
		return;
	p->down_reason = reason != NULL ? reason : "expired";
	switch (p->type) {
	case PEER_SHORTCUT_ROUTE:
		if (p->flags & PEER_F_UP)
			peer_run_script(p, "route-down", NULL, NULL);
		break;
	case PEER_STATIC:
	case PEER_DYNAMIC_NHS:
		if ((p->flags & (PEER_F_REGISTER | PEER_F_UP)) ==
		    (PEER_F_REGISTER | PEER_F_UP))
			peer_run_script(p, "nhs-down", NULL, NULL);
		/* FALLTHROUGH */
	case PEER_DYNAMIC:
	case PEER_CACHED:
		if (p->flags & PEER_F_LOWER_UP)
			peer_run_script(p, "peer-down", NULL, NULL);
		break;
	}
	p->down_reason = NULL;
}

/* --- shortcut routes that depend on a next hop ------------------------ */

static void
peer_remove_routes_via(struct nhrp_peer *nh, const char *reason)
{
	struct peer_vec v = { 0 };
	size_t i;

	if (nh->iface == NULL || nh->type == PEER_SHORTCUT_ROUTE)
		return;
	cache_foreach_nbma(nh->iface, &nh->proto, PT(PEER_SHORTCUT_ROUTE),
	    peer_vec_add_cb, &v);
	for (i = 0; i < v.n; i++)
		peer_remove(v.v[i], reason);
	peer_vec_release(&v);
}

static void route_up_done(void *, int, const char *);

static void
peer_route_up(struct nhrp_peer *p)
{
	if (p->job != NULL || (p->flags & PEER_F_UP))
		return;
	peer_run_script(p, "route-up", route_up_done, p);
}

static void
peer_routes_nexthop_up(struct nhrp_peer *nh)
{
	struct peer_vec v = { 0 };
	size_t i;

	if (nh->iface == NULL || nh->type == PEER_SHORTCUT_ROUTE)
		return;
	cache_foreach_nbma(nh->iface, &nh->proto, PT(PEER_SHORTCUT_ROUTE),
	    peer_vec_add_cb, &v);
	for (i = 0; i < v.n; i++)
		if ((v.v[i]->flags & PEER_F_REMOVED) == 0)
			peer_route_up(v.v[i]);
	peer_vec_release(&v);
}

static void
peer_expire_cb(struct nhrp_peer *p)
{
	/*
	 * A registration refreshing this binding arrived in time but its
	 * peer-register hook has not answered yet: the server decides
	 * when it does (slow hooks must not flap registered spokes).
	 */
	if (p->flags & PEER_F_REFRESHING) {
		peer_schedule(p, 1.0, peer_expire_cb);
		return;
	}
	peer_remove(p, "expired");
}

void
peer_set_expire(struct nhrp_peer *p, ev_tstamp when)
{
	p->expire = when;
	if (when > 0)
		peer_schedule(p, when - core_now(), peer_expire_cb);
}

static int
dying_route_cb(struct nhrp_peer *p, void *arg)
{
	if ((p->flags & (PEER_F_UP | PEER_F_DYING | PEER_F_RENEWING |
	    PEER_F_REMOVED)) == (PEER_F_UP | PEER_F_DYING))
		return peer_vec_add_cb(p, arg);
	return 0;
}

static void peer_renew(struct nhrp_peer *);

/* up, dying shortcut-routes via the next hop nh get renewed too (5.3) */
static void
peer_renew_routes_via(struct nhrp_iface *ifp, const struct nhrp_addr *nh)
{
	struct peer_vec v = { 0 };
	size_t i;

	if (ifp == NULL)
		return;
	cache_foreach_nbma(ifp, nh, PT(PEER_SHORTCUT_ROUTE), dying_route_cb,
	    &v);
	for (i = 0; i < v.n; i++)
		if ((v.v[i]->flags & PEER_F_REMOVED) == 0)
			peer_renew(v.v[i]);
	peer_vec_release(&v);
}

static void
peer_renew(struct nhrp_peer *p)
{
	p->flags |= PEER_F_RENEWING;
	p->flags &= ~PEER_F_DYING;
	peer_schedule(p, p->expire - core_now(), peer_expire_cb);
	client_resolve(p->iface, &p->proto, p);
	if (p->type == PEER_CACHED && (p->flags & PEER_F_REMOVED) == 0)
		peer_renew_routes_via(p->iface, &p->proto);
}

static int
peer_in_use(struct nhrp_peer *p)
{
	struct nhrp_peer *nh;

	if (p->type == PEER_SHORTCUT_ROUTE) {
		nh = cache_find_exact(p->iface, &p->nbma, 32, PEER_MASK_ADJACENT);
		return nh != NULL && (nh->flags & PEER_F_USED);
	}
	return (p->flags & PEER_F_USED) != 0;
}

static void
peer_expiry_check(struct nhrp_peer *p)
{
	if (peer_in_use(p)) {
		peer_renew(p);
		return;
	}
	p->flags |= PEER_F_DYING;
	peer_schedule(p, p->expire - core_now(), peer_expire_cb);
}

/* cached / shortcut-route: check at 2/3 of the holding time (5.2) */
void
peer_schedule_expiry(struct nhrp_peer *p)
{
	double now = core_now();
	int r = (int)(p->expire - now), d;

	if (p->expire <= 0)
		return;
	if (r < 0)
		r = 0;
	d = 2 * r / 3;
	if (p->type == PEER_SHORTCUT_ROUTE)
		d -= 10;
	if (d < 0)
		d = 0;
	p->flags &= ~PEER_F_DYING;
	peer_schedule(p, d + 1, peer_expiry_check);
}

static void
route_up_done(void *ctx, int status, const char *reason)
{
	struct nhrp_peer *p = ctx;
	char a[NHRP_ADDRSTRLEN];

	p->job = NULL;
	if (status != 0) {
		log_error("[%s] Route up script: %s; adding negative cached entry",
		    af(&p->proto, a), reason);
		peer_make_negative(p);
		return;
	}
	p->flags |= PEER_F_UP | PEER_F_LOWER_UP;
	peer_schedule_expiry(p);
}

/* --- up / down ------------------------------------------------------- */

void
peer_set_up(struct nhrp_peer *p)
{
	struct srv_reg *reg;

	p->flags |= PEER_F_UP;
	peer_log("Up", p);
	mcast_peer_changed(p);
	if (mcast_is_member(p) && log_getverbose()) {
		char a[NHRP_ADDRSTRLEN];

		log_debug("[%s] Peer inserted to multicast list",
		    af(&p->proto, a));
	}
	if ((reg = p->reg) != NULL) {
		p->reg = NULL;
		server_peer_result(reg, p, SERVER_RESULT_OK);
	}
	if (p->type == PEER_DYNAMIC && p->expire > 0 && p->timer_fn == NULL)
		peer_set_expire(p, p->expire);
	else if (p->type == PEER_CACHED)
		peer_schedule_expiry(p);
	peer_routes_nexthop_up(p);
	packet_queue_send(p);
}

static void
peer_neigh_done(void *ctx, int err)
{
	struct nhrp_peer *p = ctx;
	struct srv_reg *reg;
	char a[NHRP_ADDRSTRLEN];

	if (p->flags & PEER_F_REMOVED)
		return;
	if (err != 0) {
		log_error("[%s] Failed to install the neighbour entry: %s",
		    af(&p->proto, a), strerror(-err));
		switch (p->type) {
		case PEER_STATIC:
		case PEER_DYNAMIC_NHS:
			peer_schedule(p, rand_between(60, 180), peer_start);
			break;
		case PEER_DYNAMIC:
			if ((reg = p->reg) != NULL) {
				p->reg = NULL;
				server_peer_result(reg, p,
				    SERVER_RESULT_NO_RESOURCES);
			}
			p->flags |= PEER_F_LOWER_UP;
			peer_remove(p, "expired");
			break;
		default:
			p->flags |= PEER_F_LOWER_UP;
			peer_make_negative(p);
			break;
		}
		return;
	}
	p->flags |= PEER_F_LOWER_UP | PEER_F_NEIGH;
	switch (p->type) {
	case PEER_STATIC:
	case PEER_DYNAMIC_NHS:
		if (p->flags & PEER_F_REGISTER)
			client_register(p);
		else
			peer_set_up(p);
		break;
	default:
		peer_set_up(p);
		break;
	}
}

static void
peer_install_neigh(struct nhrp_peer *p)
{
	int r;

	if (p->iface == NULL || p->iface->index == 0) {
		peer_neigh_done(p, -ENODEV);
		return;
	}
	r = sysdep_neigh_set(p->iface->index, &p->proto, &p->nbma,
	    peer_neigh_done, p);
	if (r < 0)
		peer_neigh_done(p, r);
}

static void
peer_up_done(void *ctx, int status, const char *reason)
{
	struct nhrp_peer *p = ctx;
	struct srv_reg *reg;
	char a[NHRP_ADDRSTRLEN];

	p->job = NULL;
	if (status != 0) {
		log_error("[%s] Peer up script failed: %s", af(&p->proto, a),
		    reason);
		switch (p->type) {
		case PEER_STATIC:
		case PEER_DYNAMIC_NHS:
			peer_schedule(p, rand_between(60, 180), peer_start);
			break;
		default:
			if ((reg = p->reg) != NULL) {
				p->reg = NULL;
				server_peer_result(reg, p, SERVER_RESULT_DROP);
			}
			peer_make_negative(p);
			break;
		}
		return;
	}
	peer_install_neigh(p);
}

void
peer_start(struct nhrp_peer *p)
{
	if (p->flags & PEER_F_REMOVED)
		return;
	switch (p->type) {
	case PEER_STATIC:
	case PEER_DYNAMIC_NHS:
		if (nhrp_addr_is_unspec(&p->nbma)) {
			if (p->hostname != NULL)
				resolve_peer(p);
			return;
		}
		if (p->iface == NULL || p->iface->index == 0) {
			peer_schedule(p, 5.0, peer_start);
			return;
		}
		peer_own_nbma(p);
		if (p->flags & PEER_F_LOWER_UP) {
			if (p->flags & PEER_F_REGISTER)
				client_register(p);
			else
				peer_set_up(p);
			return;
		}
		peer_run_script(p, "peer-up", peer_up_done, p);
		break;
	case PEER_DYNAMIC:
	case PEER_CACHED:
		if (p->flags & PEER_F_LOWER_UP) {
			peer_set_up(p);
			return;
		}
		peer_run_script(p, "peer-up", peer_up_done, p);
		break;
	case PEER_DYNAMIC_MAP:
		resolve_dynmap(p);
		break;
	case PEER_SHORTCUT_ROUTE:
		peer_route_up(p);
		break;
	default:
		break;
	}
}

void
peer_restart(struct nhrp_peer *p, double delay)
{
	peer_schedule(p, delay, peer_start);
}

/* --- insert / remove ------------------------------------------------- */

struct dedup_arg {
	struct nhrp_peer	*newp;
	struct peer_vec		 v;
};

static int
dedup_cb(struct nhrp_peer *p, void *arg)
{
	struct dedup_arg *d = arg;

	if (p == d->newp)
		return 0;
	if (p->type == PEER_SHORTCUT_ROUTE && d->newp->type == PEER_SHORTCUT_ROUTE)
		return peer_vec_add_cb(p, &d->v);
	if (p->prefix != d->newp->prefix ||
	    !nhrp_addr_equal(&p->proto, &d->newp->proto))
		return 0;
	return peer_vec_add_cb(p, &d->v);
}

void
peer_insert(struct nhrp_peer *p)
{
	struct dedup_arg d = { p, { 0 } };
	struct nhrp_peer *o;
	unsigned mask;
	size_t i;

	if (p->type == PEER_SHORTCUT_ROUTE) {
		cache_foreach_below(p->iface, &p->proto, p->prefix,
		    PT(PEER_SHORTCUT_ROUTE), dedup_cb, &d);
		for (i = 0; i < d.v.n; i++) {
			o = d.v.v[i];
			if (o->prefix == p->prefix) {
				o->flags |= PEER_F_REPLACED;
				if ((o->flags & PEER_F_UP) &&
				    nhrp_addr_equal(&o->nbma, &p->nbma))
					p->flags |= PEER_F_UP | PEER_F_LOWER_UP;
			}
			peer_remove(o, "user-request");
		}
	} else if (p->type != PEER_LOCAL) {
		mask = PEER_MASK_REMOVABLE;
		if (p->type == PEER_LOCAL_ROUTE)
			mask |= PT(PEER_LOCAL_ROUTE);
		cache_foreach_prefix(p->iface, &p->proto, p->prefix, mask,
		    dedup_cb, &d);
		for (i = 0; i < d.v.n; i++)
			peer_remove(d.v.v[i], "user-request");
	}
	peer_vec_release(&d.v);
	if (cache_link(p) != 0) {
		log_error("Out of memory inserting a peer");
		p->flags |= PEER_F_REMOVED;
		return;
	}
	peer_log("Adding", p);
}

/* shutdown waits (bounded) until the kernel took every FAILED update */
size_t peer_neigh_pending;
static int peer_neigh_token;

static void
peer_neigh_failed_done(void *ctx, int err)
{
	if (peer_neigh_pending > 0)
		peer_neigh_pending--;
}

static void
peer_neigh_failed(int ifindex, const struct nhrp_addr *proto)
{
	if (nhrp_shutting_down) {
		if (sysdep_neigh_set(ifindex, proto, NULL,
		    peer_neigh_failed_done, &peer_neigh_token) == 0)
			peer_neigh_pending++;
	} else
		sysdep_neigh_set(ifindex, proto, NULL, NULL, NULL);
}

/*
 * A dynamic-map's children are the dynamic-nhs entries of its prefix
 * (resolve.c makes them; nothing else does): found through the cache,
 * not kept in lists in every entry.
 */
static void
peer_remove_children(struct nhrp_peer *p, const char *reason)
{
	struct peer_vec v = { 0 };
	size_t i;

	cache_foreach_prefix(p->iface, &p->proto, p->prefix,
	    PT(PEER_DYNAMIC_NHS), peer_vec_add_cb, &v);
	for (i = 0; i < v.n; i++)
		peer_remove(v.v[i], reason);
	peer_vec_release(&v);
}

void
peer_remove(struct nhrp_peer *p, const char *reason)
{

	if (p->flags & PEER_F_REMOVED)
		return;
	peer_get(p);
	p->flags |= PEER_F_REMOVED;
	peer_log("Removing", p);
	peer_cancel(p);
	cache_unlink(p);
	if (p->type == PEER_DYNAMIC_MAP)
		peer_remove_children(p, reason);
	if (p->flags & (PEER_F_UP | PEER_F_LOWER_UP))
		peer_remove_routes_via(p, reason);
	peer_run_down_hooks(p, reason);
	if ((p->flags & (PEER_F_NEIGH | PEER_F_REPLACED)) == PEER_F_NEIGH &&
	    p->iface != NULL && p->iface->index != 0 &&
	    !nhrp_addr_is_unspec(&p->proto) && p->type != PEER_LOCAL &&
	    p->type != PEER_LOCAL_ROUTE)
		peer_neigh_failed(p->iface->index, &p->proto);
	p->flags &= ~(PEER_F_UP | PEER_F_LOWER_UP | PEER_F_NEIGH);
	mcast_peer_changed(p);
	peer_put(p);	/* the cache's reference */
	peer_put(p);
}

void
peer_make_negative(struct nhrp_peer *p)
{
	bool neigh;

	if (p->flags & PEER_F_REMOVED)
		return;
	peer_cancel(p);
	cache_unlink(p);
	p->type = PEER_NEGATIVE;
	neigh = (p->flags & PEER_F_NEIGH) != 0 || p->prefix == 32;
	p->flags &= ~(PEER_F_LOWER_UP | PEER_F_USED | PEER_F_DYING);
	p->flags |= PEER_F_UP;
	memset(&p->nbma, 0, sizeof(p->nbma));
	p->flags &= ~PEER_F_NAT;
	if (cache_link(p) != 0) {
		p->flags |= PEER_F_REMOVED;
		peer_put(p);
		return;
	}
	if (neigh && p->iface != NULL && p->iface->index != 0)
		sysdep_neigh_set(p->iface->index, &p->proto, NULL, NULL, NULL);
	p->flags &= ~PEER_F_NEIGH;
	peer_set_expire(p, core_now() + NEGATIVE_TIME);
}

void
peer_purge(struct nhrp_peer *p, const char *reason)
{
	if (p->flags & PEER_F_REMOVED)
		return;
	switch (p->type) {
	case PEER_STATIC:
	case PEER_DYNAMIC_NHS:
		peer_cancel(p);
		if (p->flags & (PEER_F_UP | PEER_F_LOWER_UP))
			peer_remove_routes_via(p, reason);
		peer_run_down_hooks(p, reason);
		p->flags &= ~(PEER_F_UP | PEER_F_LOWER_UP | PEER_F_USED);
		mcast_peer_changed(p);
		memset(&p->my_nbma, 0, sizeof(p->my_nbma));
		peer_restart(p, 5.0);
		break;
	case PEER_DYNAMIC_MAP:
		peer_cancel(p);
		peer_restart(p, 0);
		break;
	default:
		peer_remove(p, reason);
		break;
	}
}

void
peer_flush_all(unsigned mask, const char *reason)
{
	struct peer_vec v = { 0 };
	struct nhrp_iface *ifp;
	struct nhrp_peer *p;
	size_t i;

	TAILQ_FOREACH(ifp, &iface_list, entry)
		TAILQ_FOREACH(p, &ifp->peers, show_entry)
			if (mask & PT(p->type))
				peer_vec_add_cb(p, &v);
	if (mask & PT(PEER_LOCAL))
		TAILQ_FOREACH(p, &local_list, show_entry)
			peer_vec_add_cb(p, &v);
	for (i = 0; i < v.n; i++)
		peer_remove(v.v[i], reason);
	peer_vec_release(&v);
}

/* --- kernel neighbour events ---------------------------------------- */

struct neigh_arg {
	const struct nhrp_addr	*a;
	bool			 used;
	struct peer_vec		 renew;
};

static int
neigh_used_cb(struct nhrp_peer *p, void *arg)
{
	struct neigh_arg *na = arg;

	if (!nhrp_addr_equal(&p->proto, na->a))
		return 0;
	if (na->used) {
		p->flags |= PEER_F_USED;
		if ((p->flags & (PEER_F_DYING | PEER_F_RENEWING)) == PEER_F_DYING)
			peer_vec_add_cb(p, &na->renew);
	} else
		p->flags &= ~PEER_F_USED;
	return 0;
}

void
peer_neigh_event(struct nhrp_iface *ifp, const struct nhrp_addr *a, bool used)
{
	struct neigh_arg na = { a, used, { 0 } };
	size_t i;

	cache_foreach_covering(ifp, a, PEER_MASK_ALL & ~PT(PEER_LOCAL),
	    neigh_used_cb, &na);
	for (i = 0; i < na.renew.n; i++)
		if ((na.renew.v[i]->flags & PEER_F_REMOVED) == 0)
			peer_renew(na.renew.v[i]);
	peer_vec_release(&na.renew);
	/* the next hop is in use again: its dying shortcuts are renewed */
	if (used)
		peer_renew_routes_via(ifp, a);
}

/* kernel application probe (who-has, 7.5) */
void
peer_neigh_request(struct nhrp_iface *ifp, const struct nhrp_addr *dst)
{
	struct nhrp_peer *p, *nh;
	const struct nhrp_addr *nbma;

	if (ifp == NULL || !iface_is_configured(ifp) || ifp->index == 0)
		return;
	p = cache_route(ifp, dst, PEER_MASK_ALL & ~PT(PEER_LOCAL_ROUTE), NULL,
	    core_now());
	if (p == NULL)
		return;
	if (p->type == PEER_NEGATIVE) {
		if (p->flags & PEER_F_UP)
			sysdep_neigh_set(ifp->index, dst, NULL, NULL, NULL);
		return;
	}
	if (p->type == PEER_LOCAL || p->type == PEER_INCOMPLETE)
		return;
	nbma = &p->nbma;
	if (p->type == PEER_SHORTCUT_ROUTE) {
		nh = cache_find_exact(ifp, &p->nbma, 32, PEER_MASK_ADJACENT);
		if (nh == NULL)
			return;
		nbma = &nh->nbma;
	}
	if ((p->flags & PEER_F_UP) && !nhrp_addr_is_unspec(nbma))
		sysdep_neigh_set(ifp->index, dst, nbma, NULL, NULL);
	if (!nhrp_addr_is_unspec(&p->nbma) && !nhrp_addr_equal(&p->proto, dst))
		client_traffic(ifp, dst);
}
