/*
 * server.c - NHS role: Registration Requests (6.6), Purge Requests (6.5),
 * Resolution Requests for local entries (6.3), forwarding (6.7).
 */
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "cache.h"
#include "core.h"
#include "hash.h"
#include "iface.h"
#include "log.h"
#include "packet_io.h"
#include "peer.h"
#include "redirect.h"
#include "script.h"
#include "server.h"

#define SERVER_MAX_PENDING	65536	/* memory bound; hooks are queued */
/*
 * Reply cache: a Registration Request retransmitted (same request id,
 * same binding) within this many seconds of its answer is answered again
 * from the binding, without hooks or a neighbour update.  OpenNHRP spokes
 * retry every 5 s up to 25 s after the first copy (6.11), FRR's back-off
 * stays within it too; a refresh always carries a new request id.
 */
#define SERVER_REPLAY_WINDOW	30

struct srv_reg {
	struct nhrp_hnode	 node;
	struct nhrp_iface	*ifp;
	struct nhrp_packet	 pkt;		/* becomes the reply */
	struct nhrp_addr	 key_nbma, key_src, key_dst;
	struct nhrp_addr	 outer;
	bool			 natted;
	size_t			 cie;
	unsigned		 accepted, rejected;
	struct nhrp_peer	*peer;		/* entry of the current CIE */
	struct nhrp_peer	*refresh;	/* binding the current CIE refreshes */
	ev_tstamp		 arrival;
	/* the addresses of the reply's log line, formatted on arrival */
	char			 src_s[NHRP_ADDRSTRLEN], dst_s[NHRP_ADDRSTRLEN];
};

static struct nhrp_htable reg_table;
static size_t reg_count;

size_t
server_pending(void)
{
	return reg_count;
}

static uint32_t
reg_hash(const struct nhrp_addr *n, const struct nhrp_addr *s,
    const struct nhrp_addr *d)
{
	return nhrp_addr_hash(n) * 31u + nhrp_addr_hash(s) * 7u +
	    nhrp_addr_hash(d);
}

static struct srv_reg *
reg_find(const struct nhrp_addr *n, const struct nhrp_addr *s,
    const struct nhrp_addr *d)
{
	struct nhrp_hnode *h;
	struct srv_reg *r;

	for (h = nhrp_htable_first(&reg_table, reg_hash(n, s, d)); h != NULL;
	    h = nhrp_htable_next(h)) {
		r = nhrp_hnode_entry(h, struct srv_reg, node);
		if (nhrp_addr_equal(&r->key_nbma, n) &&
		    nhrp_addr_equal(&r->key_src, s) &&
		    nhrp_addr_equal(&r->key_dst, d))
			return r;
	}
	return NULL;
}

/*
 * The existing binding refreshed by the current CIE: kept from expiring
 * while the CIE's hooks run; once they decided, an expiry that passed
 * meanwhile takes effect (a refused refresh does not extend it).
 */
static void
reg_refresh_end(struct srv_reg *r, bool expire)
{
	struct nhrp_peer *o = r->refresh;

	if (o == NULL)
		return;
	r->refresh = NULL;
	o->flags &= ~PEER_F_REFRESHING;
	if (expire && (o->flags & PEER_F_REMOVED) == 0 && o->expire > 0 &&
	    o->expire <= core_now())
		peer_remove(o, "expired");
	peer_put(o);
}

static int
refresh_cb(struct nhrp_peer *p, void *arg)
{
	struct srv_reg *r = arg;
	const struct nhrp_peer *n = r->peer;

	if ((p->flags & (PEER_F_UP | PEER_F_REMOVED | PEER_F_REFRESHING)) !=
	    PEER_F_UP || p->prefix != n->prefix ||
	    !nhrp_addr_equal(&p->proto, &n->proto) ||
	    !nhrp_addr_equal(&p->nbma, &n->nbma))
		return 0;
	peer_get(p);
	p->flags |= PEER_F_REFRESHING;
	r->refresh = p;
	return 1;
}

static void
reg_free(struct srv_reg *r)
{
	reg_refresh_end(r, false);
	nhrp_htable_remove(&reg_table, &r->node);
	reg_count--;
	if (r->peer != NULL) {
		if (r->peer->reg == r)
			r->peer->reg = NULL;
		peer_put(r->peer);
	}
	nhrp_packet_clear(&r->pkt);
	free(r);
}

