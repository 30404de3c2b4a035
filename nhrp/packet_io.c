/*
 * packet_io.c - NHRP packet receive dispatch and send path.
 */
#include <errno.h>
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

#define REQUEST_RETRY		5.0
#define REQUEST_TRIES		6
#define TX_BUF_SIZE		65536

struct nhrp_counters nhrp_counters;

/*
 * 5.6: the packet waiting for an entry to come up, in a side table keyed
 * by the entry (struct nhrp_peer does not grow).  The slot holds a
 * reference on the entry; sending or dropping it releases that.
 */
struct queued_pkt {
	struct nhrp_hnode	 node;
	struct nhrp_peer	*peer;
	struct nhrp_addr	 dst_nbma;
	int			 ifindex;
	size_t			 len;
	uint8_t			 buf[];
};

static struct ev_loop *io_loop;
static struct nhrp_htable req_table;
static struct nhrp_htable queue_table;
static uint32_t next_request_id = 1;
static uint8_t tx_buf[TX_BUF_SIZE];

void
packet_io_init(struct ev_loop *loop)
{
	io_loop = loop;
	nhrp_htable_init(&req_table);
	nhrp_htable_init(&queue_table);
}

void
packet_io_shutdown(void)
{
	struct nhrp_hnode *n, *nn;
	size_t pos;

	for (n = nhrp_htable_iter_first(&req_table, &pos); n != NULL; n = nn) {
		nn = nhrp_htable_iter_next(&req_table, &pos, n);
		request_cancel(nhrp_hnode_entry(n, struct nhrp_request, node));
	}
	nhrp_htable_free(&req_table);
	for (n = nhrp_htable_iter_first(&queue_table, &pos); n != NULL;
	    n = nn) {
		nn = nhrp_htable_iter_next(&queue_table, &pos, n);
		packet_queue_drop(nhrp_hnode_entry(n, struct queued_pkt,
		    node)->peer);
	}
	nhrp_htable_free(&queue_table);
}

uint32_t
packet_next_request_id(void)
{
	uint32_t id = next_request_id++;

	if (next_request_id == 0)
		next_request_id = 1;
	return id;
}

static int packet_queue(struct nhrp_peer *, int, const struct nhrp_addr *,
	    const uint8_t *, size_t);

static char *
fmt(const struct nhrp_addr *a, char *buf)
{
	if (a == NULL || a->afn == NHRP_AFN_NONE)
		return strcpy(buf, "(unspecified)");
	return nhrp_addr_format(a, buf, NHRP_ADDRSTRLEN);
}

/* --- send ------------------------------------------------------------ */

static int
packet_set_auth(struct nhrp_iface *ifp, struct nhrp_packet *pkt)
{
	struct nhrp_ext *e;

	nhrp_packet_ext_remove(pkt, NHRP_EXT_AUTH);
	if (ifp->auth_len == 0)
		return 0;
	if ((e = nhrp_packet_ext_add(pkt, NHRP_EXT_AUTH, true)) == NULL)
		return -1;
	return nhrp_ext_set_raw(e, ifp->auth, ifp->auth_len);
}

static ssize_t
packet_build(struct nhrp_iface *ifp, struct nhrp_packet *pkt)
{
	ssize_t len;

	if (packet_set_auth(ifp, pkt) != 0)
		return -1;
	len = nhrp_packet_build(pkt, tx_buf, sizeof(tx_buf));
	if (len < 0)
		log_error("Packet marshalling failed (r=%zd: %s)", len,
		    nhrp_codec_strerror((int)len));
	return len;
}

/* sends the built packet in tx_buf (or a queued copy) */
static int
packet_xmit(int ifindex, const struct nhrp_addr *dst_nbma, const uint8_t *buf,
    size_t len)
{
	char b[NHRP_ADDRSTRLEN];
	int r;

	r = sysdep_nhrp_send(ifindex, dst_nbma, buf, len);
	if (r < 0) {
		nhrp_counters.tx_errors++;
		log_debug("Sending %s to nbma %s failed: %s",
		    len > 17 ? nhrp_packet_type_name(buf[17]) : "packet",
		    fmt(dst_nbma, b), strerror(-r));
		return r;
	}
	if (len > 17 && buf[17] <= NHRP_TYPE_MAX)
		nhrp_counters.tx[buf[17]]++;
	return 0;
}

