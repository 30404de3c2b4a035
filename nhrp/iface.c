/*
 * iface.c - interfaces from the kernel's link, address and route events
 * (7.3, 7.4) and from the configuration.
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "conf.h"
#include "core.h"
#include "iface.h"
#include "log.h"
#include "peer.h"
#include "redirect.h"
#include "script.h"
#include "sysdep.h"

#define RTPROT_KERNEL_	2
#define RTPROT_NHRP	42	/* routes the shipped route-up script installs */

struct nhrp_iface_list iface_list = TAILQ_HEAD_INITIALIZER(iface_list);
static struct nhrp_htable name_idx, index_idx;
static uint32_t kgen;
static bool in_resync;

static uint32_t
name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void
iface_init(void)
{
	nhrp_htable_init(&name_idx);
	nhrp_htable_init(&index_idx);
}

int
iface_is_configured(const struct nhrp_iface *ifp)
{
	return (ifp->flags & IFACE_CONFIGURED) != 0;
}

struct nhrp_iface *
iface_by_name(const char *name)
{
	struct nhrp_hnode *n;
	struct nhrp_iface *ifp;

	for (n = nhrp_htable_first(&name_idx, name_hash(name)); n != NULL;
	    n = nhrp_htable_next(n)) {
		ifp = nhrp_hnode_entry(n, struct nhrp_iface, name_node);
		if (strcmp(ifp->name, name) == 0)
			return ifp;
	}
	return NULL;
}

struct nhrp_iface *
iface_by_index(int index)
{
	struct nhrp_hnode *n;
	struct nhrp_iface *ifp;

	if (index <= 0)
		return NULL;
	for (n = nhrp_htable_first(&index_idx, (uint32_t)index); n != NULL;
	    n = nhrp_htable_next(n)) {
		ifp = nhrp_hnode_entry(n, struct nhrp_iface, index_node);
		if (ifp->index == index)
			return ifp;
	}
	return NULL;
}

struct nhrp_iface *
iface_by_proto(const struct nhrp_addr *a)
{
	struct nhrp_iface *ifp;

	TAILQ_FOREACH(ifp, &iface_list, entry)
		if (nhrp_addr_equal(&ifp->proto, a))
			return ifp;
	return NULL;
}

struct nhrp_iface *
iface_by_local_nbma(const struct nhrp_addr *a)
{
	struct nhrp_iface *ifp, *found = NULL;

	TAILQ_FOREACH(ifp, &iface_list, entry) {
		if (!iface_is_configured(ifp))
			continue;
		if (nhrp_addr_equal(&ifp->nbma, a) ||
		    (nhrp_addr_is_unspec(&ifp->nbma) && ifp->link_index == 0)) {
			if (found != NULL)
				return NULL;
			found = ifp;
		}
	}
	return found;
}

struct nhrp_iface *
iface_get(const char *name)
{
	struct nhrp_iface *ifp;

	if ((ifp = iface_by_name(name)) != NULL)
		return ifp;
	if ((ifp = calloc(1, sizeof(*ifp))) == NULL)
		return NULL;
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	ifp->holding_time = CONF_DEFAULT_HOLDING;
	ifp->route_table = CONF_DEFAULT_TABLE;
	if (cache_iface_init(ifp) != 0) {
		free(ifp);
		return NULL;
	}
	nhrp_htable_insert(&name_idx, &ifp->name_node, name_hash(ifp->name));
	TAILQ_INSERT_HEAD(&iface_list, ifp, entry);
	return ifp;
}

static void
iface_set_index(struct nhrp_iface *ifp, int index)
{
	if (ifp->index_hashed) {
		nhrp_htable_remove(&index_idx, &ifp->index_node);
		ifp->index_hashed = false;
	}
	ifp->index = index;
	if (index > 0) {
		nhrp_htable_insert(&index_idx, &ifp->index_node,
		    (uint32_t)index);
		ifp->index_hashed = true;
	}
}

void
iface_shutdown(void)
{
	struct nhrp_iface *ifp;

	while ((ifp = TAILQ_FIRST(&iface_list)) != NULL) {
		TAILQ_REMOVE(&iface_list, ifp, entry);
		cache_iface_clear(ifp);
		free(ifp);
	}
	nhrp_htable_free(&name_idx);
	nhrp_htable_free(&index_idx);
}