void
server_shutdown(void)
{
	struct nhrp_hnode *n, *nn;
	size_t pos;

	for (n = nhrp_htable_iter_first(&reg_table, &pos); n != NULL; n = nn) {
		nn = nhrp_htable_iter_next(&reg_table, &pos, n);
		reg_free(nhrp_hnode_entry(n, struct srv_reg, node));
	}
	nhrp_htable_free(&reg_table);
}

static void
reg_send_reply(struct srv_reg *r)
{
	struct nhrp_iface *ifp = r->ifp;
	const struct nhrp_addr *to;

	to = !nhrp_addr_is_unspec(&r->outer) ? &r->outer : &r->pkt.src_nbma;
	log_info("Sending Registration Reply from proto src %s to %s "
	    "(%u bindings accepted, %u rejected)", r->dst_s, r->src_s,
	    r->accepted, r->rejected);
	packet_fill_responder(ifp, &r->pkt, NULL);
	packet_send(ifp, to, &r->pkt);
}

/* the binding a CIE asks for */
struct binding {
	struct nhrp_addr	proto, nbma, nat_oa;
	unsigned		prefix;
	bool			natted;
};

static void
reg_binding(const struct srv_reg *r, const struct nhrp_cie *c,
    struct binding *b)
{
	memset(b, 0, sizeof(*b));
	b->proto = c->proto.len ? c->proto : r->pkt.src_proto;
	b->prefix = c->prefix_len > 32 ? 32 : c->prefix_len;
	if (c->prefix_len == 0xff)
		b->prefix = 32;
	b->nbma = c->nbma.len ? c->nbma : r->pkt.src_nbma;
	if (r->natted) {
		b->nat_oa = b->nbma;
		b->nbma = r->outer;
		b->natted = true;
	}
}

struct conflict_arg {
	const struct nhrp_addr	*a;
	bool			 found;
};

static int
conflict_cb(struct nhrp_peer *p, void *arg)
{
	struct conflict_arg *ca = arg;

	if (nhrp_addr_equal(&p->proto, ca->a)) {
		ca->found = true;
		return 1;
	}
	return 0;
}

static int
reg_conflicts(struct nhrp_iface *ifp, const struct binding *b)
{
	struct conflict_arg ca = { &b->proto, false };

	cache_foreach_covering(ifp, &b->proto,
	    PT(PEER_STATIC) | PT(PEER_DYNAMIC_NHS), conflict_cb, &ca);
	if (ca.found)
		return 1;
	return cache_find_exact(ifp, &b->proto, b->prefix, PT(PEER_LOCAL)) !=
	    NULL;
}

static void reg_process(struct srv_reg *);

static uint32_t
reg_stamp(unsigned hold)
{
	return ((uint32_t)core_now() & 0xffffu) << 16 | (hold & 0xffffu);
}

/* the binding p answered the current CIE with success: remember it */
static void
reg_mark(struct srv_reg *r, struct nhrp_peer *p)
{
	const struct nhrp_cie *c = &r->pkt.cies.cie[r->cie];

	if (p == NULL || p->type != PEER_DYNAMIC || c->holding_time == 0)
		return;
	p->reg_reqid = r->pkt.request_id;
	p->reg_stamp = reg_stamp(c->holding_time);
}

static void
reg_cie_done(struct srv_reg *r, uint8_t code)
{
	reg_refresh_end(r, true);
	r->pkt.cies.cie[r->cie].code = code;
	if (code == NHRP_CODE_SUCCESS)
		r->accepted++;
	else
		r->rejected++;
	if (r->peer != NULL) {
		if (r->peer->reg == r)
			r->peer->reg = NULL;
		peer_put(r->peer);
		r->peer = NULL;
	}
	r->cie++;
	reg_process(r);
}

