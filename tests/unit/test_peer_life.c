/*
 * test_peer_life.c - peer cache life cycles with the fake kernel/hook
 * layer and fake timers: NHS side PEER-11 (static, dynamic-nhs and local
 * conflicts -> code 4), PKT-23 (no CIE -> no reply; decided: excess
 * registrations are queued, not dropped), SCR-08 (a dynamic or cached
 * entry whose peer-up fails becomes negative for 180 s); requester side
 * PEER-12 (incomplete: timeout -> deleted, Error Indication -> negative,
 * up, 180 s), PEER-14 (a Resolution Request from X deletes negatives for
 * X), PEER-17 (a shortcut onto a local prefix -> negative), PKT-20 (own
 * NAT CIE in the Resolution Reply), PKT-24 (replies go via the NHS,
 * never straight to a cached peer); forwarding PKT-15/16/17/18; the
 * Purge Reply PKT-08/14; PEER-16 (shortcut-route plus cached next hop)
 * and the expiry checks and renewals of PEER-19/20/21; SCR-18 (hook
 * variables present only when applicable); PKT-10 (an indication
 * without shortcut is ignored); RDR-05 (with shortcut, only about our
 * own packets); MC-02/MC-03 (multicast members); SCR-06 (one CIE at a
 * time); SCR-14 (route-down on next-hop loss); RDR-06 (who-has).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "addr.h"
#include "packet.h"
#include "nhrp/conf.h"
#include "nhrp/core.h"
#include "nhrp/iface.h"
#include "nhrp/multicast.h"
#include "nhrp/packet_io.h"
#include "nhrp/peer.h"
#include "tests/tap.h"
#include "tests/unit/fake_sysdep.h"
#include "tests/unit/fixture.h"

static const char cfg[] =
    "interface gre1\n"
    " holding-time 600\n"
    " map 10.255.255.9/32 198.51.100.9\n"
    " map 10.255.255.30/24 198.51.100.30\n"
    "interface gre2\n"
    " holding-time 600\n"
    " map 10.254.0.1/24 198.51.100.1\n"
    " shortcut-target 192.168.2.0/24\n"
    " multicast nhs\n"
    " multicast 10.254.0.88\n"
    "interface gre3\n"
    " shortcut\n"
    " map 10.253.0.1/24 198.51.100.1\n";

/* a peer inserted on ifname; up and lower-up when it expires */
static struct nhrp_peer *
add_peer(const char *ifname, unsigned type, const char *proto,
    unsigned prefix, const char *nbma, ev_tstamp expire)
{
	struct nhrp_peer *p;

	if ((p = peer_new(iface_by_name(ifname), type)) == NULL)
		return NULL;
	p->proto = fx_a(proto);
	p->prefix = prefix;
	p->nbma = fx_a(nbma);
	if (expire != 0) {
		p->flags |= PEER_F_UP | PEER_F_LOWER_UP;
		p->expire = expire;
	}
	peer_insert(p);
	return p;
}

/* a one-hop packet from 198.51.100.1 (from) to to, carrying payload */
static void
one_hop(int ifindex, uint8_t type, uint16_t code, const char *from,
    const char *to, const uint8_t *payload, size_t len)
{
	struct nhrp_packet q;

	fx_req(&q, type, 0, 0, "198.51.100.1", from, to);
	q.hop_count = 1;
	q.error_code = code;
	if ((q.payload = malloc(len)) != NULL) {
		memcpy(q.payload, payload, len);
		q.payload_len = len;
	}
	nhrp_packet_ext_add(&q, NHRP_EXT_FORWARD_TRANSIT, true);
	fx_rx_pkt(ifindex, "198.51.100.1", &q);
	nhrp_packet_clear(&q);
}

/* --- NHS side (gre1, 10.255.255.1) ------------------------------------ */

static void
regreq(const char *nbma, const char *src, uint32_t id, int ncie)
{
	struct nhrp_packet p;
	struct nhrp_cie *c;
	int i;

	fx_req(&p, NHRP_REGISTRATION_REQUEST, 0x8002, id, nbma, src,
	    "10.255.255.1");
	for (i = 0; i < ncie; i++) {
		c = nhrp_cie_list_add(&p.cies);
		c->prefix_len = 0xff;
		c->holding_time = 600;
	}
	fx_req_exts(&p);
	fx_rx_pkt(5, nbma, &p);
	nhrp_packet_clear(&p);
}

/* the CIE code of the last packet sent, when it is the reply to id */
static int
reply_code(uint32_t id)
{
	struct nhrp_packet p;
	int code = -1;

	if (fx_sent(-1, &p, NULL) != 0)
		return -1;
	if (p.type == NHRP_REGISTRATION_REPLY && p.request_id == id &&
	    p.cies.n == 1)
		code = p.cies.cie[0].code;
	nhrp_packet_clear(&p);
	return code;
}