int
iface_own_nbma(struct nhrp_iface *ifp, const struct nhrp_addr *peer_nbma,
    struct nhrp_addr *own, unsigned *mtu)
{
	char b[NHRP_ADDRSTRLEN];
	unsigned m = 0;
	int r;

	if (!nhrp_addr_is_unspec(&ifp->nbma)) {
		*own = ifp->nbma;
		*mtu = ifp->nbma_mtu;
		return 0;
	}
	if (peer_nbma == NULL || nhrp_addr_is_unspec(peer_nbma))
		return -1;
	r = sysdep_route_get(peer_nbma, own, &m);
	if (r < 0) {
		log_error("No route to next hop address %s", af(peer_nbma, b));
		return r;
	}
	*mtu = m == 1500 ? 0 : m;
	return 0;
}

/* --- configuration ---------------------------------------------------- */

static struct nhrp_peer *
add_local(struct nhrp_iface *ifp, const struct nhrp_addr *a, unsigned prefix,
    const struct nhrp_addr *alias)
{
	struct nhrp_peer *p;

	if ((p = peer_new(ifp, PEER_LOCAL)) == NULL)
		return NULL;
	p->proto = *a;
	nhrp_addr_mask(&p->proto, prefix);
	p->prefix = prefix;
	if (alias != NULL)
		p->nbma = *alias;
	p->flags |= PEER_F_UP;
	p->kgen = kgen;
	peer_insert(p);
	return p;
}

int
iface_apply_conf(const struct nhrp_conf *conf)
{
	const struct conf_iface *ci;
	const struct conf_map *m;
	const struct conf_dynmap *dm;
	const struct conf_target *t;
	struct nhrp_iface *ifp;
	struct nhrp_peer *p;

	TAILQ_FOREACH(ci, &conf->ifaces, entry) {
		if ((ifp = iface_get(ci->name)) == NULL)
			return -1;
		ifp->conf = ci;
		ifp->flags = ci->flags | IFACE_CONFIGURED;
		ifp->holding_time = ci->holding_time;
		ifp->route_table = ci->route_table;
		ifp->mcast_mode = ci->mcast_mode;
		ifp->auth_len = 0;
		if (ci->auth_len > 0) {
			ifp->auth[0] = ifp->auth[1] = ifp->auth[2] = 0;
			ifp->auth[3] = 1;
			memcpy(ifp->auth + 4, ci->auth, ci->auth_len);
			ifp->auth_len = 4 + ci->auth_len;
		}
		TAILQ_FOREACH(m, &ci->maps, entry) {
			if ((p = peer_new(ifp, PEER_STATIC)) == NULL)
				return -1;
			p->proto = m->proto;
			p->prefix = m->prefix;
			if (m->hostname != NULL) {
				if ((p->hostname = strdup(m->hostname)) == NULL)
					return -1;
			} else
				p->nbma = m->nbma;
			if (m->flags & CONF_PEER_REGISTER)
				p->flags |= PEER_F_REGISTER;
			if (m->flags & CONF_PEER_CISCO)
				p->flags |= PEER_F_CISCO;
			if (m->flags & CONF_PEER_NO_UNIQUE)
				p->flags |= PEER_F_NO_UNIQUE;
			peer_insert(p);
		}
		TAILQ_FOREACH(dm, &ci->dynmaps, entry) {
			if ((p = peer_new(ifp, PEER_DYNAMIC_MAP)) == NULL)
				return -1;
			p->proto = dm->proto;
			p->prefix = dm->prefix;
			if ((p->hostname = strdup(dm->hostname)) == NULL)
				return -1;
			if (dm->flags & CONF_PEER_CISCO)
				p->flags |= PEER_F_CISCO;
			if (dm->flags & CONF_PEER_NO_UNIQUE)
				p->flags |= PEER_F_NO_UNIQUE;
			peer_insert(p);
		}
		TAILQ_FOREACH(t, &ci->targets, entry) {
			p = add_local(ifp, &t->proto, t->prefix, NULL);
			if (p != NULL)
				p->holding_time = t->holding_time;
		}
	}
	return 0;
}