void
server_peer_result(struct srv_reg *r, struct nhrp_peer *p, int result)
{
	switch (result) {
	case SERVER_RESULT_OK:
		/*
		 * The holding time runs from the reply, as the registrant
		 * counts it: slow hooks must not eat into it.
		 */
		if (p != NULL && p->type == PEER_DYNAMIC &&
		    r->pkt.cies.cie[r->cie].holding_time > 0)
			p->expire = core_now() +
			    r->pkt.cies.cie[r->cie].holding_time;
		reg_mark(r, p);
		reg_cie_done(r, NHRP_CODE_SUCCESS);
		break;
	case SERVER_RESULT_DROP:
		reg_cie_done(r, NHRP_CODE_ADMIN_PROHIBITED);
		break;
	default:
		reg_cie_done(r, NHRP_CODE_INSUFFICIENT_RESOURCES);
		break;
	}
}

static int
same_binding_cb(struct nhrp_peer *p, void *arg)
{
	return peer_vec_add_cb(p, arg);
}

static void
reg_script_done(void *ctx, int status, const char *reason)
{
	struct srv_reg *r = ctx;
	struct nhrp_peer *p = r->peer, *o;
	struct peer_vec v = { 0 };
	struct nhrp_iface *ifp = r->ifp;
	const struct nhrp_cie *c = &r->pkt.cies.cie[r->cie];
	char b[NHRP_ADDRSTRLEN];
	bool waiting = false;
	size_t i;

	p->job = NULL;
	if (status != 0) {
		log_info("[%s] Peer registration failed: %s",
		    af(&p->proto, b), reason);
		reg_cie_done(r, NHRP_CODE_ADMIN_PROHIBITED);
		return;
	}
	/* re-check: the cache may have changed while the hook ran */
	{
		struct binding bd;

		reg_binding(r, c, &bd);
		if (reg_conflicts(ifp, &bd)) {
			log_info("[%s] Peer registration failed: static entry "
			    "exists", af(&p->proto, b));
			reg_cie_done(r, NHRP_CODE_ADMIN_PROHIBITED);
			return;
		}
	}
	cache_foreach_prefix(ifp, &p->proto, p->prefix, PEER_MASK_REMOVABLE,
	    same_binding_cb, &v);
	for (i = 0; i < v.n; i++) {
		o = v.v[i];
		if ((o->flags & PEER_F_REMOVED) || o->prefix != p->prefix ||
		    !nhrp_addr_equal(&o->proto, &p->proto))
			continue;
		if (o->type == PEER_DYNAMIC && nhrp_addr_equal(&o->nbma, &p->nbma)) {
			if ((o->flags & PEER_F_UNIQUE) == 0 &&
			    (p->flags & PEER_F_UNIQUE) != 0)
				o->flags |= PEER_F_UNIQUE;
			else if ((p->flags & PEER_F_UNIQUE) == 0)
				o->flags &= ~PEER_F_UNIQUE;
			/* refresh of the same binding: no hooks */
			if (c->holding_time == 0) {
				peer_remove(o, "user-request");
				continue;
			}
			o->mtu = p->mtu;
			o->nat_oa = p->nat_oa;
			o->flags = (o->flags & ~PEER_F_NAT) | (p->flags & PEER_F_NAT);
			if (o->flags & PEER_F_UP)
				peer_set_expire(o, core_now() + c->holding_time);
			else
				o->expire = core_now() + c->holding_time;
			cache_unlink(o);	/* newest first in show */
			cache_link(o);
			if ((o->flags & PEER_F_UP) == 0 && o->reg == NULL) {
				o->reg = r;
				peer_put(r->peer);
				peer_get(o);
				r->peer = o;
				waiting = true;
			}
			peer_vec_release(&v);
			if (!waiting) {
				reg_mark(r, o);
				reg_cie_done(r, NHRP_CODE_SUCCESS);
			}
			return;
		}
		if (o->type == PEER_DYNAMIC) {
			/* another NBMA: the old binding goes, with peer-down */
			peer_remove(o, "user-request");
		} else {
			o->flags |= PEER_F_REPLACED;
			peer_remove(o, "user-request");
		}
	}
	peer_vec_release(&v);
	if (c->holding_time == 0) {
		reg_cie_done(r, NHRP_CODE_SUCCESS);
		return;
	}
	p->expire = r->arrival + c->holding_time;
	peer_insert(p);
	if (p->flags & PEER_F_REMOVED) {
		reg_cie_done(r, NHRP_CODE_INSUFFICIENT_RESOURCES);
		return;
	}
	peer_get(p);	/* the cache's reference; r->peer keeps its own */
	p->reg = r;
	peer_start(p);
}

