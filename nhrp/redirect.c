/*
 * redirect.c - Traffic Indications from the NHS (spec 8.2, 6.10) with the
 * per-flow rate limit of OpenNHRP, and the capture glue for redirect and
 * multicast interfaces.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "cache.h"
#include "capture.h"
#include "core.h"
#include "iface.h"
#include "log.h"
#include "multicast.h"
#include "packet_io.h"
#include "peer.h"
#include "redirect.h"

/* --- the rate limiter (pure) ----------------------------------------- */

static uint32_t
rl_hash(const struct nhrp_addr *src, const struct nhrp_addr *dst)
{
	return nhrp_addr_hash(src) * 0x9e3779b1u ^ nhrp_addr_hash(dst);
}

void
rl_init(struct rl_table *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	nhrp_htable_init(&t->flows);
	t->max = max != 0 ? max : RL_MAX_FLOWS;
}

static void
rl_free_flow(struct rl_table *t, struct rl_flow *f)
{
	nhrp_htable_remove(&t->flows, &f->node);
	free(f);
}

void
rl_clear(struct rl_table *t)
{
	rl_purge(t, NULL, 0);
	nhrp_htable_free(&t->flows);
}

size_t
rl_count(const struct rl_table *t)
{
	return t->flows.count;
}

static struct rl_flow *
rl_find(struct rl_table *t, const struct nhrp_addr *src,
    const struct nhrp_addr *dst, uint32_t h)
{
	struct nhrp_hnode *n;
	struct rl_flow *f;

	for (n = nhrp_htable_first(&t->flows, h); n != NULL;
	    n = nhrp_htable_next(n)) {
		f = nhrp_hnode_entry(n, struct rl_flow, node);
		if (nhrp_addr_equal(&f->src, src) &&
		    nhrp_addr_equal(&f->dst, dst))
			return f;
	}
	return NULL;
}

int
rl_check(struct rl_table *t, const struct nhrp_addr *src,
    const struct nhrp_addr *dst, double now)
{
	uint32_t h = rl_hash(src, dst);
	struct rl_flow *f;

	if ((f = rl_find(t, src, dst, h)) == NULL) {
		if (t->flows.count >= t->max)
			rl_prune(t, now);
		if (t->flows.count >= t->max ||
		    (f = calloc(1, sizeof(*f))) == NULL) {
			t->overflow++;
			t->suppressed++;
			return 0;
		}
		f->src = *src;
		f->dst = *dst;
		f->last = now;
		nhrp_htable_insert(&t->flows, &f->node, h);
	}
	if (now - f->last > RL_RESET)
		f->tokens = 0;
	if (f->tokens >= RL_TOKENS) {
		f->last = now;
		t->suppressed++;
		return 0;
	}
	if (f->tokens > 0 && now - f->last < RL_GAP) {
		t->suppressed++;
		return 0;
	}
	f->tokens++;
	f->last = now;
	t->sent++;
	return 1;
}

size_t
rl_purge(struct rl_table *t, const struct nhrp_addr *a, unsigned plen)
{
	struct nhrp_hnode *n, *nn;
	struct rl_flow *f;
	size_t pos, cnt = 0;

	for (n = nhrp_htable_iter_first(&t->flows, &pos); n != NULL; n = nn) {
		nn = nhrp_htable_iter_next(&t->flows, &pos, n);
		f = nhrp_hnode_entry(n, struct rl_flow, node);
		if (a != NULL && !nhrp_addr_prefix_match(a, plen, &f->src) &&
		    !nhrp_addr_prefix_match(a, plen, &f->dst))
			continue;
		rl_free_flow(t, f);
		cnt++;
	}
	return cnt;
}

size_t
rl_prune(struct rl_table *t, double now)
{
	struct nhrp_hnode *n, *nn;
	struct rl_flow *f;
	size_t pos, cnt = 0;

	for (n = nhrp_htable_iter_first(&t->flows, &pos); n != NULL; n = nn) {
		nn = nhrp_htable_iter_next(&t->flows, &pos, n);
		f = nhrp_hnode_entry(n, struct rl_flow, node);
		if (now - f->last <= RL_EXPIRE)
			continue;
		rl_free_flow(t, f);
		cnt++;
	}
	return cnt;
}

/* --- daemon ---------------------------------------------------------- */

struct redirect_stats redirect_stats;

static struct rl_table rl;
static bool rl_ready;
static bool capture_ready;
static ev_timer prune_timer;

static void
prune_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	size_t n;

	if ((n = rl_prune(&rl, core_now())) > 0)
		log_debug("Pruned %zu idle traffic indication rate limits", n);
}

