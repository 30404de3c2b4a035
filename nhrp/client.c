/*
 * client.c - registration client (static "map ... register" and
 * dynamic-nhs entries, 6.4), the purges it sends (6.5), and the
 * resolution requester (6.3).
 */
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "cache.h"
#include "core.h"
#include "iface.h"
#include "log.h"
#include "packet_io.h"
#include "peer.h"
#include "sysdep.h"

/* djb2 of the interface address; bytes on the wire as upstream on x86 */
static uint32_t
cisco_request_id(const struct nhrp_iface *ifp)
{
	uint32_t h = 5381;
	size_t i;

	for (i = 0; i < ifp->proto.len; i++)
		h = h * 33 + ifp->proto.addr[i];
	return (h & 0xff) << 24 | (h & 0xff00) << 8 | (h >> 8 & 0xff00) |
	    h >> 24;
}

static int
peer_is_network(const struct nhrp_peer *p)
{
	return p->type == PEER_DYNAMIC_NHS && p->prefix < 32 &&
	    !nhrp_addr_has_host_bits(&p->proto, p->prefix);
}

static void reg_reply_cb(void *, int, const struct nhrp_packet *,
    const struct nhrp_addr *);

static void
client_register_cb(struct nhrp_peer *p)
{
	client_register(p);
}

void
client_register(struct nhrp_peer *p)
{
	struct nhrp_iface *ifp = p->iface;
	struct nhrp_packet pkt;
	struct nhrp_cie *c;
	struct nhrp_ext *e;
	char b[NHRP_ADDRSTRLEN];

	if (p->req != NULL) {
		request_cancel(p->req);
		p->req = NULL;
	}
	if (ifp == NULL || ifp->index == 0 || nhrp_addr_is_unspec(&ifp->proto)) {
		peer_schedule(p, 5.0, client_register_cb);
		return;
	}
	if (nhrp_addr_is_unspec(&p->my_nbma))
		iface_own_nbma(ifp, &p->nbma, &p->my_nbma, &p->my_mtu);
	nhrp_packet_init(&pkt, NHRP_REGISTRATION_REQUEST);
	pkt.hop_count = NHRP_HOP_COUNT;
	pkt.flags = NHRP_FLAG_CISCO_NAT;
	if ((p->flags & PEER_F_NO_UNIQUE) == 0)
		pkt.flags |= NHRP_FLAG_REG_U;
	if (p->flags & PEER_F_CISCO)
		pkt.request_id = cisco_request_id(ifp);
	packet_fill_src(ifp, &pkt, &p->my_nbma);
	pkt.dst_proto = p->proto;
	if (peer_is_network(p)) {
		nhrp_addr_broadcast(&pkt.dst_proto, p->prefix);
		pkt.hop_count = 1;	/* Cisco drops hop 0 (decisions) */
	}
	if ((c = nhrp_cie_list_add(&pkt.cies)) == NULL)
		goto fail;
	c->code = 0;
	c->prefix_len = 0xff;
	c->mtu = (uint16_t)(p->my_mtu == 1500 ? 0 : p->my_mtu);
	c->holding_time = (uint16_t)ifp->holding_time;
	if (packet_add_std_exts(&pkt, true) != 0)
		goto fail;
	e = nhrp_packet_ext_find(&pkt, NHRP_EXT_NAT_ADDRESS);
	if (e == NULL || (c = nhrp_cie_list_add(&e->cies)) == NULL)
		goto fail;
	c->code = 0;
	c->prefix_len = 32;
	c->nbma = p->nbma;
	c->proto = p->proto;
	log_info("Sending Registration Request to %s (my mtu=%u)",
	    af(&pkt.dst_proto, b), p->my_mtu == 1500 ? 0 : p->my_mtu);
	p->req = request_send(ifp, &p->nbma, &pkt, reg_reply_cb, p);
	nhrp_packet_clear(&pkt);
	if (p->req == NULL)
		peer_restart(p, rand_between(60, 180));
	return;
fail:
	nhrp_packet_clear(&pkt);
	peer_restart(p, rand_between(60, 180));
}