static int
unique_conflict_cb(struct nhrp_peer *p, void *arg)
{
	const struct binding *b = arg;

	if (p->prefix != b->prefix || !nhrp_addr_equal(&p->proto, &b->proto))
		return 0;
	if ((p->flags & PEER_F_UNIQUE) && !nhrp_addr_equal(&p->nbma, &b->nbma))
		return 1;
	return 0;
}

static void
reg_process(struct srv_reg *r)
{
	struct nhrp_iface *ifp = r->ifp;
	struct nhrp_cie *c;
	struct nhrp_peer *p;
	struct binding b;
	char a[NHRP_ADDRSTRLEN];

	while (r->cie < r->pkt.cies.n) {
		c = &r->pkt.cies.cie[r->cie];
		reg_binding(r, c, &b);
		if (b.proto.afn != NHRP_AFN_IPV4 || b.nbma.afn != NHRP_AFN_IPV4) {
			reg_cie_done(r, NHRP_CODE_ADMIN_PROHIBITED);
			return;
		}
		if (reg_conflicts(ifp, &b)) {
			log_info("[%s] Peer registration failed: static entry "
			    "exists", af(&b.proto, a));
			reg_cie_done(r, NHRP_CODE_ADMIN_PROHIBITED);
			return;
		}
		if (cache_foreach_prefix(ifp, &b.proto, b.prefix,
		    PT(PEER_DYNAMIC), unique_conflict_cb, &b)) {
			log_info("[%s] Peer registration failed: unique address "
			    "already registered", af(&b.proto, a));
			reg_cie_done(r, NHRP_CODE_UNIQUE_ADDRESS_REGISTERED);
			return;
		}
		if ((p = peer_new(ifp, PEER_DYNAMIC)) == NULL) {
			reg_cie_done(r, NHRP_CODE_INSUFFICIENT_RESOURCES);
			return;
		}
		p->proto = b.proto;
		nhrp_addr_mask(&p->proto, b.prefix);
		p->prefix = b.prefix;
		p->nbma = b.nbma;
		if (b.natted) {
			p->nat_oa = b.nat_oa;
			p->flags |= PEER_F_NAT;
		}
		p->mtu = c->mtu;
		if (r->pkt.flags & NHRP_FLAG_REG_U)
			p->flags |= PEER_F_UNIQUE;
		r->peer = p;
		cache_foreach_prefix(ifp, &p->proto, p->prefix,
		    PT(PEER_DYNAMIC), refresh_cb, r);
		peer_run_script(p, "peer-register", reg_script_done, r);
		return;
	}
	/* all CIEs done */
	reg_send_reply(r);
	reg_free(r);
}

struct replay_arg {
	const struct binding	*b;
	uint32_t		 reqid;
	uint32_t		 stamp;		/* holding time in the low bits */
	bool			 unique;
	struct nhrp_peer	*found;
};

static int
replay_cb(struct nhrp_peer *p, void *arg)
{
	struct replay_arg *ra = arg;
	uint32_t age;

	if ((p->flags & (PEER_F_UP | PEER_F_REMOVED | PEER_F_REFRESHING |
	    PEER_F_DYING)) != PEER_F_UP || p->reg != NULL ||
	    p->reg_stamp == 0 || p->reg_reqid != ra->reqid ||
	    (p->reg_stamp & 0xffffu) != (ra->stamp & 0xffffu) ||
	    p->prefix != ra->b->prefix ||
	    !nhrp_addr_equal(&p->nbma, &ra->b->nbma) ||
	    ((p->flags & PEER_F_UNIQUE) != 0) != ra->unique)
		return 0;
	if (ra->b->natted != ((p->flags & PEER_F_NAT) != 0) ||
	    (ra->b->natted && !nhrp_addr_equal(&p->nat_oa, &ra->b->nat_oa)))
		return 0;
	age = ((ra->stamp >> 16) - (p->reg_stamp >> 16)) & 0xffffu;
	if (age >= SERVER_REPLAY_WINDOW)
		return 0;
	ra->found = p;
	return 1;
}

/*
 * A late retransmission of a request already answered: every CIE names
 * a binding that this request id created or refreshed moments ago.
 * Answers it with the same codes (all success), extends the bindings'
 * expiry as the registrant will count it, runs no hook and touches no
 * neighbour entry.  Returns 1 when answered.
 */