static void
rl_ensure(void)
{
	if (rl_ready)
		return;
	rl_init(&rl, 0);
	rl_ready = true;
	if (nhrp_loop != NULL) {
		ev_timer_init(&prune_timer, prune_cb, RL_PRUNE, RL_PRUNE);
		ev_timer_start(nhrp_loop, &prune_timer);
		ev_unref(nhrp_loop);	/* never keeps the loop alive */
	}
}

size_t
redirect_purge(const struct nhrp_addr *a, unsigned plen)
{
	if (!rl_ready)
		return 0;
	return rl_purge(&rl, a, plen > 32 ? 32 : plen);
}

struct spoke_arg {
	struct nhrp_peer	*found;
};

static int
spoke_cb(struct nhrp_peer *p, void *arg)
{
	struct spoke_arg *sa = arg;

	if ((p->flags & (PEER_F_UP | PEER_F_REMOVED)) != PEER_F_UP)
		return 0;
	sa->found = p;
	return 1;
}

static void
send_indication(struct nhrp_iface *ifp, struct nhrp_peer *spoke,
    const struct nhrp_addr *src, const struct nhrp_addr *dst,
    const uint8_t *ip, size_t len)
{
	struct nhrp_packet pkt;
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN], b3[NHRP_ADDRSTRLEN];

	if (len > CAPTURE_SNAPLEN)
		len = CAPTURE_SNAPLEN;
	nhrp_packet_init(&pkt, NHRP_TRAFFIC_INDICATION);
	pkt.hop_count = 1;	/* Cisco drops hop 0 (decisions) */
	pkt.flags = 0;
	pkt.request_id = 0;	/* traffic code 0 */
	if (nhrp_addr_is_unspec(&spoke->my_nbma))
		iface_own_nbma(ifp, &spoke->nbma, &spoke->my_nbma,
		    &spoke->my_mtu);
	packet_fill_src(ifp, &pkt, &spoke->my_nbma);
	pkt.dst_proto = *src;
	if ((pkt.payload = malloc(len)) == NULL)
		goto out;
	memcpy(pkt.payload, ip, len);
	pkt.payload_len = len;
	if (nhrp_packet_ext_add(&pkt, NHRP_EXT_FORWARD_TRANSIT, true) == NULL)
		goto out;
	log_info("Sending Traffic Indication about packet from %s to %s "
	    "(to %s/%u)", af(src, b1), af(dst, b2), af(&spoke->proto, b3),
	    spoke->prefix);
	if (packet_send(ifp, &spoke->nbma, &pkt) == 0)
		redirect_stats.sent++;
out:
	nhrp_packet_clear(&pkt);
}

void
redirect_sample(int ifindex, const struct nhrp_addr *src_nbma,
    const uint8_t *ip, size_t len)
{
	struct nhrp_iface *ifp;
	struct nhrp_addr src, dst;
	struct spoke_arg sa = { NULL };

	ifp = iface_by_index(ifindex);
	if (ifp == NULL || !iface_is_configured(ifp) ||
	    (ifp->flags & (CONF_IF_REDIRECT | CONF_IF_SHORTCUT_DEST)) !=
	    CONF_IF_REDIRECT || nhrp_addr_is_unspec(&ifp->proto))
		return;
	if (len < 20 || (ip[0] >> 4) != 4 || src_nbma == NULL ||
	    nhrp_addr_is_unspec(src_nbma))
		return;
	redirect_stats.samples++;
	nhrp_addr_set(&src, NHRP_AFN_IPV4, ip + 12, 4);
	nhrp_addr_set(&dst, NHRP_AFN_IPV4, ip + 16, 4);
	/* the kernel delivers it locally: nothing to redirect */
	if (cache_local_match(ifp, &dst) != NULL) {
		redirect_stats.local_dst++;
		return;
	}
	/* only spokes registered with us, and only their own packets */
	cache_foreach_nbma(ifp, src_nbma, PT(PEER_DYNAMIC), spoke_cb, &sa);
	if (sa.found == NULL) {
		redirect_stats.not_spoke++;
		return;
	}
	rl_ensure();
	if (!rl_check(&rl, &src, &dst, core_now())) {
		redirect_stats.suppressed++;
		return;
	}
	send_indication(ifp, sa.found, &src, &dst, ip, len);
}

/* --- capture glue ---------------------------------------------------- */

static void
cap_redirect_cb(void *arg, int ifindex, const struct nhrp_addr *src_nbma,
    const uint8_t *ip, size_t len)
{
	if (nhrp_shutting_down)
		return;
	redirect_sample(ifindex, src_nbma, ip, len);
}

static void
cap_multicast_cb(void *arg, int ifindex, const uint8_t *ip, size_t len)
{
	if (nhrp_shutting_down)
		return;
	mcast_relay(ifindex, ip, len);
}

static const struct capture_ops cap_ops = {
	cap_redirect_cb,
	cap_multicast_cb,
};