static void
client_purge_local_routes(struct nhrp_peer *nhs)
{
	struct nhrp_iface *ifp = nhs->iface;
	struct nhrp_packet pkt;
	struct nhrp_peer *l;
	struct nhrp_cie *c;
	char b[NHRP_ADDRSTRLEN];

	nhrp_packet_init(&pkt, NHRP_PURGE_REQUEST);
	pkt.hop_count = NHRP_HOP_COUNT;
	pkt.flags = 0;
	packet_fill_src(ifp, &pkt, &nhs->my_nbma);
	pkt.dst_proto = nhs->proto;
	TAILQ_FOREACH(l, &local_list, show_entry) {
		if (l->iface == NULL ||
		    (l->iface->flags & CONF_IF_SHORTCUT_DEST) == 0)
			continue;
		if ((c = nhrp_cie_list_add(&pkt.cies)) == NULL)
			break;
		c->prefix_len = (uint8_t)l->prefix;
		c->proto = l->proto;
		nhrp_addr_mask(&c->proto, l->prefix);
	}
	if (packet_add_std_exts(&pkt, false) == 0) {
		log_info("Sending Purge Request (of local routes) to %s",
		    af(&nhs->proto, b));
		request_send(ifp, &nhs->nbma, &pkt, NULL, NULL);
	}
	nhrp_packet_clear(&pkt);
}

static void
client_purge_own(struct nhrp_peer *nhs)
{
	struct nhrp_iface *ifp = nhs->iface;
	struct nhrp_packet pkt;
	struct nhrp_cie *c;
	char b[NHRP_ADDRSTRLEN];

	nhrp_packet_init(&pkt, NHRP_PURGE_REQUEST);
	pkt.hop_count = NHRP_HOP_COUNT;
	pkt.flags = NHRP_FLAG_PURGE_N;
	if (nhs->flags & PEER_F_CISCO)
		pkt.request_id = cisco_request_id(ifp);
	else
		pkt.request_id = packet_next_request_id();
	packet_fill_src(ifp, &pkt, &nhs->my_nbma);
	pkt.dst_proto = nhs->proto;
	if ((c = nhrp_cie_list_add(&pkt.cies)) != NULL) {
		c->prefix_len = 0xff;
		c->holding_time = 0;
		c->nbma = pkt.src_nbma;
		c->proto = ifp->proto;
		if (packet_add_std_exts(&pkt, false) == 0) {
			log_info("Sending Purge Request (of protocol address) "
			    "to %s", af(&nhs->proto, b));
			packet_send(ifp, &nhs->nbma, &pkt);
		}
	}
	nhrp_packet_clear(&pkt);
}

void
client_purge_on_shutdown(void)
{
	struct nhrp_iface *ifp;
	struct nhrp_peer *p;

	TAILQ_FOREACH(ifp, &iface_list, entry) {
		TAILQ_FOREACH(p, &ifp->peers, show_entry) {
			if ((p->type != PEER_STATIC &&
			    p->type != PEER_DYNAMIC_NHS) ||
			    (p->flags & (PEER_F_REGISTER | PEER_F_UP)) !=
			    (PEER_F_REGISTER | PEER_F_UP))
				continue;
			client_purge_own(p);
		}
	}
}

static void
nhs_down(struct nhrp_peer *p, const char *reason)
{
	if ((p->flags & PEER_F_UP) == 0)
		return;
	p->down_reason = reason;
	peer_run_script(p, "nhs-down", NULL, NULL);
	p->down_reason = NULL;
	p->flags &= ~PEER_F_UP;
}

static int
nhs_discover(struct nhrp_peer *p, const struct nhrp_addr *a)
{
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];
	struct peer_vec v = { 0 };
	size_t i;

	if (!nhrp_addr_prefix_match(&p->proto, p->prefix, a)) {
		log_error("Protocol address change to %s is not within %s/%u",
		    af(a, b1), af(&p->proto, b2), p->prefix);
		return -1;
	}
	cache_foreach_prefix(p->iface, a, 32, PEER_MASK_REMOVABLE,
	    peer_vec_add_cb, &v);
	for (i = 0; i < v.n; i++)
		peer_remove(v.v[i], "user-request");
	peer_vec_release(&v);
	cache_unlink(p);
	p->proto = *a;
	cache_link(p);
	return 0;
}