static int
reg_replay(struct srv_reg *r)
{
	struct nhrp_peer *found[8];
	struct replay_arg ra;
	struct binding b;
	struct nhrp_cie *c;
	size_t i;

	if (r->pkt.cies.n > sizeof(found) / sizeof(found[0]))
		return 0;
	for (i = 0; i < r->pkt.cies.n; i++) {
		c = &r->pkt.cies.cie[i];
		if (c->holding_time == 0)
			return 0;
		reg_binding(r, c, &b);
		if (b.proto.afn != NHRP_AFN_IPV4 || b.nbma.afn != NHRP_AFN_IPV4)
			return 0;
		nhrp_addr_mask(&b.proto, b.prefix);
		ra.b = &b;
		ra.reqid = r->pkt.request_id;
		ra.stamp = reg_stamp(c->holding_time);
		ra.unique = (r->pkt.flags & NHRP_FLAG_REG_U) != 0;
		ra.found = NULL;
		cache_foreach_prefix(r->ifp, &b.proto, b.prefix,
		    PT(PEER_DYNAMIC), replay_cb, &ra);
		if (ra.found == NULL || ra.found->mtu != c->mtu)
			return 0;
		found[i] = ra.found;
	}
	for (i = 0; i < r->pkt.cies.n; i++) {
		c = &r->pkt.cies.cie[i];
		c->code = NHRP_CODE_SUCCESS;
		if (core_now() + c->holding_time > found[i]->expire)
			peer_set_expire(found[i], core_now() + c->holding_time);
	}
	r->accepted = (unsigned)r->pkt.cies.n;
	return 1;
}

void
server_registration_request(struct nhrp_iface *ifp, struct nhrp_packet *pkt,
    const struct nhrp_addr *outer, const uint8_t *raw, size_t rawlen)
{
	struct srv_reg *r;
	struct nhrp_peer *lp;
	struct nhrp_ext *e;
	struct nhrp_cie *c;
	const struct nhrp_ext *fe;
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];
	bool first, rewritten = false;

	log_info("Received Registration Request from proto src %s to %s",
	    af(&pkt->src_proto, b1), af(&pkt->dst_proto, b2));
	/* broadcast form, FRR form (destination = the registrant) */
	lp = cache_local_match(ifp, &pkt->dst_proto);
	if ((lp == NULL || lp->prefix != 32 ||
	    !nhrp_addr_is_unspec(&lp->nbma) ||
	    !nhrp_addr_equal(&lp->proto, &pkt->dst_proto)) &&
	    !nhrp_addr_is_unspec(&ifp->proto) &&
	    !nhrp_addr_equal(&pkt->dst_proto, &ifp->proto)) {
		pkt->dst_proto = ifp->proto;
		rewritten = true;
	}
	if (reg_find(&pkt->src_nbma, &pkt->src_proto, &pkt->dst_proto)) {
		log_info("Already processing: resent packet ignored.");
		return;
	}
	if (pkt->cies.n == 0) {
		log_info("Received registration request has no CIEs");
		return;
	}
	if (reg_count >= SERVER_MAX_PENDING) {
		log_error("Too many pending requests: dropping this one");
		nhrp_counters.rx_dropped++;
		return;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return;
	if (nhrp_packet_copy(&r->pkt, pkt) != 0) {
		free(r);
		return;
	}
	r->ifp = ifp;
	memcpy(r->src_s, b1, sizeof(r->src_s));
	if (rewritten)
		af(&pkt->dst_proto, r->dst_s);
	else
		memcpy(r->dst_s, b2, sizeof(r->dst_s));
	r->key_nbma = pkt->src_nbma;
	r->key_src = pkt->src_proto;
	r->key_dst = pkt->dst_proto;
	if (outer != NULL)
		r->outer = *outer;
	r->arrival = core_now();
	fe = nhrp_packet_ext_find_const(pkt, NHRP_EXT_FORWARD_TRANSIT);
	first = fe == NULL || !fe->is_cie_list || fe->cies.n == 0;
	if (first && outer != NULL && !nhrp_addr_is_unspec(outer) &&
	    !nhrp_addr_equal(outer, &pkt->src_nbma)) {
		r->natted = true;
		e = nhrp_packet_ext_find(&r->pkt, NHRP_EXT_NAT_ADDRESS);
		if (e != NULL && e->is_cie_list &&
		    (c = nhrp_cie_list_add(&e->cies)) != NULL) {
			c->code = 0;
			c->prefix_len = 0;
			c->nbma = *outer;
			c->proto = pkt->src_proto;
		}
	}
	r->pkt.type = NHRP_REGISTRATION_REPLY;
	r->pkt.hop_count = NHRP_HOP_COUNT;
	r->pkt.flags &= NHRP_FLAG_REG_U | NHRP_FLAG_CISCO_NAT;
	if (reg_replay(r)) {
		if (log_getverbose())
			log_debug("Retransmitted Registration Request from "
			    "proto src %s answered from the cache",
			    af(&pkt->src_proto, b1));
		reg_send_reply(r);
		nhrp_packet_clear(&r->pkt);
		free(r);
		return;
	}
	nhrp_htable_insert(&reg_table, &r->node,
	    reg_hash(&r->key_nbma, &r->key_src, &r->key_dst));
	reg_count++;
	(void)raw;
	(void)rawlen;
	reg_process(r);
}