static int
packet_send_to(struct nhrp_iface *ifp, const struct nhrp_addr *dst_nbma,
    struct nhrp_packet *pkt, struct nhrp_peer *queue_on)
{
	ssize_t len;

	if (ifp == NULL || ifp->index == 0 || dst_nbma == NULL ||
	    nhrp_addr_is_unspec(dst_nbma)) {
		nhrp_counters.tx_errors++;
		return -ENETUNREACH;
	}
	if ((len = packet_build(ifp, pkt)) < 0) {
		nhrp_counters.tx_errors++;
		return -EINVAL;
	}
	if (queue_on != NULL)
		return packet_queue(queue_on, ifp->index, dst_nbma, tx_buf,
		    (size_t)len);
	return packet_xmit(ifp->index, dst_nbma, tx_buf, (size_t)len);
}

int
packet_send(struct nhrp_iface *ifp, const struct nhrp_addr *dst_nbma,
    struct nhrp_packet *pkt)
{
	return packet_send_to(ifp, dst_nbma, pkt, NULL);
}

/* --- the one-slot queue of 5.6 ---------------------------------------- */

static uint32_t
queue_hash(const struct nhrp_peer *p)
{
	uintptr_t v = (uintptr_t)p;

	return (uint32_t)((v >> 4) * 2654435761u ^ (v >> 36));
}

static struct queued_pkt *
queue_find(const struct nhrp_peer *p)
{
	struct nhrp_hnode *n;
	struct queued_pkt *q;

	if (queue_table.count == 0)
		return NULL;
	for (n = nhrp_htable_first(&queue_table, queue_hash(p)); n != NULL;
	    n = nhrp_htable_next(n)) {
		q = nhrp_hnode_entry(n, struct queued_pkt, node);
		if (q->peer == p)
			return q;
	}
	return NULL;
}

/* takes the entry's slot out of the table; the caller frees it and
 * releases the reference */
static struct queued_pkt *
queue_take(struct nhrp_peer *p)
{
	struct queued_pkt *q;

	if ((q = queue_find(p)) != NULL)
		nhrp_htable_remove(&queue_table, &q->node);
	return q;
}

static int
packet_queue(struct nhrp_peer *p, int ifindex, const struct nhrp_addr *dst_nbma,
    const uint8_t *buf, size_t len)
{
	struct queued_pkt *q, *old;
	char a[NHRP_ADDRSTRLEN];

	if ((q = malloc(sizeof(*q) + len)) == NULL) {
		nhrp_counters.tx_errors++;
		return -ENOMEM;
	}
	q->peer = p;
	q->dst_nbma = *dst_nbma;
	q->ifindex = ifindex;
	q->len = len;
	memcpy(q->buf, buf, len);
	if ((old = queue_take(p)) != NULL) {
		nhrp_counters.tx_queue_replaced++;
		free(old);	/* its reference passes to q */
	} else
		peer_get(p);
	nhrp_htable_insert(&queue_table, &q->node, queue_hash(p));
	nhrp_counters.tx_queued++;
	log_debug("[%s] %s queued until the entry is up",
	    fmt(&p->proto, a), len > 17 ? nhrp_packet_type_name(buf[17]) :
	    "packet");
	return 0;
}

void
packet_queue_send(struct nhrp_peer *p)
{
	struct queued_pkt *q;

	if ((q = queue_take(p)) == NULL)
		return;
	(void)packet_xmit(q->ifindex, &q->dst_nbma, q->buf, q->len);
	free(q);
	peer_put(p);
}

void
packet_queue_drop(struct nhrp_peer *p)
{
	struct queued_pkt *q;

	if ((q = queue_take(p)) == NULL)
		return;
	nhrp_counters.tx_queue_dropped++;
	free(q);
	peer_put(p);
}