static void
test_conflicts(void)
{
	static const struct {
		const char	*src;
		const char	*what;
	} conflict[] = {
		{ "10.255.255.9", "a static /32 address" },
		{ "10.255.255.30", "the host address of a static /24 map" },
		{ "10.255.255.20", "a dynamic-nhs address" },
		{ "10.255.255.1", "the hub's own address" },
	};
	struct nhrp_peer *p;
	size_t nhook = fake.nhook, i;

	/* a dynamic-nhs entry holding a discovered NHS address */
	add_peer("gre1", PEER_DYNAMIC_NHS, "10.255.255.20", 24,
	    "198.51.100.20", 0);
	for (i = 0; i < sizeof(conflict) / sizeof(conflict[0]); i++) {
		regreq("198.51.100.99", conflict[i].src, 101 + i, 1);
		INT_EQ(reply_code(101 + i), NHRP_CODE_ADMIN_PROHIBITED,
		    "PEER-11: %s: code 4", conflict[i].what);
	}
	INT_EQ(fake.nhook, nhook, "PEER-11: no hook for a conflict");
	OK(fx_find("gre1", "10.255.255.9", 32, PT(PEER_DYNAMIC)) == NULL &&
	    fx_find("gre1", "10.255.255.20", 32, PT(PEER_DYNAMIC)) == NULL,
	    "PEER-11: no dynamic entry created");
	OK(fx_find("gre1", "10.255.255.9", 32, PT(PEER_STATIC)) != NULL &&
	    fx_find("gre1", "10.255.255.20", 24, PT(PEER_DYNAMIC_NHS)) != NULL,
	    "PEER-11: the static and dynamic-nhs entries stay");

	/* another address inside the static /24 is no conflict */
	regreq("198.51.100.31", "10.255.255.31", 105, 1);
	OK(fake_last_hook("peer-register") != NULL &&
	    strstr(fake_last_hook("peer-register")->env, "NHRP_DESTMTU") ==
	    NULL && strstr(fake_last_hook("peer-register")->env,
	    "NHRP_DESTNBMA_NAT_OA") == NULL,
	    "SCR-18: no NHRP_DESTMTU for MTU 0, no NAT_OA without NAT");
	OK(fake_hook_done_match("peer-register", "NHRP_DESTADDR=10.255.255.31",
	    0) >= 0, "PEER-11: an address inside a static prefix registers");

	/* SCR-08: its peer-up fails -> negative for 180 s */
	OK(fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.255.255.31", 1)
	    >= 0, "SCR-08: peer-up of the dynamic entry fails");
	p = fx_find("gre1", "10.255.255.31", 32, PEER_MASK_ALL);
	OK(p != NULL && p->type == PEER_NEGATIVE && p->expire == 1180.0,
	    "SCR-08: the dynamic entry became negative for 180 s");
	{
		const char *out = fx_ctl("show protocol 10.255.255.31");

		OK(strstr(out, "Type: negative\n") != NULL &&
		    strstr(out, "Expires-In: 3:00\n") != NULL,
		    "SCR-08: shown as negative, Expires-In: 3:00");
	}
}

static void
test_no_cie_and_load(void)
{
	uint64_t dropped = nhrp_counters.rx_dropped;
	size_t npkt = fake.npkt, nhook = fake.nhook, i, n;
	char src[32], nbma[32];
	int ok;

	regreq("198.51.100.40", "10.255.255.40", 201, 0);
	INT_EQ(fake.npkt, npkt, "PKT-23: a request with no CIE: no reply");
	INT_EQ(fake.nhook, nhook, "PKT-23: no CIE: no hook");
	OK(fx_find("gre1", "10.255.255.40", 32, PEER_MASK_ALL) == NULL,
	    "PKT-23: no CIE: no entry");

	/* decided: 17 at once are all kept (hooks are queued, not dropped) */
	fake.npkt = 0;
	for (i = 0; i < 17; i++) {
		snprintf(src, sizeof(src), "10.255.255.%zu", 50 + i);
		snprintf(nbma, sizeof(nbma), "198.51.100.%zu", 50 + i);
		regreq(nbma, src, (uint32_t)(300 + i), 1);
	}
	INT_EQ(fx_count("peer-register"), 1 + 17,
	    "PKT-23 (decided): the 17th registration in progress is not "
	    "dropped");
	INT_EQ(nhrp_counters.rx_dropped, dropped, "PKT-23: nothing dropped");
	regreq("198.51.100.50", "10.255.255.50", 300, 1);
	INT_EQ(fx_count("peer-register"), 1 + 17,
	    "PKT-23: a duplicate of one in progress is ignored");
	n = 0;
	ok = 1;
	for (i = 0; i < 17; i++) {
		if (fake_hook_done(1) < 0)
			break;
		ok &= reply_code((uint32_t)(300 + i)) ==
		    NHRP_CODE_ADMIN_PROHIBITED;
		n++;
	}
	OK(n == 17 && ok && fake.npkt == 17,
	    "PKT-23: each of the 17 answered (refused) in order");
}