void
iface_start_peers(void)
{
	struct peer_vec v = { 0 };
	struct nhrp_iface *ifp;
	struct nhrp_peer *p;
	size_t i;

	TAILQ_FOREACH(ifp, &iface_list, entry)
		TAILQ_FOREACH(p, &ifp->peers, show_entry)
			if (p->type == PEER_STATIC ||
			    p->type == PEER_DYNAMIC_MAP)
				peer_vec_add_cb(p, &v);
	for (i = v.n; i > 0; i--)
		peer_start(v.v[i - 1]);
	peer_vec_release(&v);
}

/* --- link events ------------------------------------------------------ */

static size_t
iface_purge_all(struct nhrp_iface *ifp, const char *reason)
{
	struct peer_vec v = { 0 };
	struct nhrp_peer *p;
	size_t i;

	TAILQ_FOREACH(p, &ifp->peers, show_entry)
		if (PEER_MASK_PURGEABLE & PT(p->type))
			peer_vec_add_cb(p, &v);
	for (i = 0; i < v.n; i++)
		peer_purge(v.v[i], reason);
	i = v.n;
	peer_vec_release(&v);
	return i;
}

static void
iface_run_up_script(struct nhrp_iface *ifp)
{
	struct script_env env;

	script_env_init(&env);
	script_env_add(&env, "NHRP_TYPE", "INTERFACE");
	script_env_add(&env, "NHRP_INTERFACE", "%s", ifp->name);
	script_env_add(&env, "NHRP_GRE_KEY", "%u", ifp->gre_key);
	script_run("interface-up", &env, NULL, NULL);
}

static void
iface_update_nbma(struct nhrp_iface *ifp)
{
	struct nhrp_iface *l;

	if (!nhrp_addr_is_unspec(&ifp->gre_local)) {
		ifp->nbma = ifp->gre_local;
		ifp->nbma_mtu = 0;
	} else if (ifp->link_index != 0 &&
	    (l = iface_by_index(ifp->link_index)) != NULL) {
		ifp->nbma = l->link_primary;
		ifp->nbma_mtu = l->mtu == 1500 ? 0 : l->mtu;
	} else {
		nhrp_addr_clear(&ifp->nbma);
		ifp->nbma_mtu = 0;
	}
}

void
iface_link_event(const struct sysdep_link *l)
{
	struct nhrp_iface *ifp;
	bool was_up, first, changed;
	size_t n;

	ifp = iface_by_index(l->ifindex);
	if (ifp != NULL && strcmp(ifp->name, l->name) != 0) {
		/* renamed: the old record loses its index */
		iface_set_index(ifp, 0);
		ifp = NULL;
	}
	if (l->deleted) {
		if (ifp == NULL)
			return;
		log_info("Interface '%s' deleted", ifp->name);
		redirect_iface_gone(ifp->index);
		iface_set_index(ifp, 0);
		ifp->link_index = 0;
		ifp->link_flags = 0;
		nhrp_addr_clear(&ifp->nbma);
		nhrp_addr_clear(&ifp->proto);
		ifp->seen = false;
		return;
	}
	if (ifp == NULL) {
		if ((ifp = iface_get(l->name)) == NULL)
			return;
		iface_set_index(ifp, l->ifindex);
	}
	ifp->kgen = kgen;
	TAILQ_REMOVE(&iface_list, ifp, entry);
	TAILQ_INSERT_HEAD(&iface_list, ifp, entry);
	was_up = (ifp->link_flags & IFF_UP) != 0;
	first = !ifp->seen;
	ifp->seen = true;
	ifp->link_flags = l->flags;
	ifp->mtu = l->mtu;
	ifp->hwtype = l->type;
	if (!iface_is_configured(ifp))
		return;
	if (l->is_gre) {
		changed = ifp->gre_key != l->gre_ikey ||
		    !nhrp_addr_equal(&ifp->gre_local, &l->gre_local) ||
		    ifp->link_index != l->gre_link;
		if (changed && !first && !nhrp_addr_is_unspec(&ifp->gre_local) &&
		    nhrp_addr_is_unspec(&l->gre_local) && l->gre_link == 0)
			log_warnx("WARNING: Cannot figure out NBMA address for "
			    "interface '%s'. Using route hints.", ifp->name);
		ifp->is_gre = true;
		ifp->gre_key = l->gre_ikey;
		ifp->gre_local = l->gre_local;
		ifp->link_index = l->gre_link;
		iface_update_nbma(ifp);
		if (changed && !first && !in_resync) {
			nhrp_addr_clear(&ifp->nat_oa);
			n = iface_purge_all(ifp, "user-request");
			log_info("Interface %s: GRE configuration changed. "
			    "Purged %zu peers.", ifp->name, n);
		}
	}
	if ((ifp->flags & CONF_IF_SHORTCUT_DEST) == 0)
		sysdep_iface_configure(ifp->index, ifp->name);
	redirect_iface_sync(ifp);
	if ((l->flags & IFF_UP) && (first || !was_up)) {
		log_info("Interface %s: configured UP, mtu=%u", ifp->name,
		    ifp->mtu);
		iface_run_up_script(ifp);
	} else if (!in_resync)
		log_info("Interface %s: config change, mtu=%u", ifp->name,
		    ifp->mtu);
}

