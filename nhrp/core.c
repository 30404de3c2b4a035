/*
 * core.c - daemon-wide state and the core's event wiring: sysdep
 * callbacks, signals, startup of the peers, clean shutdown.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ev.h>

#include "cache.h"
#include "conf.h"
#include "core.h"
#include "iface.h"
#include "log.h"
#include "packet_io.h"
#include "peer.h"
#include "redirect.h"
#include "script.h"
#include "server.h"
#include "sysdep.h"

struct ev_loop	*nhrp_loop;
struct nhrp_conf *nhrp_cur_conf;
bool		 nhrp_shutting_down;
double		 core_fake_now = 1000.0;
bool		 core_fake_time;

/*
 * Monotonic seconds.  Not ev_now(): libev's "now" is the realtime clock,
 * and a stepped clock (NTP at boot, a VM) would make absolute expiry
 * times and the shutdown bound wrong; timers themselves are relative.
 */
char *
af(const struct nhrp_addr *a, char *buf)
{
	if (a == NULL || a->afn == NHRP_AFN_NONE)
		return strcpy(buf, "(unspecified)");
	return nhrp_addr_format(a, buf, NHRP_ADDRSTRLEN);
}

double
core_now(void)
{
	struct timespec ts;

	if (core_fake_time || nhrp_loop == NULL)
		return core_fake_now;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return ev_now(nhrp_loop);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- sysdep callbacks ------------------------------------------------- */

static void
cb_link(void *arg, const struct sysdep_link *l)
{
	iface_link_event(l);
}

static void
cb_addr(void *arg, const struct sysdep_addr *a)
{
	iface_addr_event(a);
}

static void
cb_route(void *arg, const struct sysdep_route *r)
{
	iface_route_event(r);
}

#define NUD_REACHABLE_	0x02
#define NUD_STALE_	0x04
#define NUD_FAILED_	0x20

static void
cb_neigh(void *arg, const struct sysdep_neigh *n)
{
	struct nhrp_iface *ifp;

	if (nhrp_shutting_down || (ifp = iface_by_index(n->ifindex)) == NULL ||
	    !iface_is_configured(ifp) || n->dst.afn != NHRP_AFN_IPV4)
		return;
	switch (n->kind) {
	case SYSDEP_NEIGH_REQUEST:
		peer_neigh_request(ifp, &n->dst);
		break;
	case SYSDEP_NEIGH_NEW:
	case SYSDEP_NEIGH_DEL:
		if ((n->state & (NUD_REACHABLE_ | NUD_STALE_ | NUD_FAILED_)) == 0)
			break;
		peer_neigh_event(ifp, &n->dst, n->kind == SYSDEP_NEIGH_NEW &&
		    (n->state & NUD_REACHABLE_) != 0);
		break;
	}
}

static void
cb_resync_begin(void *arg)
{
	iface_resync_begin();
}

static void
cb_resync_end(void *arg)
{
	iface_resync_end();
}

static void
cb_packet(void *arg, int ifindex, const struct nhrp_addr *src_nbma,
    const uint8_t *buf, size_t len)
{
	if (nhrp_shutting_down)
		return;
	packet_receive(ifindex, src_nbma, buf, len);
}

void
core_sysdep_ops(struct sysdep_ops *ops)
{
	memset(ops, 0, sizeof(*ops));
	ops->link = cb_link;
	ops->addr = cb_addr;
	ops->route = cb_route;
	ops->neigh = cb_neigh;
	ops->resync_begin = cb_resync_begin;
	ops->resync_end = cb_resync_end;
	ops->nhrp_packet = cb_packet;
}

void
core_flush(void)
{
	peer_flush_all(PEER_MASK_REMOVABLE, "user-request");
}

void
core_shutdown_peers(void)
{
	nhrp_shutting_down = true;
	redirect_shutdown();		/* capture sockets first (1.2) */
	if (nhrp_cur_conf == NULL || nhrp_cur_conf->shutdown_purge)
		client_purge_on_shutdown();
	server_shutdown();
	peer_flush_all(PEER_MASK_ALL, "user-request");
	packet_io_shutdown();
}