size_t
packet_queue_count(void)
{
	return queue_table.count;
}

struct nhrp_peer *
packet_route(struct nhrp_iface *ifp, const struct nhrp_addr *dst,
    const struct nhrp_packet *pkt)
{
	struct nhrp_addr tn[16], tp[16];
	struct cache_route_excl ex;
	const struct nhrp_ext *e;
	struct nhrp_peer *p;
	struct nhrp_addr cur = *dst;
	size_t i;
	int depth;
	char b[NHRP_ADDRSTRLEN];

	memset(&ex, 0, sizeof(ex));
	if (pkt != NULL) {
		bool reply = pkt->type == NHRP_RESOLUTION_REPLY ||
		    pkt->type == NHRP_REGISTRATION_REPLY ||
		    pkt->type == NHRP_PURGE_REPLY;

		/* a reply travels back to its source: only the transit
		 * list of its own direction excludes NHSs */
		if (!reply)
			ex.src = &pkt->src_proto;
		ex.transit_nbma = tn;
		ex.transit_proto = tp;
		e = nhrp_packet_ext_find_const(pkt, reply ?
		    NHRP_EXT_REVERSE_TRANSIT : NHRP_EXT_FORWARD_TRANSIT);
		if (e != NULL && e->is_cie_list) {
			for (i = 0; i < e->cies.n && ex.ntransit < 16; i++) {
				tn[ex.ntransit] = e->cies.cie[i].nbma;
				tp[ex.ntransit] = e->cies.cie[i].proto;
				ex.ntransit++;
			}
		}
	}
	for (depth = 0; depth < 4; depth++) {
		p = cache_route(ifp, &cur, PEER_MASK_ROUTE_VIA_NHS, &ex,
		    core_now());
		if (p == NULL || p->type == PEER_NEGATIVE)
			break;
		if (p->type != PEER_LOCAL_ROUTE)
			return p;
		if (nhrp_addr_is_unspec(&p->nbma))
			break;
		cur = p->nbma;
		log_debug("Recursive routing for protocol address %s",
		    fmt(&cur, b));
	}
	log_debug("No peer entry for protocol address %s", fmt(dst, b));
	return NULL;
}

int
packet_route_send(struct nhrp_iface *ifp, struct nhrp_packet *pkt,
    const struct nhrp_addr *to)
{
	struct nhrp_peer *p;

	p = packet_route(ifp, to, pkt);
	if (p == NULL || p->type == PEER_LOCAL)
		return -ENETUNREACH;
	if ((p->flags & (PEER_F_UP | PEER_F_LOWER_UP)) == 0 &&
	    (p->flags & PEER_F_REMOVED) == 0)
		return packet_send_to(ifp, &p->nbma, pkt, p);
	return packet_send(ifp, &p->nbma, pkt);
}

/* --- requests -------------------------------------------------------- */

static uint32_t
request_hash(uint32_t id, const struct nhrp_addr *src)
{
	return id * 2654435761u ^ nhrp_addr_hash(src);
}

static void
request_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct nhrp_request *r = w->data;
	request_cb cb;
	void *ctx;

	if (r->sent < REQUEST_TRIES) {
		if (sysdep_nhrp_send(r->iface->index, &r->dst_nbma, r->buf,
		    r->len) < 0)
			nhrp_counters.tx_errors++;
		else if (r->len > 17 && r->buf[17] <= NHRP_TYPE_MAX)
			nhrp_counters.tx[r->buf[17]]++;
		r->sent++;
		return;
	}
	cb = r->cb;
	ctx = r->ctx;
	r->cb = NULL;
	request_cancel(r);
	if (cb != NULL)
		cb(ctx, REQUEST_TIMEOUT, NULL, NULL);
}

struct nhrp_request *
request_send(struct nhrp_iface *ifp, const struct nhrp_addr *dst_nbma,
    struct nhrp_packet *pkt, request_cb cb, void *ctx)
{
	struct nhrp_request *r;
	ssize_t len;
	int err;