static void
reg_reply_cb(void *ctx, int status, const struct nhrp_packet *pkt,
    const struct nhrp_addr *from)
{
	struct nhrp_peer *p = ctx;
	struct nhrp_iface *ifp = p->iface;
	const struct nhrp_ext *e;
	const struct nhrp_cie *c;
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];
	int code;

	p->req = NULL;
	if (status == REQUEST_TIMEOUT) {
		log_error("Failed to register to %s: timeout (%d)",
		    af(&p->proto, b1), -1);
		/* dead NHS: down now, retry later (jittered, capped) */
		nhs_down(p, "expired");
		peer_restart(p, rand_between(60, 180));
		return;
	}
	if (status != 0) {
		log_error("Failed to register to %s: %s (%d)",
		    af(&p->proto, b1), nhrp_error_code_name((uint16_t)status),
		    status);
		peer_restart(p, rand_between(30, 90));
		return;
	}
	if (!nhrp_addr_equal(&pkt->dst_proto, &p->proto)) {
		if (peer_is_network(p)) {
			if (nhs_discover(p, &pkt->dst_proto) != 0) {
				peer_restart(p, rand_between(60, 180));
				return;
			}
		} else {
			log_error("Unexpected NHS protocol address change "
			    "%s -> %s", af(&p->proto, b1),
			    af(&pkt->dst_proto, b2));
			peer_restart(p, rand_between(60, 180));
			return;
		}
	}
	c = pkt->cies.n > 0 ? &pkt->cies.cie[0] : NULL;
	code = c != NULL ? c->code : -1;
	log_info("Received Registration Reply from %s: %s",
	    af(&p->proto, b1),
	    code < 0 ? "unknown" : nhrp_cie_code_name((uint8_t)code));
	if (code == NHRP_CODE_UNIQUE_ADDRESS_REGISTERED) {
		client_purge_own(p);
		peer_schedule(p, 2.0, client_register_cb);
		return;
	}
	if (code != NHRP_CODE_SUCCESS) {
		peer_restart(p, rand_between(30, 90));
		return;
	}
	e = nhrp_packet_ext_find_const(pkt, NHRP_EXT_NAT_ADDRESS);
	if (e != NULL && e->is_cie_list && e->cies.n >= 2 &&
	    e->cies.cie[1].nbma.afn == NHRP_AFN_IPV4) {
		if (!nhrp_addr_equal(&ifp->nat_oa, &e->cies.cie[1].nbma))
			log_info("NAT detected: our real NBMA address is %s",
			    af(&e->cies.cie[1].nbma, b1));
		ifp->nat_oa = e->cies.cie[1].nbma;
	} else
		nhrp_addr_clear(&ifp->nat_oa);
	if ((p->flags & PEER_F_UP) == 0) {
		client_purge_local_routes(p);
		peer_run_script(p, "nhs-up", NULL, NULL);
		peer_set_up(p);
	}
	peer_schedule(p, ifp->holding_time / 3 + 1, client_register_cb);
}

/* --- resolution (requester) ------------------------------------------ */

static void res_reply_cb(void *, int, const struct nhrp_packet *,
    const struct nhrp_addr *);

static void
nat_ext_fill(struct nhrp_iface *ifp, struct nhrp_packet *pkt)
{
	struct nhrp_ext *e;
	struct nhrp_cie *c;

	if ((pkt->flags & NHRP_FLAG_CISCO_NAT) == 0 ||
	    nhrp_addr_is_unspec(&ifp->nat_oa))
		return;
	e = nhrp_packet_ext_find(pkt, NHRP_EXT_NAT_ADDRESS);
	if (e == NULL || !e->is_cie_list || e->cies.n != 0)
		return;
	if ((c = nhrp_cie_list_add(&e->cies)) == NULL)
		return;
	c->prefix_len = 0;
	c->nbma = ifp->nat_oa;
	c->proto = ifp->proto;
}

static void
resolve_send(struct nhrp_peer *p)
{
	struct nhrp_iface *ifp = p->iface;
	struct nhrp_packet pkt;
	struct nhrp_peer *nhs;
	struct nhrp_cie *c;
	char b[NHRP_ADDRSTRLEN];

	if (p->req != NULL) {
		request_cancel(p->req);
		p->req = NULL;
	}
	nhs = packet_route(ifp, &p->proto, NULL);
	if (nhs == NULL || nhs->type == PEER_LOCAL ||
	    nhrp_addr_is_unspec(&nhs->nbma)) {
		log_info("Failed to resolve %s: %s (%d)", af(&p->proto, b),
		    "protocol address unreachable",
		    NHRP_ERR_PROTOCOL_UNREACHABLE);
		peer_make_negative(p);
		return;
	}
	nhrp_packet_init(&pkt, NHRP_RESOLUTION_REQUEST);
	pkt.hop_count = NHRP_HOP_COUNT;
	pkt.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_CISCO_NAT;
	if (nhrp_addr_is_unspec(&nhs->my_nbma))
		iface_own_nbma(ifp, &nhs->nbma, &nhs->my_nbma, &nhs->my_mtu);
	packet_fill_src(ifp, &pkt, &nhs->my_nbma);
	pkt.dst_proto = p->proto;
	if ((c = nhrp_cie_list_add(&pkt.cies)) == NULL ||
	    packet_add_std_exts(&pkt, true) != 0) {
		nhrp_packet_clear(&pkt);
		peer_remove(p, NULL);
		return;
	}
	c->holding_time = (uint16_t)ifp->holding_time;
	nat_ext_fill(ifp, &pkt);
	log_info("Sending Resolution Request to %s", af(&p->proto, b));
	p->req = request_send(ifp, &nhs->nbma, &pkt, res_reply_cb, p);
	nhrp_packet_clear(&pkt);
	if (p->req == NULL && p->type == PEER_INCOMPLETE)
		peer_remove(p, NULL);
}