static int
capture_ensure(void)
{
	int r;

	if (capture_ready)
		return 0;
	if (nhrp_loop == NULL)
		return -ENODEV;
	if ((r = capture_init(nhrp_loop, &cap_ops, NULL)) != 0) {
		log_error("Unable to initialize the traffic capture: %s",
		    strerror(-r));
		return r;
	}
	capture_ready = true;
	return 0;
}

static unsigned
iface_capture_what(const struct nhrp_iface *ifp)
{
	unsigned what = 0;

	if (!iface_is_configured(ifp) || ifp->index <= 0 ||
	    (ifp->flags & CONF_IF_SHORTCUT_DEST))
		return 0;
	if (ifp->flags & CONF_IF_REDIRECT)
		what |= CAPTURE_REDIRECT;
	if (mcast_iface_wanted(ifp))
		what |= CAPTURE_MULTICAST;
	return what;
}

void
redirect_iface_sync(struct nhrp_iface *ifp)
{
	struct nhrp_addr loc[2];
	unsigned what;
	size_t n = 0;
	int r;

	if (ifp == NULL || ifp->index <= 0)
		return;
	what = iface_capture_what(ifp);
	if (what == 0) {
		if (capture_ready)
			capture_iface_set(ifp->index, 0);
		return;
	}
	if (capture_ensure() != 0)
		return;
	if ((r = capture_iface_set(ifp->index, what)) != 0) {
		log_error("Interface %s: unable to capture %s%s: %s", ifp->name,
		    (what & CAPTURE_REDIRECT) ? "redirect " : "",
		    (what & CAPTURE_MULTICAST) ? "multicast " : "",
		    strerror(-r));
		return;
	}
	if (!nhrp_addr_is_unspec(&ifp->proto)) {
		loc[n++] = ifp->proto;
		if (ifp->prefix < 32) {
			loc[n] = ifp->proto;
			nhrp_addr_broadcast(&loc[n], ifp->prefix);
			n++;
		}
	}
	capture_iface_set_local(ifp->index, loc, n);
}

void
redirect_iface_gone(int ifindex)
{
	if (capture_ready && ifindex > 0)
		capture_iface_set(ifindex, 0);
}

void
redirect_shutdown(void)
{
	if (capture_ready) {
		capture_shutdown();
		capture_ready = false;
	}
	if (rl_ready) {
		if (nhrp_loop != NULL && ev_is_active(&prune_timer)) {
			ev_ref(nhrp_loop);
			ev_timer_stop(nhrp_loop, &prune_timer);
		}
		rl_clear(&rl);
		rl_ready = false;
	}
	mcast_shutdown();
}

void
redirect_log_counters(void)
{
	struct capture_stats cs;
	uint64_t rx = 0, tx = 0;
	size_t i;

	for (i = 0; i <= NHRP_TYPE_MAX; i++) {
		rx += nhrp_counters.rx[i];
		tx += nhrp_counters.tx[i];
	}
	log_info("Counters: rx %llu tx %llu bad %llu auth-failures %llu "
	    "unmatched %llu dropped %llu not-configured %llu tx-errors %llu "
	    "errors-sent %llu",
	    (unsigned long long)rx, (unsigned long long)tx,
	    (unsigned long long)nhrp_counters.rx_bad,
	    (unsigned long long)nhrp_counters.rx_auth_fail,
	    (unsigned long long)nhrp_counters.rx_unmatched,
	    (unsigned long long)nhrp_counters.rx_dropped,
	    (unsigned long long)nhrp_counters.rx_not_configured,
	    (unsigned long long)nhrp_counters.tx_errors,
	    (unsigned long long)nhrp_counters.err_sent);
	log_info("Counters: traffic-indications rx %llu tx %llu samples %llu "
	    "rate-limited %llu not-spoke %llu flows %zu",
	    (unsigned long long)nhrp_counters.rx[NHRP_TRAFFIC_INDICATION],
	    (unsigned long long)redirect_stats.sent,
	    (unsigned long long)redirect_stats.samples,
	    (unsigned long long)redirect_stats.suppressed,
	    (unsigned long long)redirect_stats.not_spoke,
	    rl_ready ? rl_count(&rl) : (size_t)0);
	memset(&cs, 0, sizeof(cs));
	if (capture_ready)
		capture_get_stats(&cs);
	log_info("Counters: multicast packets %llu copies %llu no-members %llu "
	    "captured %llu kernel-drops %llu relay-dropped %llu",
	    (unsigned long long)mcast_stats.packets,
	    (unsigned long long)mcast_stats.copies,
	    (unsigned long long)mcast_stats.no_members,
	    (unsigned long long)cs.multicast_captured,
	    (unsigned long long)cs.kernel_drops,
	    (unsigned long long)cs.dropped);
}