	if (ifp == NULL || ifp->index == 0 || nhrp_addr_is_unspec(dst_nbma))
		return NULL;
	if (pkt->request_id == 0)
		pkt->request_id = packet_next_request_id();
	if ((len = packet_build(ifp, pkt)) < 0)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->buf = malloc((size_t)len)) == NULL) {
		free(r);
		return NULL;
	}
	memcpy(r->buf, tx_buf, (size_t)len);
	r->len = (size_t)len;
	r->iface = ifp;
	r->id = pkt->request_id;
	r->src_proto = pkt->src_proto;
	r->dst_nbma = *dst_nbma;
	r->cb = cb;
	r->ctx = ctx;
	nhrp_htable_insert(&req_table, &r->node, request_hash(r->id,
	    &r->src_proto));
	err = sysdep_nhrp_send(ifp->index, dst_nbma, r->buf, r->len);
	if (err < 0)
		nhrp_counters.tx_errors++;
	else if (pkt->type <= NHRP_TYPE_MAX)
		nhrp_counters.tx[pkt->type]++;
	r->sent = 1;
	ev_timer_init(&r->timer, request_timer_cb, REQUEST_RETRY, REQUEST_RETRY);
	r->timer.data = r;
	ev_timer_start(io_loop, &r->timer);
	return r;
}

void
request_cancel(struct nhrp_request *r)
{
	if (r == NULL)
		return;
	ev_timer_stop(io_loop, &r->timer);
	nhrp_htable_remove(&req_table, &r->node);
	free(r->buf);
	free(r);
}

static struct nhrp_request *
request_find(uint32_t id, const struct nhrp_addr *src,
    const struct nhrp_addr *from)
{
	struct nhrp_request *r, *any = NULL;
	struct nhrp_hnode *n;
	uint32_t h = request_hash(id, src);

	for (n = nhrp_htable_first(&req_table, h); n != NULL;
	    n = nhrp_htable_next(n)) {
		r = nhrp_hnode_entry(n, struct nhrp_request, node);
		if (r->id != id || !nhrp_addr_equal(&r->src_proto, src))
			continue;
		if (from == NULL || nhrp_addr_equal(&r->dst_nbma, from))
			return r;
		if (any == NULL)
			any = r;
	}
	return any;
}

static void
request_complete(struct nhrp_request *r, int status,
    const struct nhrp_packet *pkt, const struct nhrp_addr *from)
{
	request_cb cb = r->cb;
	void *ctx = r->ctx;

	r->cb = NULL;
	request_cancel(r);
	if (cb != NULL)
		cb(ctx, status, pkt, from);
}

/* --- helpers --------------------------------------------------------- */

void
packet_fill_src(struct nhrp_iface *ifp, struct nhrp_packet *pkt,
    const struct nhrp_addr *my_nbma)
{
	if (my_nbma != NULL && !nhrp_addr_is_unspec(my_nbma))
		pkt->src_nbma = *my_nbma;
	else
		pkt->src_nbma = ifp->nbma;
	pkt->src_proto = ifp->proto;
}

int
packet_add_std_exts(struct nhrp_packet *pkt, bool with_nat)
{
	if (nhrp_packet_ext_add(pkt, NHRP_EXT_FORWARD_TRANSIT, true) == NULL ||
	    nhrp_packet_ext_add(pkt, NHRP_EXT_REVERSE_TRANSIT, true) == NULL ||
	    nhrp_packet_ext_add(pkt, NHRP_EXT_RESPONDER, true) == NULL)
		return -1;
	if (with_nat && nhrp_packet_ext_add(pkt, NHRP_EXT_NAT_ADDRESS,
	    false) == NULL)
		return -1;
	return 0;
}