static void
res_failed(struct nhrp_peer *p, const char *why, int code)
{
	char b[NHRP_ADDRSTRLEN];

	log_info("Failed to resolve %s: %s (%d)", af(&p->proto, b), why, code);
	if (p->type == PEER_INCOMPLETE || p->type == PEER_CACHED ||
	    p->type == PEER_SHORTCUT_ROUTE) {
		/* renewal errors: the old binding goes (peer-down, routes) */
		if (p->type != PEER_INCOMPLETE)
			peer_remove(p, "expired");
		else
			peer_make_negative(p);
	}
}

static struct nhrp_peer *
peer_new_from_cie(struct nhrp_iface *ifp, unsigned type,
    const struct nhrp_addr *proto, unsigned prefix,
    const struct nhrp_cie *c, const struct nhrp_addr *nat_nbma)
{
	struct nhrp_peer *p;

	if ((p = peer_new(ifp, type)) == NULL)
		return NULL;
	p->proto = *proto;
	nhrp_addr_mask(&p->proto, prefix);
	p->prefix = prefix;
	if (nat_nbma != NULL) {
		p->nbma = *nat_nbma;
		p->nat_oa = c->nbma;
		p->flags |= PEER_F_NAT;
	} else
		p->nbma = c->nbma;
	p->mtu = c->mtu;
	p->expire = core_now() + c->holding_time;
	return p;
}

