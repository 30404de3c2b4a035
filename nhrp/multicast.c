/*
 * multicast.c - multicast relay to the member peers of an interface
 * (see multicast.h).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "capture.h"
#include "conf.h"
#include "core.h"
#include "iface.h"
#include "log.h"
#include "multicast.h"
#include "peer.h"

#define MCAST_REBUILD_MAX_AGE	1.0	/* seconds: safety net */

struct mc_iface {
	LIST_ENTRY(mc_iface)	 entry;
	struct nhrp_iface	*ifp;
	struct nhrp_addr	*nbma;
	size_t			 n, cap;
	bool			 dirty;
	double			 built;
};

static LIST_HEAD(, mc_iface) mc_list = LIST_HEAD_INITIALIZER(mc_list);
struct mcast_stats mcast_stats;

int
mcast_iface_wanted(const struct nhrp_iface *ifp)
{
	if (ifp->mcast_mode != CONF_MCAST_NONE)
		return 1;
	return ifp->conf != NULL && !TAILQ_EMPTY(&ifp->conf->mcast_addrs);
}

int
mcast_is_member(const struct nhrp_peer *p)
{
	const struct nhrp_iface *ifp = p->iface;
	const struct conf_mcast_addr *ma;
	unsigned mask = 0;

	if (ifp == NULL || (p->flags & (PEER_F_UP | PEER_F_REMOVED)) !=
	    PEER_F_UP || nhrp_addr_is_unspec(&p->nbma))
		return 0;
	switch (ifp->mcast_mode) {
	case CONF_MCAST_DYNAMIC:
		mask = PT(PEER_STATIC) | PT(PEER_DYNAMIC_NHS) | PT(PEER_DYNAMIC);
		break;
	case CONF_MCAST_NHS:
		mask = PT(PEER_STATIC) | PT(PEER_DYNAMIC_NHS);
		break;
	}
	if (mask & PT(p->type))
		return 1;
	if (p->type != PEER_STATIC && p->type != PEER_DYNAMIC_NHS &&
	    p->type != PEER_DYNAMIC && p->type != PEER_CACHED)
		return 0;
	if (ifp->conf != NULL)
		TAILQ_FOREACH(ma, &ifp->conf->mcast_addrs, entry)
			if (nhrp_addr_equal(&ma->addr, &p->proto))
				return 1;
	return 0;
}

static struct mc_iface *
mc_find(const struct nhrp_iface *ifp, bool create)
{
	struct mc_iface *m;

	LIST_FOREACH(m, &mc_list, entry)
		if (m->ifp == ifp)
			return m;
	if (!create || (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->ifp = (struct nhrp_iface *)(uintptr_t)ifp;
	m->dirty = true;
	LIST_INSERT_HEAD(&mc_list, m, entry);
	return m;
}

void
mcast_peer_changed(const struct nhrp_peer *p)
{
	struct mc_iface *m;

	if (p->iface != NULL && (m = mc_find(p->iface, false)) != NULL)
		m->dirty = true;
}

static int
addr_sort(const void *a, const void *b)
{
	return nhrp_addr_cmp(a, b);
}

static int
mc_rebuild(struct mc_iface *m)
{
	struct nhrp_peer *p;
	struct nhrp_addr *nv;
	size_t i, j;
	char b[NHRP_ADDRSTRLEN];

	m->n = 0;
	TAILQ_FOREACH(p, &m->ifp->peers, show_entry) {
		if (!mcast_is_member(p))
			continue;
		if (m->n == m->cap) {
			size_t ncap = m->cap ? m->cap * 2 : 16;

			if ((nv = reallocarray(m->nbma, ncap,
			    sizeof(*nv))) == NULL)
				return -1;
			m->nbma = nv;
			m->cap = ncap;
		}
		m->nbma[m->n++] = p->nbma;
	}
	if (m->n > 1) {
		qsort(m->nbma, m->n, sizeof(*m->nbma), addr_sort);
		for (i = 1, j = 1; i < m->n; i++)
			if (!nhrp_addr_equal(&m->nbma[i], &m->nbma[j - 1]))
				m->nbma[j++] = m->nbma[i];
		m->n = j;
	}
	m->dirty = false;
	m->built = core_now();
	mcast_stats.rebuilds++;
	if (log_getverbose())
		for (i = 0; i < m->n && i < 8; i++)
			log_debug("Interface %s: multicast member nbma %s",
			    m->ifp->name, nhrp_addr_format(&m->nbma[i], b,
			    sizeof(b)));
	return 0;
}

int
mcast_members(struct nhrp_iface *ifp, const struct nhrp_addr **out)
{
	struct mc_iface *m;
	double now = core_now();

	*out = NULL;
	if ((m = mc_find(ifp, true)) == NULL)
		return -1;
	if (m->dirty || now - m->built > MCAST_REBUILD_MAX_AGE ||
	    now < m->built) {
		if (mc_rebuild(m) != 0) {
			m->dirty = true;
			return -1;
		}
	}
	*out = m->nbma;
	return (int)m->n;
}

void
mcast_relay(int ifindex, const uint8_t *ip, size_t len)
{
	struct nhrp_iface *ifp;
	const struct nhrp_addr *nbma;
	int n, r;

	ifp = iface_by_index(ifindex);
	if (ifp == NULL || !iface_is_configured(ifp) ||
	    !mcast_iface_wanted(ifp))
		return;
	if ((n = mcast_members(ifp, &nbma)) <= 0) {
		mcast_stats.no_members++;
		return;
	}
	mcast_stats.packets++;
	r = capture_mcast_send(ifindex, ip, len, nbma, (size_t)n);
	if (r > 0)
		mcast_stats.copies += (uint64_t)r;
}

void
mcast_shutdown(void)
{
	struct mc_iface *m;

	while ((m = LIST_FIRST(&mc_list)) != NULL) {
		LIST_REMOVE(m, entry);
		free(m->nbma);
		free(m);
	}
}