int
packet_fill_responder(struct nhrp_iface *ifp, struct nhrp_packet *pkt,
    const struct nhrp_addr *my_nbma)
{
	struct nhrp_ext *e;
	struct nhrp_cie *c;

	e = nhrp_packet_ext_find(pkt, NHRP_EXT_RESPONDER);
	if (e == NULL || !e->is_cie_list || e->cies.n != 0)
		return 0;
	if ((c = nhrp_cie_list_add(&e->cies)) == NULL)
		return -1;
	c->code = NHRP_CODE_SUCCESS;
	c->prefix_len = 0;
	c->holding_time = (uint16_t)ifp->holding_time;
	c->nbma = (my_nbma != NULL && !nhrp_addr_is_unspec(my_nbma)) ?
	    *my_nbma : ifp->nbma;
	c->proto = ifp->proto;
	return 0;
}

int
packet_is_local_dst(struct nhrp_iface *ifp, const struct nhrp_addr *a)
{
	return cache_local_match(ifp, a) != NULL;
}

void
packet_send_error(struct nhrp_iface *ifp, const struct nhrp_packet *orig,
    const uint8_t *raw, size_t rawlen, const struct nhrp_addr *outer,
    uint16_t code, uint16_t offset)
{
	struct nhrp_packet ei;
	struct nhrp_peer *p;
	const struct nhrp_addr *to, *nbma = NULL;
	char b[NHRP_ADDRSTRLEN];

	if (orig != NULL && orig->type == NHRP_ERROR_INDICATION)
		return;
	nhrp_packet_init(&ei, NHRP_ERROR_INDICATION);
	if (orig != NULL) {
		ei.afn = orig->afn;
		ei.pro_type = orig->pro_type;
		memcpy(ei.pro_snap, orig->pro_snap, sizeof(ei.pro_snap));
		ei.flags = orig->flags;
	}
	ei.hop_count = 1;	/* Cisco drops hop 0 (decisions) */
	ei.error_code = code;
	ei.error_offset = offset;
	packet_fill_src(ifp, &ei, NULL);
	to = NULL;
	if (orig != NULL) {
		switch (orig->type) {
		case NHRP_RESOLUTION_REPLY:
		case NHRP_REGISTRATION_REPLY:
		case NHRP_PURGE_REPLY:
			to = &orig->dst_proto;
			break;
		default:
			to = &orig->src_proto;
			break;
		}
		ei.dst_proto = *to;
	}
	if ((ei.payload = malloc(rawlen > 0 ? rawlen : 1)) == NULL)
		goto out;
	memcpy(ei.payload, raw, rawlen);
	ei.payload_len = rawlen;
	if (nhrp_packet_ext_add(&ei, NHRP_EXT_FORWARD_TRANSIT, true) == NULL)
		goto out;
	ei.trailer_len = NHRP_EI_PADDING;
	p = NULL;
	if (to != NULL && !nhrp_addr_is_unspec(to))
		p = packet_route(ifp, to, NULL);
	if (p != NULL && p->type != PEER_LOCAL && !nhrp_addr_is_unspec(&p->nbma))
		nbma = &p->nbma;
	else if (outer != NULL && !nhrp_addr_is_unspec(outer))
		nbma = outer;
	if (nbma == NULL)
		goto out;
	log_debug("Sending Error Indication %s to nbma %s",
	    nhrp_error_code_name(code), fmt(nbma, b));
	if (packet_send(ifp, nbma, &ei) == 0)
		nhrp_counters.err_sent++;
out:
	nhrp_packet_clear(&ei);
}

/* --- receive --------------------------------------------------------- */

static int
auth_ok(struct nhrp_iface *ifp, const struct nhrp_packet *pkt)
{
	const struct nhrp_ext *e;

	if (ifp->auth_len == 0)
		return 1;
	if (pkt->type == NHRP_ERROR_INDICATION &&
	    pkt->error_code == NHRP_ERR_AUTH_FAILURE)
		return 1;
	e = nhrp_packet_ext_find_const(pkt, NHRP_EXT_AUTH);
	if (e == NULL || e->is_cie_list || e->raw_len != ifp->auth_len)
		return 0;
	return memcmp(e->raw, ifp->auth, ifp->auth_len) == 0;
}