static void
res_reply_cb(void *ctx, int status, const struct nhrp_packet *pkt,
    const struct nhrp_addr *from)
{
	struct nhrp_peer *p = ctx, *np, *nh;
	struct nhrp_iface *ifp = p->iface;
	const struct nhrp_cie *c;
	const struct nhrp_ext *e;
	const struct nhrp_addr *nat = NULL;
	struct nhrp_addr dst, net;
	unsigned prefix;
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN], b3[NHRP_ADDRSTRLEN];
	bool renew;

	p->req = NULL;
	if (status == REQUEST_TIMEOUT) {
		log_info("Failed to resolve %s: timeout (%d)",
		    af(&p->proto, b1), -1);
		peer_remove(p, "expired");
		return;
	}
	if (status != 0) {
		res_failed(p, nhrp_error_code_name((uint16_t)status), status);
		return;
	}
	c = pkt->cies.n > 0 ? &pkt->cies.cie[0] : NULL;
	if (c == NULL || c->code != NHRP_CODE_SUCCESS ||
	    c->proto.afn != NHRP_AFN_IPV4 || c->nbma.afn != NHRP_AFN_IPV4) {
		res_failed(p, c == NULL ? "no CIE" :
		    nhrp_cie_code_name(c->code), c == NULL ? -1 : c->code);
		return;
	}
	prefix = c->prefix_len > 32 ? 32 : c->prefix_len;
	log_info("Received Resolution Reply %s/%u is at proto %s nbma %s "
	    "(code %d)", af(&p->proto, b1), prefix, af(&c->proto, b2),
	    af(&c->nbma, b3), c->code);
	if (pkt->flags & NHRP_FLAG_CISCO_NAT) {
		e = nhrp_packet_ext_find_const(pkt, NHRP_EXT_NAT_ADDRESS);
		if (e != NULL && e->is_cie_list && e->cies.n >= 1 &&
		    e->cies.cie[0].nbma.afn == NHRP_AFN_IPV4 &&
		    !nhrp_addr_equal(&e->cies.cie[0].nbma, &c->nbma)) {
			nat = &e->cies.cie[0].nbma;
			log_info("NAT detected: really at proto %s nbma %s",
			    af(&c->proto, b1), af(nat, b2));
		}
	}
	renew = p->type != PEER_INCOMPLETE;
	dst = p->proto;
	if (p->type == PEER_INCOMPLETE && nhrp_addr_equal(&c->proto, &dst)) {
		/* in-NBMA: the entry itself becomes cached */
		np = peer_new_from_cie(ifp, PEER_CACHED, &dst, prefix, c, nat);
		if (np == NULL) {
			peer_remove(p, NULL);
			return;
		}
		peer_remove(p, NULL);
		peer_insert(np);
		peer_start(np);
		return;
	}
	if (renew) {
		/* renewal: refresh without hooks when unchanged */
		p->flags &= ~(PEER_F_DYING | PEER_F_RENEWING);
		if (p->type == PEER_CACHED && !nhrp_addr_equal(&p->nbma,
		    nat != NULL ? nat : &c->nbma)) {
			peer_remove(p, "expired");
			return;
		}
		p->expire = core_now() + c->holding_time;
		peer_schedule_expiry(p);
		return;
	}
	net = dst;
	nhrp_addr_mask(&net, prefix);
	if (cache_find_exact(ifp, &net, prefix, PT(PEER_LOCAL)) != NULL) {
		log_info("Local route %s/%u exists: not replacing with shortcut",
		    af(&net, b1), prefix);
		peer_make_negative(p);
		return;
	}
	nh = NULL;
	{
		struct nhrp_addr cp = c->proto;
		struct nhrp_peer *any;

		any = cache_find_exact(ifp, &cp, 32, PEER_MASK_ALL);
		if (any == NULL)
			any = cache_route(ifp, &cp, PT(PEER_STATIC) |
			    PT(PEER_DYNAMIC_NHS), NULL, core_now());
		if (any != NULL && !nhrp_addr_equal(&any->proto, &cp))
			any = NULL;
		if (any == NULL) {
			nh = peer_new_from_cie(ifp, PEER_CACHED, &cp, 32, c, nat);
			if (nh != NULL) {
				peer_insert(nh);
				peer_start(nh);
			}
		}
	}
	np = peer_new_from_cie(ifp, PEER_SHORTCUT_ROUTE, &net, prefix, c, NULL);
	peer_remove(p, NULL);
	if (np == NULL)
		return;
	np->nbma = c->proto;	/* next hop */
	peer_insert(np);
	nh = cache_find_exact(ifp, &np->nbma, 32, PEER_MASK_ADJACENT);
	if (nh == NULL)
		nh = cache_route(ifp, &np->nbma, PT(PEER_STATIC) |
		    PT(PEER_DYNAMIC_NHS), NULL, core_now());
	if ((np->flags & PEER_F_UP) == 0 && nh != NULL && (nh->flags & PEER_F_UP))
		peer_start(np);
	else if (np->flags & PEER_F_UP)
		peer_schedule_expiry(np);
}

void
client_resolve(struct nhrp_iface *ifp, const struct nhrp_addr *dst,
    struct nhrp_peer *renew)
{
	struct nhrp_peer *p;

	if (renew != NULL) {
		resolve_send(renew);
		return;
	}
	if ((p = peer_new(ifp, PEER_INCOMPLETE)) == NULL)
		return;
	p->proto = *dst;
	p->prefix = 32;
	peer_insert(p);
	if ((p->flags & PEER_F_REMOVED) == 0)
		resolve_send(p);
}

/* 5.3: resolution unless some entry already covers the destination */
void
client_traffic(struct nhrp_iface *ifp, const struct nhrp_addr *dst)
{
	struct nhrp_peer *p;

	if (ifp == NULL || nhrp_addr_is_unspec(&ifp->proto))
		return;
	if (nhrp_addr_prefix_match(&ifp->proto, ifp->prefix, dst)) {
		p = cache_find_exact(ifp, dst, 32, PEER_MASK_ALL);
		if (p == NULL)
			p = cache_route(ifp, dst, PT(PEER_STATIC) |
			    PT(PEER_DYNAMIC_NHS), NULL, core_now());
		if (p != NULL && (p->prefix == 32 ||
		    nhrp_addr_equal(&p->proto, dst)))
			return;
	} else {
		p = cache_route(ifp, dst, PEER_MASK_ALL & ~PT(PEER_LOCAL_ROUTE),
		    NULL, core_now());
		if (p != NULL)
			return;
	}
	client_resolve(ifp, dst, NULL);
}

int
client_update_nbma(struct nhrp_peer *p, const struct nhrp_addr *proto)
{
	if (nhs_discover(p, proto) != 0)
		return -1;
	if (p->flags & PEER_F_LOWER_UP)
		client_register(p);
	return 0;
}