/* --- purge ----------------------------------------------------------- */

struct purge_arg {
	struct nhrp_iface	*ifp;
	const struct nhrp_addr	*proto;
	unsigned		 prefix;
	const struct nhrp_addr	*cie_nbma;	/* NULL: any */
	const struct nhrp_addr	*outer;
	const struct nhrp_addr	*src_nbma;
	bool			 from_nhs;
	struct peer_vec		 v;
};

static int
purge_cb(struct nhrp_peer *p, void *arg)
{
	struct purge_arg *pa = arg;
	struct nhrp_peer *nh;
	const struct nhrp_addr *n = &p->nbma;

	if (p->prefix != pa->prefix || !nhrp_addr_equal(&p->proto, pa->proto))
		return 0;
	if (p->type == PEER_SHORTCUT_ROUTE) {
		nh = cache_find_exact(pa->ifp, &p->nbma, 32,
		    PEER_MASK_ADJACENT);
		n = nh != NULL ? &nh->nbma : NULL;
	}
	if (pa->cie_nbma != NULL && (n == NULL || !nhrp_addr_equal(n,
	    pa->cie_nbma)))
		return 0;
	if (p->type == PEER_DYNAMIC && !pa->from_nhs &&
	    !(pa->outer != NULL && nhrp_addr_equal(&p->nbma, pa->outer)) &&
	    !nhrp_addr_equal(&p->nbma, pa->src_nbma)) {
		nhrp_counters.rx_dropped++;
		return 0;
	}
	return peer_vec_add_cb(p, &pa->v);
}

static int
nhs_cb(struct nhrp_peer *p, void *arg)
{
	return 1;
}

void
server_purge_request(struct nhrp_iface *ifp, struct nhrp_packet *pkt,
    const struct nhrp_addr *outer)
{
	struct nhrp_packet rep;
	struct purge_arg pa;
	struct nhrp_cie *c;
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];
	size_t i, j;

	log_info("Received Purge Request from proto src %s to %s",
	    af(&pkt->src_proto, b1), af(&pkt->dst_proto, b2));
	if ((pkt->flags & NHRP_FLAG_PURGE_N) == 0 &&
	    nhrp_packet_copy(&rep, pkt) == 0) {
		rep.type = NHRP_PURGE_REPLY;
		rep.hop_count = NHRP_HOP_COUNT;
		rep.flags = 0;
		packet_fill_responder(ifp, &rep, NULL);
		if (packet_route_send(ifp, &rep, &pkt->src_proto) != 0 &&
		    outer != NULL)
			packet_send(ifp, outer, &rep);
		nhrp_packet_clear(&rep);
	}
	memset(&pa, 0, sizeof(pa));
	pa.ifp = ifp;
	pa.outer = outer;
	pa.src_nbma = &pkt->src_nbma;
	pa.from_nhs = outer != NULL && cache_foreach_nbma(ifp, outer,
	    PT(PEER_STATIC) | PT(PEER_DYNAMIC_NHS), nhs_cb, NULL) != 0;
	for (i = 0; i < pkt->cies.n; i++) {
		c = &pkt->cies.cie[i];
		if (c->proto.afn != NHRP_AFN_IPV4)
			continue;
		pa.proto = &c->proto;
		pa.prefix = c->prefix_len >= 32 ? 32 : c->prefix_len;
		pa.cie_nbma = (c->nbma.len && !nhrp_addr_is_unspec(&c->nbma)) ?
		    &c->nbma : NULL;
		log_info("Purge proto %s/%u nbma %s", af(&c->proto, b1),
		    pa.prefix, pa.cie_nbma ? af(pa.cie_nbma, b2) : "(all)");
		cache_foreach_prefix(ifp, &c->proto, pa.prefix,
		    PEER_MASK_REMOVABLE, purge_cb, &pa);
		for (j = 0; j < pa.v.n; j++)
			peer_remove(pa.v.v[j], "user-request");
		peer_vec_release(&pa.v);
		/* re-enable Traffic Indications for the prefix (RDR-04) */
		redirect_purge(&c->proto, pa.prefix);
	}
}