/* --- address events --------------------------------------------------- */

static void
iface_purge_own_nbma(const struct nhrp_addr *a)
{
	struct peer_vec v = { 0 };
	struct nhrp_iface *ifp;
	struct nhrp_peer *p;
	size_t i;

	TAILQ_FOREACH(ifp, &iface_list, entry)
		TAILQ_FOREACH(p, &ifp->peers, show_entry)
			if ((PEER_MASK_PURGEABLE & PT(p->type)) &&
			    nhrp_addr_equal(&p->my_nbma, a))
				peer_vec_add_cb(p, &v);
	for (i = 0; i < v.n; i++)
		peer_purge(v.v[i], "address-removed");
	peer_vec_release(&v);
}

static void
iface_set_locals(struct nhrp_iface *ifp)
{
	struct nhrp_addr bc;

	if (ifp->local_addr != NULL) {
		peer_remove(ifp->local_addr, NULL);
		ifp->local_addr = NULL;
	}
	if (ifp->local_bcast != NULL) {
		peer_remove(ifp->local_bcast, NULL);
		ifp->local_bcast = NULL;
	}
	if (nhrp_addr_is_unspec(&ifp->proto))
		return;
	bc = ifp->proto;
	nhrp_addr_broadcast(&bc, ifp->prefix);
	if (ifp->prefix < 32)
		ifp->local_bcast = add_local(ifp, &bc, 32, &ifp->proto);
	ifp->local_addr = add_local(ifp, &ifp->proto, 32, NULL);
}

void
iface_addr_event(const struct sysdep_addr *a)
{
	struct nhrp_iface *ifp, *g;
	bool changed;

	if ((ifp = iface_by_index(a->ifindex)) == NULL ||
	    a->addr.afn != NHRP_AFN_IPV4)
		return;
	if (!a->deleted) {
		if (!a->secondary) {
			ifp->link_primary = a->addr;
			TAILQ_FOREACH(g, &iface_list, entry)
				if (g->link_index == ifp->index &&
				    nhrp_addr_is_unspec(&g->gre_local) &&
				    iface_is_configured(g))
					iface_update_nbma(g);
		}
		if (!iface_is_configured(ifp) ||
		    (ifp->flags & CONF_IF_SHORTCUT_DEST))
			return;
		changed = !nhrp_addr_equal(&ifp->proto, &a->addr) ||
		    ifp->prefix != a->prefix;
		ifp->proto = a->addr;
		ifp->prefix = a->prefix;
		if (changed || ifp->local_addr == NULL) {
			iface_set_locals(ifp);
			redirect_iface_sync(ifp);
		} else {
			ifp->local_addr->kgen = kgen;
			if (ifp->local_bcast != NULL)
				ifp->local_bcast->kgen = kgen;
		}
		return;
	}
	if (nhrp_addr_equal(&ifp->link_primary, &a->addr)) {
		nhrp_addr_clear(&ifp->link_primary);
		TAILQ_FOREACH(g, &iface_list, entry)
			if (g->link_index == ifp->index &&
			    nhrp_addr_is_unspec(&g->gre_local))
				iface_update_nbma(g);
	}
	iface_purge_own_nbma(&a->addr);
	if (nhrp_addr_equal(&ifp->proto, &a->addr)) {
		nhrp_addr_clear(&ifp->proto);
		ifp->prefix = 0;
		iface_set_locals(ifp);
		redirect_iface_sync(ifp);
	}
}