static int
first_hop(const struct nhrp_packet *pkt)
{
	const struct nhrp_ext *e;

	e = nhrp_packet_ext_find_const(pkt, NHRP_EXT_FORWARD_TRANSIT);
	return e == NULL || !e->is_cie_list || e->cies.n == 0;
}

static void
handle_reply(struct nhrp_iface *ifp, struct nhrp_packet *pkt,
    const struct nhrp_addr *outer, const uint8_t *raw, size_t len)
{
	struct nhrp_request *r;
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];

	r = request_find(pkt->request_id, &pkt->src_proto, outer);
	if (r == NULL) {
		nhrp_counters.rx_unmatched++;
		log_debug("%s from %s (id %u) dropped: no matching request",
		    nhrp_packet_type_name(pkt->type), fmt(outer, b1),
		    pkt->request_id);
		(void)b2;
		packet_send_error(ifp, pkt, raw, len, outer,
		    NHRP_ERR_INVALID_RES_REPLY, 0);
		return;
	}
	request_complete(r, 0, pkt, outer);
}

static void
handle_error(struct nhrp_iface *ifp, struct nhrp_packet *pkt,
    const struct nhrp_addr *outer)
{
	struct nhrp_addr src;
	struct nhrp_request *r;
	const uint8_t *p = pkt->payload;
	size_t n = pkt->payload_len, nl, sl, pl;
	uint32_t id;
	char b[NHRP_ADDRSTRLEN];

	log_info("Error Indication from nbma %s: %s", fmt(outer, b),
	    nhrp_error_code_name(pkt->error_code));
	if (n < NHRP_HDR_LEN)
		return;
	id = (uint32_t)p[24] << 24 | (uint32_t)p[25] << 16 |
	    (uint32_t)p[26] << 8 | p[27];
	nl = p[18] & 0x3f;
	sl = p[19] & 0x3f;
	pl = p[20];
	if (NHRP_HDR_LEN + nl + sl + pl > n)
		return;
	if (nhrp_addr_set(&src, NHRP_AFN_IPV4, p + NHRP_HDR_LEN + nl + sl,
	    pl) != 0)
		return;
	r = request_find(id, &src, NULL);
	if (r == NULL) {
		nhrp_counters.rx_unmatched++;
		return;
	}
	request_complete(r, pkt->error_code == 0 ? 0xffff : pkt->error_code,
	    pkt, outer);
}

/*
 * A malformed packet whose fixed header is sound gets an Error Indication
 * (Unrecognized Extension or Protocol Error) routed to its source.
 */
static void
parse_error_reply(struct nhrp_iface *ifp, const struct nhrp_addr *outer,
    const uint8_t *buf, size_t len, int err,
    const struct nhrp_parse_info *info)
{
	struct nhrp_packet h;
	size_t nl, sl, pl, dl, off;
	uint16_t code;

	if (len < NHRP_HDR_LEN || err == -NHRP_E_TRUNCATED ||
	    err == -NHRP_E_SIZE || err == -NHRP_E_VERSION ||
	    err == -NHRP_E_AFN || err == -NHRP_E_TYPE)
		return;
	if ((buf[0] << 8 | buf[1]) != NHRP_AFN_IPV4 ||
	    buf[17] == NHRP_ERROR_INDICATION)
		return;
	nl = buf[18] & 0x3f;
	sl = buf[19] & 0x3f;
	pl = buf[20];
	dl = buf[21];
	if (nl != 4 || pl != 4 || dl != 4 || NHRP_HDR_LEN + nl + sl + pl + dl > len)
		return;
	nhrp_packet_init(&h, buf[17]);
	h.afn = NHRP_AFN_IPV4;
	h.pro_type = (uint16_t)(buf[2] << 8 | buf[3]);
	h.flags = (uint16_t)(buf[22] << 8 | buf[23]);
	off = NHRP_HDR_LEN;
	nhrp_addr_set(&h.src_nbma, NHRP_AFN_IPV4, buf + off, 4);
	off += nl + sl;
	nhrp_addr_set(&h.src_proto, NHRP_AFN_IPV4, buf + off, 4);
	off += pl;
	nhrp_addr_set(&h.dst_proto, NHRP_AFN_IPV4, buf + off, 4);
	code = err == -NHRP_E_EXT_UNKNOWN_COMPULSORY ?
	    NHRP_ERR_UNRECOGNIZED_EXTENSION : NHRP_ERR_PROTOCOL_ERROR;
	packet_send_error(ifp, &h, buf, len, outer, code,
	    (uint16_t)(info->error_offset > 0xffff ? 0 : info->error_offset));
	nhrp_packet_clear(&h);
}