/* --- resolution, traffic indication, forwarding ----------------------- */

static int
negative_cb(struct nhrp_peer *p, void *arg)
{
	if (p->type == PEER_NEGATIVE)
		return peer_vec_add_cb(p, arg);
	return 0;
}

void
server_resolution_request(struct nhrp_iface *ifp, struct nhrp_packet *pkt,
    const struct nhrp_addr *outer)
{
	struct peer_vec v = { 0 };
	struct nhrp_packet rep;
	struct nhrp_peer *lp;
	struct nhrp_cie *c;
	struct nhrp_ext *e;
	struct nhrp_addr my_nbma;
	unsigned my_mtu = 0, hold;
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];
	size_t i;

	log_info("Received Resolution Request from proto src %s to %s",
	    af(&pkt->src_proto, b1), af(&pkt->dst_proto, b2));
	cache_foreach_prefix(ifp, &pkt->src_proto, 32, PT(PEER_NEGATIVE),
	    negative_cb, &v);
	for (i = 0; i < v.n; i++)
		peer_remove(v.v[i], NULL);
	peer_vec_release(&v);

	lp = cache_local_match(ifp, &pkt->dst_proto);
	if (lp == NULL)
		return;
	if (nhrp_packet_copy(&rep, pkt) != 0)
		return;
	rep.type = NHRP_RESOLUTION_REPLY;
	rep.hop_count = NHRP_HOP_COUNT;
	rep.flags = (pkt->flags & (NHRP_FLAG_RES_Q | NHRP_FLAG_RES_S |
	    NHRP_FLAG_RES_U | NHRP_FLAG_CISCO_NAT)) | NHRP_FLAG_RES_D |
	    NHRP_FLAG_RES_A;
	nhrp_cie_list_clear(&rep.cies);
	memset(&my_nbma, 0, sizeof(my_nbma));
	if (iface_own_nbma(ifp, outer, &my_nbma, &my_mtu) != 0)
		my_nbma = ifp->nbma;
	if ((c = nhrp_cie_list_add(&rep.cies)) == NULL)
		goto out;
	hold = lp->holding_time;
	if (hold == 0)
		hold = lp->iface != NULL ? lp->iface->holding_time :
		    ifp->holding_time;
	c->code = NHRP_CODE_SUCCESS;
	c->prefix_len = (uint8_t)lp->prefix;
	c->holding_time = (uint16_t)hold;
	c->mtu = (uint16_t)my_mtu;
	c->nbma = my_nbma;
	c->proto = ifp->proto;
	e = nhrp_packet_ext_find(&rep, NHRP_EXT_NAT_ADDRESS);
	if (e != NULL && e->is_cie_list) {
		nhrp_cie_list_clear(&e->cies);
		if ((rep.flags & NHRP_FLAG_CISCO_NAT) &&
		    !nhrp_addr_is_unspec(&ifp->nat_oa) &&
		    (c = nhrp_cie_list_add(&e->cies)) != NULL) {
			c->prefix_len = 0;
			c->nbma = ifp->nat_oa;
			c->proto = ifp->proto;
		}
	}
	packet_fill_responder(ifp, &rep, &my_nbma);
	log_info("Sending Resolution Reply %s/%u is-at %s (holdtime %u)",
	    af(&pkt->dst_proto, b1), lp->prefix, af(&my_nbma, b2), hold);
	if (packet_route_send(ifp, &rep, &pkt->src_proto) != 0)
		log_info("No peer entry for protocol address %s",
		    af(&pkt->src_proto, b1));