/* --- route events ----------------------------------------------------- */

struct route_find {
	const struct nhrp_addr	*dst, *gw;
	unsigned		 prefix;
	struct nhrp_peer	*found;
};

static int
route_find_cb(struct nhrp_peer *p, void *arg)
{
	struct route_find *rf = arg;

	if (!p->kernel || p->prefix != rf->prefix ||
	    !nhrp_addr_equal(&p->proto, rf->dst))
		return 0;
	if (rf->gw != NULL && !nhrp_addr_equal(&p->nbma, rf->gw))
		return 0;
	rf->found = p;
	return 1;
}

void
iface_route_event(const struct sysdep_route *r)
{
	struct nhrp_iface *ifp;
	struct nhrp_addr dst;
	struct route_find rf;
	struct nhrp_peer *p;
	unsigned type;

	if ((ifp = iface_by_index(r->oif)) == NULL || !iface_is_configured(ifp))
		return;
	if (r->dst.afn == NHRP_AFN_IPV4)
		dst = r->dst;
	else if (r->dst.afn == NHRP_AFN_NONE && r->prefix == 0 &&
	    r->gateway.afn == NHRP_AFN_IPV4)
		nhrp_addr_set_ipv4(&dst, 0);
	else
		return;
	nhrp_addr_mask(&dst, r->prefix);
	if (ifp->flags & CONF_IF_SHORTCUT_DEST) {
		if (r->table != ifp->route_table &&
		    r->protocol != RTPROT_KERNEL_)
			return;
		type = PEER_LOCAL;
	} else {
		if (r->table != ifp->route_table ||
		    r->protocol == RTPROT_KERNEL_ || r->protocol == RTPROT_NHRP)
			return;
		type = PEER_LOCAL_ROUTE;
	}
	memset(&rf, 0, sizeof(rf));
	rf.dst = &dst;
	rf.prefix = r->prefix;
	rf.gw = nhrp_addr_is_unspec(&r->gateway) ? NULL : &r->gateway;
	cache_foreach_prefix(ifp, &dst, r->prefix, PT(type), route_find_cb,
	    &rf);
	if (r->deleted) {
		if (rf.found != NULL)
			peer_remove(rf.found, NULL);
		return;
	}
	if (rf.found != NULL) {
		rf.found->kgen = kgen;
		return;
	}
	if ((p = peer_new(ifp, type)) == NULL)
		return;
	p->proto = dst;
	p->prefix = r->prefix;
	if (rf.gw != NULL)
		p->nbma = *rf.gw;
	p->kernel = true;
	p->kgen = kgen;
	p->flags |= PEER_F_UP;
	peer_insert(p);
}

/* --- resync after a netlink overrun ---------------------------------- */

void
iface_resync_begin(void)
{
	kgen++;
	in_resync = true;
}

void
iface_resync_end(void)
{
	struct peer_vec v = { 0 };
	struct nhrp_iface *ifp;
	struct nhrp_peer *p;
	size_t i;

	in_resync = false;
	TAILQ_FOREACH(p, &local_list, show_entry)
		if (p->kernel && p->kgen != kgen)
			peer_vec_add_cb(p, &v);
	TAILQ_FOREACH(ifp, &iface_list, entry) {
		TAILQ_FOREACH(p, &ifp->peers, show_entry)
			if (p->kernel && p->kgen != kgen)
				peer_vec_add_cb(p, &v);
	}
	for (i = 0; i < v.n; i++)
		peer_remove(v.v[i], NULL);
	peer_vec_release(&v);
	TAILQ_FOREACH(ifp, &iface_list, entry) {
		if (ifp->index != 0 && ifp->kgen != kgen) {
			log_info("Interface '%s' deleted", ifp->name);
			redirect_iface_gone(ifp->index);
			iface_set_index(ifp, 0);
			ifp->link_flags = 0;
			nhrp_addr_clear(&ifp->nbma);
			nhrp_addr_clear(&ifp->proto);
			ifp->seen = false;
		}
	}
}