void
packet_receive(int ifindex, const struct nhrp_addr *outer,
    const uint8_t *buf, size_t len)
{
	struct nhrp_iface *ifp;
	struct nhrp_packet pkt;
	struct nhrp_parse_info info;
	const struct nhrp_addr *route_to;
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];
	int r;

	ifp = iface_by_index(ifindex);
	if (ifp == NULL || !iface_is_configured(ifp) ||
	    (ifp->flags & CONF_IF_SHORTCUT_DEST)) {
		nhrp_counters.rx_not_configured++;
		log_debug("NHRP packet on unconfigured interface %d dropped",
		    ifindex);
		return;
	}
	memset(&info, 0, sizeof(info));
	r = nhrp_packet_parse(buf, len, &pkt, &info);
	if (r < 0) {
		nhrp_counters.rx_bad++;
		if (r == -NHRP_E_CHECKSUM) {
			log_debug("Bad checksum in packet from %s",
			    fmt(outer, b1));
			return;
		}
		log_debug("Failed to unmarshall packet from %s: %s",
		    fmt(outer, b1), nhrp_codec_strerror(r));
		parse_error_reply(ifp, outer, buf, len, r, &info);
		return;
	}
	if (pkt.type <= NHRP_TYPE_MAX)
		nhrp_counters.rx[pkt.type]++;
	if (!auth_ok(ifp, &pkt)) {
		nhrp_counters.rx_auth_fail++;
		log_info("Dropping packet from %s with bad authentication",
		    fmt(outer, b1));
		packet_send_error(ifp, &pkt, buf, len, outer,
		    NHRP_ERR_AUTH_FAILURE, 0);
		goto out;
	}
	log_debug("Received %s from nbma %s proto src %s",
	    nhrp_packet_type_name(pkt.type), fmt(outer, b1),
	    fmt(&pkt.src_proto, b2));

	switch (pkt.type) {
	case NHRP_RESOLUTION_REPLY:
	case NHRP_REGISTRATION_REPLY:
	case NHRP_PURGE_REPLY:
		route_to = &pkt.src_proto;
		break;
	default:
		route_to = &pkt.dst_proto;
		break;
	}
	if (!packet_is_local_dst(ifp, route_to) &&
	    !(pkt.type == NHRP_REGISTRATION_REQUEST && first_hop(&pkt))) {
		server_forward(ifp, &pkt, outer, buf, len);
		goto out;
	}
	switch (pkt.type) {
	case NHRP_REGISTRATION_REQUEST:
		server_registration_request(ifp, &pkt, outer, buf, len);
		break;
	case NHRP_RESOLUTION_REQUEST:
		server_resolution_request(ifp, &pkt, outer);
		break;
	case NHRP_PURGE_REQUEST:
		server_purge_request(ifp, &pkt, outer);
		break;
	case NHRP_TRAFFIC_INDICATION:
		server_traffic_indication(ifp, &pkt, outer);
		break;
	case NHRP_RESOLUTION_REPLY:
	case NHRP_REGISTRATION_REPLY:
	case NHRP_PURGE_REPLY:
		handle_reply(ifp, &pkt, outer, buf, len);
		break;
	case NHRP_ERROR_INDICATION:
		handle_error(ifp, &pkt, outer);
		break;
	default:
		nhrp_counters.rx_dropped++;
		break;
	}
out:
	nhrp_packet_clear(&pkt);
}