out:
	nhrp_packet_clear(&rep);
}

void
server_traffic_indication(struct nhrp_iface *ifp, struct nhrp_packet *pkt,
    const struct nhrp_addr *outer)
{
	struct nhrp_addr dst;
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];

	if (pkt->payload_len < 20 || (pkt->payload[0] >> 4) != 4) {
		nhrp_counters.rx_dropped++;
		return;
	}
	nhrp_addr_set(&dst, NHRP_AFN_IPV4, pkt->payload + 16, 4);
	if ((ifp->flags & CONF_IF_SHORTCUT) == 0) {
		log_info("Traffic Indication from proto src %s; about packet "
		    "to %s ignored", af(&pkt->src_proto, b1), af(&dst, b2));
		return;
	}
	log_info("Traffic Indication from proto src %s; about packet to %s",
	    af(&pkt->src_proto, b1), af(&dst, b2));
	client_traffic(ifp, &dst);
}

static int
is_reply(uint8_t type)
{
	return type == NHRP_RESOLUTION_REPLY ||
	    type == NHRP_REGISTRATION_REPLY || type == NHRP_PURGE_REPLY;
}

void
server_forward(struct nhrp_iface *ifp, struct nhrp_packet *pkt,
    const struct nhrp_addr *outer, const uint8_t *raw, size_t rawlen)
{
	struct nhrp_peer *p;
	struct nhrp_ext *e;
	struct nhrp_cie *c;
	struct nhrp_addr my_nbma;
	const struct nhrp_addr *to;
	unsigned my_mtu = 0;
	size_t i;
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN], b3[NHRP_ADDRSTRLEN];

	log_info("Forwarding packet from nbma src %s, proto src %s to proto "
	    "dst %s, hop count %u", af(&pkt->src_nbma, b1),
	    af(&pkt->src_proto, b2), af(&pkt->dst_proto, b3), pkt->hop_count);
	if (pkt->hop_count == 0) {
		packet_send_error(ifp, pkt, raw, rawlen, outer,
		    NHRP_ERR_HOP_COUNT_EXCEEDED, 0);
		return;
	}
	pkt->hop_count--;
	to = is_reply(pkt->type) ? &pkt->src_proto : &pkt->dst_proto;
	p = packet_route(ifp, to, pkt);
	if (p == NULL || p->type == PEER_LOCAL || nhrp_addr_is_unspec(&p->nbma)) {
		log_info("No peer entry for protocol address %s", af(to, b1));
		packet_send_error(ifp, pkt, raw, rawlen, outer,
		    NHRP_ERR_PROTOCOL_UNREACHABLE, 0);
		return;
	}
	memset(&my_nbma, 0, sizeof(my_nbma));
	if (iface_own_nbma(ifp, &p->nbma, &my_nbma, &my_mtu) != 0)
		my_nbma = ifp->nbma;
	e = nhrp_packet_ext_find(pkt, is_reply(pkt->type) ?
	    NHRP_EXT_REVERSE_TRANSIT : NHRP_EXT_FORWARD_TRANSIT);
	if (e != NULL && e->is_cie_list) {
		for (i = 0; i < e->cies.n; i++) {
			if (nhrp_addr_equal(&e->cies.cie[i].nbma, &my_nbma) &&
			    nhrp_addr_equal(&e->cies.cie[i].proto, &ifp->proto)) {
				packet_send_error(ifp, pkt, raw, rawlen, outer,
				    NHRP_ERR_LOOP_DETECTED, 0);
				return;
			}
		}
		if ((c = nhrp_cie_list_add(&e->cies)) != NULL) {
			c->holding_time = (uint16_t)ifp->holding_time;
			c->nbma = my_nbma;
			c->proto = ifp->proto;
		}
	}
	if (is_reply(pkt->type))
		packet_fill_responder(ifp, pkt, &my_nbma);
	packet_send(ifp, &p->nbma, pkt);
}