/* a Resolution Request through the hub (gre1) from 10.255.255.71 */
static void
transit_request(const char *dst, uint8_t hop, int own_record)
{
	static const uint8_t vendor[] = { 0xde, 0xad, 0xbe, 0xef, 0x01 };
	struct nhrp_packet q;
	struct nhrp_ext *e;
	struct nhrp_cie *c;

	fx_req(&q, NHRP_RESOLUTION_REQUEST, 0xC002, 4242, "198.51.100.71",
	    "10.255.255.71", dst);
	q.hop_count = hop;
	c = nhrp_cie_list_add(&q.cies);
	c->holding_time = 600;
	e = nhrp_packet_ext_add(&q, NHRP_EXT_FORWARD_TRANSIT, true);
	if (own_record && (c = nhrp_cie_list_add(&e->cies)) != NULL) {
		c->holding_time = 600;
		c->nbma = fx_a("198.51.100.2");
		c->proto = fx_a("10.255.255.1");
	}
	nhrp_packet_ext_add(&q, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_packet_ext_add(&q, NHRP_EXT_RESPONDER, true);
	e = nhrp_packet_ext_add(&q, 0x0123, false);
	if (e != NULL)
		nhrp_ext_set_raw(e, vendor, sizeof(vendor));
	fx_rx_pkt(5, "198.51.100.71", &q);
	nhrp_packet_clear(&q);
}

static int
last_error(void)
{
	struct nhrp_packet p;
	int code = -1;

	if (fx_sent(-1, &p, NULL) != 0)
		return -1;
	if (p.type == NHRP_ERROR_INDICATION)
		code = p.error_code;
	nhrp_packet_clear(&p);
	return code;
}

static void
test_forward_and_purge(void)
{
	const struct nhrp_ext *e;
	struct nhrp_packet f;
	struct nhrp_addr to;
	size_t npkt;

	fake.npkt = 0;
	add_peer("gre1", PEER_DYNAMIC, "10.255.255.70", 32, "198.51.100.70",
	    2000);
	transit_request("10.255.255.70", 16, 0);
	OK(fake.npkt == 1 && fx_sent(-1, &f, &to) == 0 &&
	    f.type == NHRP_RESOLUTION_REQUEST && f.request_id == 4242 &&
	    strcmp(fx_fmt(&to), "198.51.100.70") == 0,
	    "the hub forwards the request to the registered spoke");
	INT_EQ(f.hop_count, 15, "PKT-16: hop count decremented");
	e = nhrp_packet_ext_find_const(&f, NHRP_EXT_FORWARD_TRANSIT);
	OK(e != NULL && e->cies.n == 1 && e->cies.cie[0].holding_time == 600 &&
	    strcmp(fx_fmt(&e->cies.cie[0].nbma), "198.51.100.2") == 0 &&
	    strcmp(fx_fmt(&e->cies.cie[0].proto), "10.255.255.1") == 0,
	    "PKT-15: own Forward Transit record appended");
	OK(f.next == 4 && f.ext[3].type == 0x0123 && !f.ext[3].compulsory &&
	    f.ext[3].raw_len == 5 && memcmp(f.ext[3].raw,
	    "\xde\xad\xbe\xef\x01", 5) == 0,
	    "PKT-18: an unknown extension is forwarded unchanged, in place");
	nhrp_packet_clear(&f);

	npkt = fake.npkt;
	transit_request("10.255.255.70", 16, 1);
	OK(fake.npkt == npkt + 1 && last_error() == NHRP_ERR_LOOP_DETECTED,
	    "PKT-15: own record already listed: Error Indication 2, "
	    "not forwarded");
	transit_request("172.31.0.1", 16, 0);
	OK(fake.npkt == npkt + 2 &&
	    last_error() == NHRP_ERR_PROTOCOL_UNREACHABLE,
	    "PKT-17: no route: Error Indication 6");
	transit_request("10.255.255.70", 0, 0);
	OK(fake.npkt == npkt + 3 && last_error() == NHRP_ERR_HOP_COUNT_EXCEEDED,
	    "PKT-16: hop count 0 in transit: Error Indication 15");

	/* PKT-08: a Purge Request without N from the owner: reply first */
	{
		struct nhrp_packet q, r;
		struct nhrp_cie *c;

		fx_req(&q, NHRP_PURGE_REQUEST, 0, 5151, "198.51.100.70",
		    "10.255.255.70", "10.255.255.1");
		c = nhrp_cie_list_add(&q.cies);
		c->prefix_len = 0xff;
		c->proto = fx_a("10.255.255.70");
		fx_req_exts(&q);
		npkt = fake.npkt;
		fx_rx_pkt(5, "198.51.100.70", &q);
		OK(fake.npkt == npkt + 1 && fx_sent(-1, &r, &to) == 0 &&
		    r.type == NHRP_PURGE_REPLY && r.flags == 0 &&
		    r.hop_count == 16 && r.request_id == 5151 &&
		    strcmp(fx_fmt(&to), "198.51.100.70") == 0,
		    "PKT-08: Purge Reply (type 6, flags 0, hop 16, id kept) "
		    "to the requester");
		OK(r.cies.n == 1 && r.cies.cie[0].prefix_len == 0xff &&
		    strcmp(fx_fmt(&r.cies.cie[0].proto), "10.255.255.70") == 0,
		    "PKT-08: the reply carries the request's CIEs");
		e = nhrp_packet_ext_find_const(&r, NHRP_EXT_RESPONDER);
		OK(e != NULL && e->cies.n == 1 &&
		    strcmp(fx_fmt(&e->cies.cie[0].proto), "10.255.255.1") == 0,
		    "PKT-14: Responder filled in the Purge Reply");
		nhrp_packet_clear(&r);
		OK(fx_find("gre1", "10.255.255.70", 32, PEER_MASK_ALL) == NULL,
		    "PKT-08: prefix 0xff purges the /32 binding (decided)");
		/* with N: no reply */
		q.flags = NHRP_FLAG_PURGE_N;
		q.request_id = 5152;
		npkt = fake.npkt;
		fx_rx_pkt(5, "198.51.100.70", &q);
		INT_EQ(fake.npkt, npkt, "PKT-08: with N: no reply");
		nhrp_packet_clear(&q);
	}
}

/* --- requester side (gre2, 10.254.0.2, NHS 10.254.0.1) ----------------- */

static struct nhrp_request *
resolve(const char *dst)
{
	struct nhrp_addr a = fx_a(dst);
	struct nhrp_peer *p;

	client_resolve(iface_by_name("gre2"), &a, NULL);
	p = fx_find("gre2", dst, 32, PT(PEER_INCOMPLETE));
	return p != NULL ? p->req : NULL;
}

/* the last packet sent is a Resolution Request for dst (*to: where to) */
static int
asked_for(const char *dst, struct nhrp_addr *to)
{
	struct nhrp_packet q;
	int ok;

	if (fx_sent(-1, &q, to) != 0)
		return 0;
	ok = q.type == NHRP_RESOLUTION_REQUEST &&
	    strcmp(fx_fmt(&q.dst_proto), dst) == 0;
	nhrp_packet_clear(&q);
	return ok;
}

static void
resolution_reply(const char *proto, const char *nbma, unsigned prefix)
{
	struct nhrp_packet p;
	struct nhrp_cie *c;

	if (fx_sent(-1, &p, NULL) != 0)
		return;
	p.type = NHRP_RESOLUTION_REPLY;
	p.flags |= NHRP_FLAG_RES_D;
	c = &p.cies.cie[0];
	c->code = 0;
	c->prefix_len = (uint8_t)prefix;
	c->holding_time = 600;
	c->mtu = 1400;
	c->proto = fx_a(proto);
	c->nbma = fx_a(nbma);
	fx_rx_pkt(6, "198.51.100.1", &p);
	nhrp_packet_clear(&p);
}

static void
error_indication(uint16_t code)
{
	struct fake_pkt *f = &fake.pkt[fake.npkt - 1];

	one_hop(6, NHRP_ERROR_INDICATION, code, "10.254.0.1", "10.254.0.2",
	    f->buf, f->len);
}

static int
neigh_failed(const char *proto)
{
	size_t i;

	for (i = 0; i < fake.nneigh; i++)
		if (fake.neigh[i].failed &&
		    strcmp(fx_fmt(&fake.neigh[i].proto), proto) == 0)
			return 1;
	return 0;
}

static void
test_incomplete(void)
{
	struct nhrp_request *r;
	struct nhrp_addr to;
	struct nhrp_packet p;
	struct nhrp_peer *n;
	int i;

	fake.npkt = 0;
	r = resolve("10.254.0.20");
	OK(r != NULL && fx_sent(-1, &p, &to) == 0 &&
	    p.type == NHRP_RESOLUTION_REQUEST &&
	    strcmp(fx_fmt(&to), "198.51.100.1") == 0,
	    "incomplete 10.254.0.20: Resolution Request via the NHS");
	OK(p.flags == 0xC002 && p.hop_count == 16 &&
	    strcmp(fx_fmt(&p.src_proto), "10.254.0.2") == 0 &&
	    strcmp(fx_fmt(&p.src_nbma), "198.51.100.3") == 0 &&
	    strcmp(fx_fmt(&p.dst_proto), "10.254.0.20") == 0,
	    "PKT-05: flags 0xC002, hop 16, our addresses, destination");
	OK(p.cies.n == 1 && p.cies.cie[0].code == 0 &&
	    p.cies.cie[0].prefix_len == 0 && p.cies.cie[0].mtu == 0 &&
	    p.cies.cie[0].holding_time == 600 && p.cies.cie[0].nbma.len == 0 &&
	    p.cies.cie[0].proto.len == 0,
	    "PKT-05: one CIE: code 0, prefix 0, mtu 0, holding time H");
	OK(p.next == 4 && p.ext[0].type == NHRP_EXT_FORWARD_TRANSIT &&
	    p.ext[0].compulsory && p.ext[1].type == NHRP_EXT_REVERSE_TRANSIT &&
	    p.ext[1].compulsory && p.ext[2].type == NHRP_EXT_RESPONDER &&
	    p.ext[2].compulsory && p.ext[3].type == NHRP_EXT_NAT_ADDRESS &&
	    !p.ext[3].compulsory,
	    "PKT-05: extensions F, R, Responder (compulsory), NAT (not)");
	nhrp_packet_clear(&p);
	for (i = 0; i < 6 && r != NULL; i++) {
		fx_fire_timer(&r->timer);
		n = fx_find("gre2", "10.254.0.20", 32, PT(PEER_INCOMPLETE));
		r = n != NULL ? n->req : NULL;
	}
	OK(i == 6 && fake.npkt == 6, "6 transmissions, then the timeout");
	OK(fx_find("gre2", "10.254.0.20", 32, PEER_MASK_ALL) == NULL,
	    "PEER-12: timeout: the incomplete entry is deleted (no negative)");

	r = resolve("10.254.0.21");
	OK(r != NULL, "incomplete 10.254.0.21: request sent");
	error_indication(NHRP_ERR_PROTOCOL_UNREACHABLE);
	n = fx_find("gre2", "10.254.0.21", 32, PEER_MASK_ALL);
	OK(n != NULL && n->type == PEER_NEGATIVE && (n->flags & PEER_F_UP) &&
	    n->expire == 1180.0,
	    "PEER-12: Error Indication: negative, up, expires in 180 s");
	OK(neigh_failed("10.254.0.21"),
	    "PEER-12: the neighbour of the negative entry is set FAILED");
	STR_EQ(fx_ctl("show protocol 10.254.0.21"), "Status: ok\n\n"
	    "Interface: gre2\nType: negative\n"
	    "Protocol-Address: 10.254.0.21/32\nFlags: up\n"
	    "Expires-In: 3:00\n\n", "PEER-12: shown as negative, up, 3:00");
	OK(n != NULL && n->timer_fn != NULL &&
	    fx_timer_left(n) == 180.0, "PEER-12: removal scheduled at 180 s");
	if (n != NULL) {
		fx_fire(n);
		OK(fx_find("gre2", "10.254.0.21", 32, PEER_MASK_ALL) == NULL,
		    "PEER-12: the negative entry goes at its expiry");
	}
	/* again, for PEER-14 */
	resolve("10.254.0.21");
	error_indication(NHRP_ERR_PROTOCOL_UNREACHABLE);
}

static void
test_responder(void)
{
	struct nhrp_packet q, rep;
	struct nhrp_addr to;
	struct nhrp_ext *e;
	struct nhrp_cie *c;
	const struct nhrp_ext *re;
	size_t npkt;

	OK(fx_find("gre2", "10.254.0.21", 32, PT(PEER_NEGATIVE)) != NULL,
	    "a negative entry for 10.254.0.21");
	iface_by_name("gre2")->nat_oa = fx_a("203.0.113.2");
	/* a cached entry for the second requester */
	add_peer("gre2", PEER_CACHED, "10.254.0.22", 32, "203.0.113.22", 1600);

	fx_req(&q, NHRP_RESOLUTION_REQUEST, 0xC002, 77, "198.51.100.21",
	    "10.254.0.21", "10.254.0.2");
	q.hop_count = 15;
	c = nhrp_cie_list_add(&q.cies);
	c->holding_time = 600;
	fx_req_exts(&q);
	e = nhrp_packet_ext_add(&q, NHRP_EXT_NAT_ADDRESS, false);
	c = nhrp_cie_list_add(&e->cies);
	c->nbma = fx_a("192.0.2.99");
	c->proto = fx_a("10.254.0.99");
	npkt = fake.npkt;
	fx_rx_pkt(6, "198.51.100.1", &q);
	OK(fx_find("gre2", "10.254.0.21", 32, PEER_MASK_ALL) == NULL,
	    "PEER-14: the Resolution Request from X deleted X's negative");
	OK(fake.npkt == npkt + 1 && fx_sent(-1, &rep, &to) == 0 &&
	    rep.type == NHRP_RESOLUTION_REPLY && rep.request_id == 77,
	    "the responder answered");
	INT_EQ(rep.flags, 0xE002, "PKT-06: flags Q|NAT kept, D and A added");
	re = nhrp_packet_ext_find_const(&rep, NHRP_EXT_NAT_ADDRESS);
	OK(re != NULL && re->cies.n == 1 &&
	    strcmp(fx_fmt(&re->cies.cie[0].nbma), "203.0.113.2") == 0 &&
	    strcmp(fx_fmt(&re->cies.cie[0].proto), "10.254.0.2") == 0,
	    "PKT-20: the NAT extension holds only our own NAT CIE");
	OK(rep.cies.n == 1 && rep.cies.cie[0].code == 0 &&
	    rep.cies.cie[0].prefix_len == 32 &&
	    rep.cies.cie[0].holding_time == 600 &&
	    strcmp(fx_fmt(&rep.cies.cie[0].proto), "10.254.0.2") == 0,
	    "PKT-06: one CIE: own address /32, holding time 600");
	STR_EQ(fx_fmt(&to), "198.51.100.1", "the reply goes via the NHS");
	OK(fx_find("gre2", "10.254.0.21", 32, PEER_MASK_ALL) == NULL,
	    "the responder caches nothing about the requester");
	nhrp_packet_clear(&rep);

	/* PKT-24: a cached requester is still answered through the NHS */
	q.src_nbma = fx_a("203.0.113.22");
	q.src_proto = fx_a("10.254.0.22");
	q.request_id = 78;
	npkt = fake.npkt;
	fx_rx_pkt(6, "198.51.100.1", &q);
	OK(fake.npkt == npkt + 1 && fx_sent(-1, &rep, &to) == 0 &&
	    rep.request_id == 78 && strcmp(fx_fmt(&to), "198.51.100.1") == 0,
	    "PKT-24: the reply to a cached peer goes via the NHS, not to "
	    "203.0.113.22");
	nhrp_packet_clear(&rep);
	nhrp_packet_clear(&q);

	/* without a NAT address of our own the NAT extension is empty */
	iface_by_name("gre2")->nat_oa = fx_a(NULL);
}

static void
test_cached_peer_up_failure(void)
{
	struct nhrp_peer *p;

	OK(resolve("10.254.0.30") != NULL, "incomplete 10.254.0.30");
	resolution_reply("10.254.0.30", "198.51.100.30", 32);
	p = fx_find("gre2", "10.254.0.30", 32, PT(PEER_CACHED));
	OK(p != NULL && p->expire == 1600.0 &&
	    fake_hook_has(fake_last_hook("peer-up"),
	    "NHRP_TYPE=cached NHRP_DESTADDR=10.254.0.30"),
	    "in-NBMA reply: cached entry, peer-up runs");
	OK(fake_hook_has(fake_last_hook("peer-up"), "NHRP_DESTMTU=1400"),
	    "SCR-18: NHRP_DESTMTU with the peer's non-zero MTU");
	fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.254.0.30", 1);
	p = fx_find("gre2", "10.254.0.30", 32, PEER_MASK_ALL);
	OK(p != NULL && p->type == PEER_NEGATIVE && p->expire == 1180.0,
	    "SCR-08: cached peer-up failure: negative for 180 s");
}

static void
test_shortcut_onto_local(void)
{
	struct nhrp_addr to;
	struct nhrp_packet p;
	struct nhrp_peer *n;

	OK(resolve("192.168.2.5") != NULL && fx_sent(-1, &p, &to) == 0 &&
	    strcmp(fx_fmt(&to), "198.51.100.1") == 0,
	    "192.168.2.5: Resolution Request via the NHS");
	nhrp_packet_clear(&p);
	resolution_reply("10.254.0.3", "198.51.100.33", 24);
	n = fx_find("gre2", "192.168.2.5", 32, PEER_MASK_ALL);
	OK(n != NULL && n->type == PEER_NEGATIVE && (n->flags & PEER_F_UP) &&
	    n->expire == 1180.0,
	    "PEER-17: a shortcut onto the local 192.168.2.0/24: negative, "
	    "up, 180 s");
	OK(fx_find("gre2", "192.168.2.0", 24, PT(PEER_SHORTCUT_ROUTE)) == NULL,
	    "PEER-17: no shortcut-route");
	OK(fx_find("gre2", "10.254.0.3", 32, PEER_MASK_ALL) == NULL,
	    "PEER-17: no cached next hop");
}


/* e's check fires at now and asks for dst (true); the NHS answers that
 * 10.254.0.3 is at 198.51.100.33 (prefix) */
static int
renewal(struct nhrp_peer *e, double now, const char *dst, unsigned prefix)
{
	int ok;

	core_fake_now = now;
	fx_fire(e);
	ok = asked_for(dst, NULL);
	resolution_reply("10.254.0.3", "198.51.100.33", prefix);
	return ok;
}

static void
test_shortcut_and_renewal(void)
{
	struct nhrp_peer *nh, *sc, *c40;
	size_t nroute, nup;

	fake.npkt = 0;
	OK(resolve("192.168.3.5") != NULL, "192.168.3.5: request sent");
	resolution_reply("10.254.0.3", "198.51.100.33", 24);
	nh = fx_find("gre2", "10.254.0.3", 32, PT(PEER_CACHED));
	sc = fx_find("gre2", "192.168.3.0", 24, PT(PEER_SHORTCUT_ROUTE));
	OK(nh != NULL && nh->expire == 1600.0 &&
	    strcmp(fx_fmt(&nh->nbma), "198.51.100.33") == 0,
	    "PEER-16: cached next hop 10.254.0.3 at 198.51.100.33");
	OK(sc != NULL && sc->expire == 1600.0 &&
	    strcmp(fx_fmt(&sc->nbma), "10.254.0.3") == 0,
	    "PEER-16: shortcut-route 192.168.3.0/24 via 10.254.0.3");
	OK(fx_find("gre2", "192.168.3.5", 32, PEER_MASK_ALL) == NULL,
	    "PEER-16: the incomplete entry is gone");
	if (nh == NULL || sc == NULL)
		return;
	nroute = fx_count("route-up");
	fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.254.0.3", 0);
	fake_neigh_ack(0);
	OK(peer_is_up(nh) && fx_timer_left(nh) == 401.0,
	    "PEER-19: cached expiry check at 2/3 of 600 s + 1 = 401 s");
	OK(fx_count("route-up") == nroute + 1 && fake_hook_has(
	    fake_last_hook("route-up"), "NHRP_TYPE=shortcut-route "
	    "NHRP_DESTADDR=192.168.3.0 NHRP_DESTPREFIX=24 "
	    "NHRP_NEXTHOP=10.254.0.3"), "SCR-13: route-up once the next hop "
	    "is up");
	fake_hook_done_match("route-up", "NHRP_DESTADDR=192.168.3.0", 0);
	OK(peer_is_up(sc) && fx_timer_left(sc) == 391.0,
	    "PEER-20: shortcut expiry check at 2/3 of 600 s - 10 + 1 = 391 s");

	/* in use: the shortcut is renewed through the NHS, no scripts */
	peer_neigh_event(iface_by_name("gre2"), &nh->proto, true);
	OK(nh->flags & PEER_F_USED, "PEER-21: REACHABLE sets used");
	nup = fx_count("peer-up");
	OK(renewal(sc, 1391.0, "192.168.3.0", 24),
	    "PEER-20: renewal asks for the shortcut's network address");
	sc = fx_find("gre2", "192.168.3.0", 24, PT(PEER_SHORTCUT_ROUTE));
	OK(sc != NULL && peer_is_up(sc) && sc->expire == 1991.0,
	    "PEER-20: renewed: up, expires 600 s after the reply");
	OK(fx_count("route-up") == nroute + 1 && fx_count("route-down") == 0 &&
	    fx_count("peer-up") == nup, "PEER-20: renewal runs no scripts");

	/* PEER-19: the cached entry in use at its check is renewed */
	OK(renewal(nh, 1401.0, "10.254.0.3", 32),
	    "PEER-19: a used cached entry is renewed at its check");
	nh = fx_find("gre2", "10.254.0.3", 32, PT(PEER_CACHED));
	OK(nh != NULL && peer_is_up(nh) && nh->expire == 2001.0 &&
	    fx_count("peer-up") == nup,
	    "PEER-19: renewed without peer-up, expires 600 s later");

	/* PEER-21: a STALE notification clears used */
	peer_neigh_event(iface_by_name("gre2"), &nh->proto, false);
	OK((nh->flags & PEER_F_USED) == 0, "PEER-21: STALE clears used");

	/* SCR-14: losing the next hop takes the shortcut down */
	STR_EQ(fx_ctl("flush protocol 10.254.0.3"),
	    "Status: ok\nEntries-Affected: 1\n", "flush the next hop");
	OK(fx_count("route-down") == 1 && fake_hook_has(
	    fake_last_hook("route-down"), "NHRP_TYPE=shortcut-route "
	    "NHRP_DESTADDR=192.168.3.0 NHRP_DESTPREFIX=24 "
	    "NHRP_NEXTHOP=10.254.0.3"),
	    "SCR-14: route-down when the next hop goes");
	OK(fx_find("gre2", "192.168.3.0", 24, PT(PEER_SHORTCUT_ROUTE)) == NULL,
	    "SCR-14: the shortcut-route is gone with its next hop");

	/* PEER-19: an unused cached entry goes at its expiry */
	core_fake_now = 1500.0;
	OK(resolve("10.254.0.40") != NULL, "incomplete 10.254.0.40");
	resolution_reply("10.254.0.40", "198.51.100.40", 32);
	fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.254.0.40", 0);
	fake_neigh_ack(0);
	c40 = fx_find("gre2", "10.254.0.40", 32, PT(PEER_CACHED));
	OK(c40 != NULL && peer_is_up(c40) && fx_timer_left(c40) == 401.0,
	    "10.254.0.40 cached and up");
	if (c40 == NULL)
		return;
	core_fake_now = 1901.0;
	fx_fire(c40);
	OK((c40->flags & PEER_F_DYING) && fx_timer_left(c40) == 199.0,
	    "PEER-19: unused at its check: removal at the expiry (199 s on)");
	core_fake_now = 2100.0;
	fx_fire(c40);
	OK(fx_find("gre2", "10.254.0.40", 32, PEER_MASK_ALL) == NULL &&
	    fake_hook_has(fake_last_hook("peer-down"),
	    "NHRP_DESTADDR=10.254.0.40 NHRP_PEER_DOWN_REASON=expired"),
	    "PEER-19: unused: removed at expiry with peer-down (expired)");
}

/* a Traffic Indication from 198.51.100.1 (from) to to on ifindex about an
 * ICMP packet from inner_src to inner_dst */
static void
indication(int ifindex, const char *from, const char *to,
    const char *inner_src, const char *inner_dst)
{
	struct nhrp_addr a;
	uint8_t ip[28];

	memset(ip, 0, sizeof(ip));
	ip[0] = 0x45;
	ip[3] = sizeof(ip);
	ip[8] = 63;
	ip[9] = 1;
	a = fx_a(inner_src);
	memcpy(ip + 12, a.addr, 4);
	a = fx_a(inner_dst);
	memcpy(ip + 16, a.addr, 4);
	one_hop(ifindex, NHRP_TRAFFIC_INDICATION, 0, from, to, ip, sizeof(ip));
}

/* PKT-10: a Traffic Indication without "shortcut" is ignored */
static void
test_indication_ignored(void)
{
	size_t npkt = fake.npkt;

	indication(6, "10.254.0.1", "10.254.0.2", "10.254.0.2", "192.168.9.5");
	OK(fake.npkt == npkt &&
	    fx_find("gre2", "192.168.9.5", 32, PEER_MASK_ALL) == NULL,
	    "PKT-10: without shortcut the indication is ignored (no "
	    "resolution, no reply)");
}

/* RDR-05: with shortcut, an indication is acted on only when the
 * original source (its destination) is one of our local entries */
static void
test_indication_shortcut(void)
{
	struct nhrp_addr to;

	indication(7, "10.253.0.1", "10.99.0.1", "10.99.0.1", "192.168.9.6");
	OK(fx_find("gre3", "192.168.9.6", 32, PEER_MASK_ALL) == NULL,
	    "RDR-05: an indication about someone else's packet: no "
	    "resolution");
	fake.npkt = 0;
	indication(7, "10.253.0.1", "10.253.0.2", "10.253.0.2", "10.253.0.77");
	OK(fx_find("gre3", "10.253.0.77", 32, PT(PEER_INCOMPLETE)) != NULL &&
	    asked_for("10.253.0.77", &to) &&
	    strcmp(fx_fmt(&to), "198.51.100.1") == 0,
	    "RDR-05/PKT-10: an indication about our own packet: resolution "
	    "via the NHS");
}

/* MC-02 (multicast nhs) and MC-03 (multicast A.B.C.D) on gre2 */
static void
test_multicast_members(void)
{
	const struct nhrp_addr *m = NULL;
	struct nhrp_peer *d, *e;
	int n;

	if ((d = add_peer("gre2", PEER_DYNAMIC, "10.254.0.77", 32,
	    "203.0.113.77", 9000)) != NULL)
		mcast_peer_changed(d);
	if ((e = add_peer("gre2", PEER_DYNAMIC, "10.254.0.88", 32,
	    "203.0.113.88", 9000)) != NULL)
		mcast_peer_changed(e);
	n = mcast_members(iface_by_name("gre2"), &m);
	OK(n == 2 && strcmp(fx_fmt(&m[0]), "198.51.100.1") == 0 &&
	    strcmp(fx_fmt(&m[1]), "203.0.113.88") == 0,
	    "MC-02/MC-03: members: the up static NHS and the entry of "
	    "\"multicast 10.254.0.88\"");
	OK(d != NULL && !mcast_is_member(d),
	    "MC-02: multicast nhs: a registered dynamic entry is no member");
	d = fx_find("gre2", "10.254.0.22", 32, PT(PEER_CACHED));
	OK(d != NULL && peer_is_up(d) && !mcast_is_member(d),
	    "MC-02: an up cached entry is no member");
}

/* SCR-06: one peer-register per CIE, one CIE at a time */
static void
test_two_cies(void)
{
	struct nhrp_packet p, r;
	struct nhrp_cie *c;
	size_t i;

	fx_req(&p, NHRP_REGISTRATION_REQUEST, 0x8002, 900, "198.51.100.91",
	    "10.255.255.91", "10.255.255.1");
	c = nhrp_cie_list_add(&p.cies);
	c->prefix_len = 0xff;
	c->holding_time = 600;
	c = nhrp_cie_list_add(&p.cies);
	c->prefix_len = 32;
	c->holding_time = 600;
	c->proto = fx_a("10.255.255.92");
	fx_req_exts(&p);
	fake.npkt = 0;
	fx_rx_pkt(5, "198.51.100.91", &p);
	nhrp_packet_clear(&p);
	OK(fake_hook_has(fake_last_hook("peer-register"),
	    "NHRP_DESTADDR=10.255.255.91") && fake.hook[fake.nhook - 1].pending,
	    "SCR-06: peer-register for the first CIE");
	fake_hook_done_match("peer-register", "NHRP_DESTADDR=10.255.255.91", 0);
	OK(!fake_hook_has(fake_last_hook("peer-register"),
	    "NHRP_DESTADDR=10.255.255.92"),
	    "SCR-06: the second CIE waits for the first");
	fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.255.255.91", 0);
	fake_neigh_ack(0);
	OK(fake_hook_has(fake_last_hook("peer-register"),
	    "NHRP_DESTADDR=10.255.255.92 NHRP_DESTNBMA=198.51.100.91"),
	    "SCR-06: then peer-register for the second CIE");
	fake_hook_done_match("peer-register", "NHRP_DESTADDR=10.255.255.92", 0);
	fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.255.255.92", 0);
	fake_neigh_ack(0);
	OK(fake.npkt == 1 && fx_sent(-1, &r, NULL) == 0 &&
	    r.type == NHRP_REGISTRATION_REPLY && r.request_id == 900 &&
	    r.cies.n == 2 && r.cies.cie[0].code == 0 &&
	    r.cies.cie[1].code == 0, "one reply, both CIEs accepted");
	if (fake.npkt == 1)
		nhrp_packet_clear(&r);
	for (i = 91; i <= 92; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.255.255.%zu", i);
		OK(fx_find("gre1", a, 32, PT(PEER_DYNAMIC)) != NULL &&
		    peer_is_up(fx_find("gre1", a, 32, PT(PEER_DYNAMIC))),
		    "a binding per CIE");
	}
}

/* RDR-06: a kernel who-has for an in-NBMA address starts a resolution
 * even without shortcut */
static void
test_who_has(void)
{
	struct nhrp_addr a = fx_a("10.254.0.60");

	fake.npkt = 0;
	peer_neigh_request(iface_by_name("gre2"), &a);
	OK(fx_find("gre2", "10.254.0.60", 32, PT(PEER_INCOMPLETE)) != NULL &&
	    asked_for("10.254.0.60", NULL),
	    "RDR-06: who-has 10.254.0.60 on gre2 (no shortcut): resolution");
}

int
main(void)
{
	struct nhrp_conf *conf;
	struct nhrp_peer *nhs;

	conf = fx_init_src(cfg, 1000.0, "198.51.100.3");
	if (!OK(conf != NULL, "configuration parses"))
		return tap_done();
	fx_three_gre("10.255.255.1", "198.51.100.4");
	{
		struct sysdep_route r;

		memset(&r, 0, sizeof(r));
		r.oif = 6;
		r.dst = fx_a("192.168.2.0");
		r.prefix = 25;
		r.gateway = fx_a("10.254.0.1");
		r.table = 254;
		r.protocol = 3;
		r.type = 1;
		iface_route_event(&r);
		r.dst = fx_a("192.168.0.0");
		r.prefix = 16;
		iface_route_event(&r);
	}
	nhs = fx_find("gre2", "10.254.0.1", 24, PT(PEER_STATIC));
	if (nhs != NULL)
		peer_start(nhs);
	fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.254.0.1", 0);
	fake_neigh_ack(0);
	OK(nhs != NULL && peer_is_up(nhs), "the spoke's NHS is up");

	test_conflicts();
	test_no_cie_and_load();
	test_forward_and_purge();
	test_two_cies();
	test_incomplete();
	test_responder();
	test_cached_peer_up_failure();
	test_shortcut_onto_local();
	test_shortcut_and_renewal();
	test_indication_ignored();
	test_indication_shortcut();
	test_multicast_members();
	test_who_has();
	conf_free(conf);
	return tap_done();
}
