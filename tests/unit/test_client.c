/*
 * test_client.c - the registration client's timing and request ids with
 * the fake kernel/hook layer and fake timers (no wall clock): PEER-03
 * (H/3+1), PEER-04 (timeout -> restart 60-180 s; NAK or Error Indication
 * -> retry 30-90 s), PEER-06 (unexpected NHS address -> restart), PKT-04
 * (cisco request-id = djb2 of the own IPv4 address, reused by the code-14
 * purge; otherwise ids increase from 1), PKT-22 (6 transmissions 5 s
 * apart, then timeout), SCR-08 for a static entry (peer-up failure ->
 * retry after 60-180 s), PEER-25 (dynamic-nhs discovery through the
 * subnet broadcast), CTL-16 (update nbma moves it and registers again),
 * SCR-02 (interface-up on down -> up) and PEER-28 (a GRE key change
 * purges the interface's entries), KRN-09 (link deletion and
 * re-creation), PEER-02 (static without register) and KRN-07 (own
 * NBMA from the route's preferred source).
 *
 * Timers are read with ev_timer_remaining() right after they are armed
 * (the loop never runs, so its clock stands still) and fired with
 * ev_invoke(), as the loop would.
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "addr.h"
#include "packet.h"
#include "nhrp/conf.h"
#include "nhrp/core.h"
#include "nhrp/iface.h"
#include "nhrp/packet_io.h"
#include "nhrp/peer.h"
#include "nhrp/sysdep.h"
#include "tests/tap.h"
#include "tests/unit/fake_sysdep.h"
#include "tests/unit/fixture.h"

static const char cfg[] =
    "interface gre1\n"
    " holding-time 600\n"
    " map 10.255.255.1/24 198.51.100.1 register cisco\n"
    "interface gre2\n"
    " holding-time 600\n"
    " map 10.254.0.1/24 198.51.100.9 register\n"
    " map 10.254.0.50/32 198.51.100.50\n"
    "interface gre3\n"
    " map 10.253.0.1/24 198.51.100.60 register\n";

static int
in_range(double v, double lo, double hi)
{
	return v >= lo && v <= hi;
}

/* the request id as the bytes of the n-th packet sent carry it */
static uint32_t
wire_id(int n)
{
	const uint8_t *b;

	if (n < 0)
		n += (int)fake.npkt;
	if (n < 0 || (size_t)n >= fake.npkt)
		return 0;
	b = fake.pkt[n].buf;
	return (uint32_t)b[24] << 24 | (uint32_t)b[25] << 16 |
	    (uint32_t)b[26] << 8 | b[27];
}

/* a reply to the last packet sent, with CIE code and destination */
static void
reply(int ifindex, const char *from, uint8_t code, const char *dst)
{
	struct nhrp_packet req;

	if (fx_sent(-1, &req, NULL) != 0)
		return;
	req.type = NHRP_REGISTRATION_REPLY;
	if (req.cies.n > 0)
		req.cies.cie[0].code = code;
	if (dst != NULL)
		req.dst_proto = fx_a(dst);
	fx_rx_pkt(ifindex, from, &req);
	nhrp_packet_clear(&req);
}

/* an Error Indication from the NHS about the last packet sent */
static void
error_indication(int ifindex, const char *from, const char *nhs,
    const char *me, uint16_t code)
{
	struct nhrp_packet ei;
	struct fake_pkt *f = &fake.pkt[fake.npkt - 1];

	nhrp_packet_init(&ei, NHRP_ERROR_INDICATION);
	ei.hop_count = 1;
	ei.error_code = code;
	ei.src_nbma = fx_a(from);
	ei.src_proto = fx_a(nhs);
	ei.dst_proto = fx_a(me);
	if ((ei.payload = malloc(f->len)) != NULL) {
		memcpy(ei.payload, f->buf, f->len);
		ei.payload_len = f->len;
	}
	nhrp_packet_ext_add(&ei, NHRP_EXT_FORWARD_TRANSIT, true);
	fx_rx_pkt(ifindex, from, &ei);
	nhrp_packet_clear(&ei);
}

static uint32_t
djb2_ipv4(const uint8_t a[4])
{
	uint32_t h = 5381;
	int i;

	for (i = 0; i < 4; i++)
		h = h * 33 + a[i];
	return h;
}

static void
test_static_peer_up_failure(void)
{
	struct nhrp_peer *p = fx_find("gre2", "10.254.0.50", 32,
	    PT(PEER_STATIC));
	size_t nneigh = fake.nneigh;

	OK(fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.254.0.50", 1) >= 0,
	    "SCR-08: peer-up of the static map fails");
	OK(p != NULL && p->timer_fn == peer_start &&
	    in_range(fx_timer_left(p), 60, 180),
	    "SCR-08: static entry restarts after 60-180 s");
	INT_EQ(fake.nneigh, nneigh, "SCR-08: no neighbour entry after failure");
	OK(p != NULL && (p->flags & (PEER_F_LOWER_UP | PEER_F_UP)) == 0,
	    "SCR-08: neither lower-up nor up");
	if (p != NULL) {
		fx_fire(p);
		OK(fake_last_hook("peer-up") != NULL && fake_hook_has(
		    fake_last_hook("peer-up"), "NHRP_DESTADDR=10.254.0.50") &&
		    fake.hook[fake.nhook - 1].pending,
		    "SCR-08: the restart runs peer-up again");
		fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.254.0.50", 0);
		fake_neigh_ack(0);
		OK((p->flags & PEER_F_UP) != 0, "static map up after the retry");
		OK(fake.nneigh > 0 && !fake.neigh[fake.nneigh - 1].failed &&
		    strcmp(fx_fmt(&fake.neigh[fake.nneigh - 1].proto),
		    "10.254.0.50") == 0 &&
		    strcmp(fx_fmt(&fake.neigh[fake.nneigh - 1].nbma),
		    "198.51.100.50") == 0,
		    "PEER-02: neighbour 10.254.0.50 -> 198.51.100.50 injected");
		OK(p->expire == 0 && fx_timer_left(p) < 0,
		    "PEER-02: a static entry without register never expires");
	}
}

static void
test_plain(void)
{
	struct nhrp_packet pkt;
	struct nhrp_peer *nhs = fx_find("gre2", "10.254.0.1", 24,
	    PT(PEER_STATIC));
	size_t npkt, nup, i, ndown;
	double lo = 1e9, hi = -1, first = -1;
	int distinct = 0;
	uint32_t id;
	int ok;

	if (nhs == NULL) {
		OK(0, "the gre2 NHS entry exists");
		return;
	}
	fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.254.0.1", 0);
	npkt = fake.npkt;
	fake_neigh_ack(0);
	INT_EQ(fake.npkt, npkt + 1, "registration sent after the neighbour ACK");
	INT_EQ(wire_id(-1), 1, "PKT-04: the first request id is 1");
	OK(nhs->req != NULL && nhs->req->timer.repeat == 5.0 &&
	    ev_timer_remaining(nhrp_loop, &nhs->req->timer) == 5.0,
	    "PKT-22: retransmission every 5 s");

	/* success: up, Purge of local routes, refresh after H/3+1 */
	reply(6, "198.51.100.9", 0, NULL);
	OK(peer_is_up(nhs), "registered: up");
	INT_EQ(wire_id(-1), 2, "PKT-04: the Purge (of local routes) takes id 2");
	OK(nhs->timer_fn != NULL && nhs->timer_fn != peer_start &&
	    fx_timer_left(nhs) == 201.0,
	    "PEER-03: re-registration after H/3+1 = 201 s");
	nup = fx_count("peer-up");
	npkt = fake.npkt;
	fx_fire(nhs);
	INT_EQ(fake.npkt, npkt + 1, "refresh sent");
	INT_EQ(wire_id(-1), 3, "PKT-04: the refresh takes id 3");

	/* PKT-22: 6 transmissions 5 s apart, then timeout */
	ok = 1;
	for (i = 0; i < 5 && nhs->req != NULL; i++) {
		fx_fire_timer(&nhs->req->timer);
		ok &= fake.npkt == npkt + 2 + i &&
		    fake.pkt[fake.npkt - 1].len == fake.pkt[npkt].len &&
		    memcmp(fake.pkt[fake.npkt - 1].buf, fake.pkt[npkt].buf,
		    fake.pkt[npkt].len) == 0;
	}
	OK(ok && i == 5, "PKT-22: 5 retransmissions of the same bytes");
	ndown = fx_count("nhs-down");
	OK(nhs->req != NULL, "still waiting after the 6th transmission");
	if (nhs->req != NULL)
		fx_fire_timer(&nhs->req->timer);
	INT_EQ(fake.npkt, npkt + 6, "PKT-22: no 7th transmission");
	OK(nhs->req == NULL, "PKT-22: the request timed out");
	OK(nhs->timer_fn == peer_start && in_range(fx_timer_left(nhs), 60, 180),
	    "PEER-04: timeout: restart after 60-180 s");
	/* decided (dead NHS detection): nhs-down, up cleared, lower-up kept */
	OK(fx_count("nhs-down") == ndown + 1 && fake_hook_has(
	    fake_last_hook("nhs-down"), "NHRP_DESTADDR=10.254.0.1"),
	    "PEER-04 (decided): timeout runs nhs-down");
	OK((nhs->flags & (PEER_F_UP | PEER_F_LOWER_UP)) == PEER_F_LOWER_UP,
	    "PEER-04 (decided): up cleared, lower-up kept");
	npkt = fake.npkt;
	fx_fire(nhs);
	INT_EQ(fx_count("peer-up"), nup, "PEER-04: the restart skips peer-up");
	INT_EQ(fake.npkt, npkt + 1, "PEER-04: the restart registers at once");
	INT_EQ(wire_id(-1), 4, "PKT-04: the next request takes id 4");
	reply(6, "198.51.100.9", 0, NULL);
	OK(peer_is_up(nhs), "up again after the next reply");

	/* NAK (CIE code 4): retry after 30-90 s, the entry stays up */
	for (i = 0; i < 12; i++) {
		fx_fire(nhs);
		reply(6, "198.51.100.9", NHRP_CODE_ADMIN_PROHIBITED, NULL);
		if (nhs->timer_fn != peer_start || !peer_is_up(nhs))
			break;
		double t = fx_timer_left(nhs);
		if (t < lo)
			lo = t;
		if (t > hi)
			hi = t;
		if (first < 0)
			first = t;
		else if (t != first)
			distinct = 1;
	}
	OK(i == 12, "PEER-04: NAK: restart scheduled, entry still up (12x)");
	OK(lo >= 30 && hi <= 90, "PEER-04: NAK: every retry within 30-90 s");
	OK(distinct, "PEER-04: NAK: the retry interval is jittered");

	/* an Error Indication about the request: 30-90 s, still up */
	npkt = fake.npkt;
	fx_fire(nhs);
	OK(fake.npkt == npkt + 1 && fx_sent(-1, &pkt, NULL) == 0 &&
	    pkt.type == NHRP_REGISTRATION_REQUEST, "registration sent");
	id = pkt.request_id;
	nhrp_packet_clear(&pkt);
	error_indication(6, "198.51.100.9", "10.254.0.1", "10.254.0.2",
	    NHRP_ERR_PROTOCOL_UNREACHABLE);
	OK(nhs->req == NULL, "the Error Indication completed the request");
	OK(nhs->timer_fn == peer_start && in_range(fx_timer_left(nhs), 30, 90),
	    "PEER-04: Error Indication: retry after 30-90 s");
	OK(peer_is_up(nhs), "PEER-04: Error Indication: the entry stays up");

	/* PEER-06: a reply from another protocol address */
	fx_fire(nhs);
	OK(fx_sent(-1, &pkt, NULL) == 0 && pkt.request_id == id + 1,
	    "PKT-04: ids keep increasing");
	nhrp_packet_clear(&pkt);
	reply(6, "198.51.100.9", 0, "10.254.0.7");
	OK(nhs->timer_fn == peer_start && in_range(fx_timer_left(nhs), 60, 180),
	    "PEER-06: unexpected NHS protocol address change: restart "
	    "after 60-180 s");
	OK(nhrp_addr_equal(&nhs->proto, &(struct nhrp_addr){0}) == 0 &&
	    strcmp(fx_fmt(&nhs->proto), "10.254.0.1") == 0,
	    "PEER-06: the static entry keeps its address");
}

static void
test_cisco(void)
{
	static const uint8_t me[4] = { 10, 255, 255, 2 };
	struct nhrp_packet pkt;
	struct nhrp_peer *nhs = fx_find("gre1", "10.255.255.1", 24,
	    PT(PEER_STATIC));
	uint32_t h = djb2_ipv4(me), wire;
	const uint8_t *b;

	INT_EQ(h, 0x7c66e8ef, "djb2(10.255.255.2) = 0x7c66e8ef (spec 6.4)");
	if (nhs == NULL) {
		OK(0, "the gre1 NHS entry exists");
		return;
	}
	fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.255.255.1", 0);
	fake_neigh_ack(0);
	b = fake.pkt[fake.npkt - 1].buf;
	OK(fake.pkt[fake.npkt - 1].len > 28 && b[17] ==
	    NHRP_REGISTRATION_REQUEST && b[24] == 0xef && b[25] == 0xe8 &&
	    b[26] == 0x66 && b[27] == 0x7c,
	    "PKT-04: cisco request-id on the wire: ef e8 66 7c");
	wire = wire_id(-1);
	reply(5, "198.51.100.1", 0, NULL);
	OK(peer_is_up(nhs), "cisco NHS registered");
	fx_fire(nhs);
	OK(wire_id(-1) == wire && fake.pkt[fake.npkt - 1].buf[17] ==
	    NHRP_REGISTRATION_REQUEST, "PKT-04: the refresh keeps the cisco id");
	reply(5, "198.51.100.1", NHRP_CODE_UNIQUE_ADDRESS_REGISTERED, NULL);
	OK(fx_sent(-1, &pkt, NULL) == 0 && pkt.type == NHRP_PURGE_REQUEST &&
	    pkt.flags == NHRP_FLAG_PURGE_N && pkt.request_id == wire &&
	    pkt.cies.n == 1 && pkt.cies.cie[0].prefix_len == 0xff &&
	    strcmp(fx_fmt(&pkt.cies.cie[0].proto), "10.255.255.2") == 0,
	    "PKT-04: the code-14 Purge (N, own address) reuses the cisco id");
	nhrp_packet_clear(&pkt);
	OK(nhs->timer_fn != NULL && nhs->timer_fn != peer_start &&
	    fx_timer_left(nhs) == 2.0, "PEER-05: re-register 2 s later");
}


/* PEER-25: a dynamic-nhs entry on its network address registers to the
 * subnet broadcast and learns the NHS address from the reply; CTL-16:
 * "update nbma" moves it and registers again */
static void
test_dynamic_nhs(void)
{
	struct nhrp_packet req;
	struct nhrp_addr to;
	struct nhrp_peer *p;
	size_t npkt;

	if ((p = peer_new(iface_by_name("gre2"), PEER_DYNAMIC_NHS)) == NULL)
		return;
	p->proto = fx_a("10.254.0.0");
	p->prefix = 24;
	p->nbma = fx_a("198.51.100.77");
	p->flags |= PEER_F_REGISTER;
	peer_insert(p);
	peer_start(p);
	OK(fake_hook_done_match("peer-up", "NHRP_TYPE=dynamic-nhs "
	    "NHRP_DESTNBMA=198.51.100.77", 0) >= 0, "dynamic-nhs: peer-up");
	npkt = fake.npkt;
	fake_neigh_ack(0);
	OK(fake.npkt == npkt + 1 && fx_sent(-1, &req, &to) == 0 &&
	    req.type == NHRP_REGISTRATION_REQUEST &&
	    strcmp(fx_fmt(&to), "198.51.100.77") == 0 &&
	    strcmp(fx_fmt(&req.dst_proto), "10.254.0.255") == 0,
	    "PEER-25: registration to the subnet broadcast, sent to the NBMA");
	INT_EQ(req.hop_count, 1, "PEER-25: hop count 1 (decided: Cisco drops "
	    "hop 0)");
	nhrp_packet_clear(&req);
	reply(6, "198.51.100.77", 0, "10.254.0.7");
	OK(peer_is_up(p) && strcmp(fx_fmt(&p->proto), "10.254.0.7") == 0 &&
	    p->prefix == 24, "PEER-25: the NHS address 10.254.0.7 learnt from "
	    "the reply, prefix kept");
	STR_EQ(fx_ctl("update nbma 198.51.100.77 10.254.0.9"),
	    "Status: ok\nEntries-Affected: 1\n", "CTL-16: update nbma");
	OK(strcmp(fx_fmt(&p->proto), "10.254.0.9") == 0 &&
	    fx_sent(-1, &req, &to) == 0 &&
	    req.type == NHRP_REGISTRATION_REQUEST &&
	    strcmp(fx_fmt(&req.dst_proto), "10.254.0.9") == 0 &&
	    strcmp(fx_fmt(&to), "198.51.100.77") == 0,
	    "CTL-16: moved to 10.254.0.9 and registering there");
	nhrp_packet_clear(&req);
	STR_EQ(fx_ctl("update nbma 198.51.100.77 10.9.9.9"),
	    "Status: ok\nEntries-Affected: 1\n",
	    "CTL-16: a move outside the prefix is counted");
	OK(strcmp(fx_fmt(&p->proto), "10.254.0.9") == 0,
	    "CTL-16: ... and refused");
}

/* whether a hook of event with every word of want ran since index from */
static int
hook_since(size_t from, const char *event, const char *want)
{
	size_t i;

	for (i = from; i < fake.nhook; i++)
		if (strcmp(fake.hook[i].event, event) == 0 &&
		    fake_hook_has(&fake.hook[i], want))
			return 1;
	return 0;
}

/* SCR-02: interface-up on each down->up transition; PEER-28: a GRE key
 * change purges the interface's entries (static: restart after 5 s) */
static void
test_iface_events(void)
{
	struct sysdep_link l;
	struct nhrp_peer *p = fx_find("gre2", "10.254.0.50", 32,
	    PT(PEER_STATIC));
	size_t nifup = fx_count("interface-up"), nhook;

	memset(&l, 0, sizeof(l));
	l.ifindex = 6;
	snprintf(l.name, sizeof(l.name), "gre2");
	l.mtu = 1476;
	l.type = 778;
	l.is_gre = true;
	l.gre_local = fx_a("198.51.100.3");
	iface_link_event(&l);
	INT_EQ(fx_count("interface-up"), nifup, "SCR-02: no interface-up "
	    "while down");
	fx_link(6, "gre2", 1476, 1, 0, "198.51.100.3", 0);
	OK(fx_count("interface-up") == nifup + 1 && fake_hook_has(
	    fake_last_hook("interface-up"), "NHRP_TYPE=INTERFACE "
	    "NHRP_INTERFACE=gre2 NHRP_GRE_KEY=0"),
	    "SCR-02: interface-up again after down -> up");
	OK(p != NULL && peer_is_up(p), "static 10.254.0.50 up before");
	nhook = fake.nhook;
	fx_link(6, "gre2", 1476, 1, 99, "198.51.100.3", 0);
	OK(fx_count("interface-up") == nifup + 1,
	    "no interface-up for a change while up");
	OK(p != NULL && !peer_is_up(p) && p->timer_fn == peer_start &&
	    fx_timer_left(p) == 5.0,
	    "PEER-28: GRE key change: the static entry restarts after 5 s");
	OK(hook_since(nhook, "peer-down", "NHRP_TYPE=static "
	    "NHRP_DESTADDR=10.254.0.50 NHRP_PEER_DOWN_REASON=user-request"),
	    "PEER-28: peer-down user-request for the purged static entry");
	OK(fx_find("gre2", "10.254.0.9", 24, PT(PEER_DYNAMIC_NHS)) != NULL &&
	    !peer_is_up(fx_find("gre2", "10.254.0.9", 24,
	    PT(PEER_DYNAMIC_NHS))), "PEER-28: the dynamic-nhs entry purged too");
	OK(strstr(fx_ctl("interface show"), "GRE-Key: 99\n") != NULL,
	    "interface show: the new GRE key");

	/* KRN-09: deletion clears index, NBMA and protocol address */
	l.deleted = true;
	l.flags = IFF_UP;
	iface_link_event(&l);
	OK(strstr(fx_ctl("interface show"), "Interface: gre2\nIndex: 0\n"
	    "Flags: configured\nHolding-Time: 600\nRoute-Table: 254\n"
	    "GRE-Key: 99\nMTU: 1476\n\n") != NULL,
	    "KRN-09: deleted link: Index 0, no Protocol-Address, no NBMA");
	fx_link(6, "gre2", 1476, 1, 99, "198.51.100.3", 0);
	OK(fx_count("interface-up") == nifup + 2 && fake_hook_has(
	    fake_last_hook("interface-up"), "NHRP_INTERFACE=gre2 "
	    "NHRP_GRE_KEY=99"), "KRN-09: re-created link: interface-up again");
}

/* KRN-07: a GRE without local or link: the own NBMA towards the NHS is
 * the route's preferred source */
static void
test_route_hint(void)
{
	struct nhrp_packet req;
	struct nhrp_addr to;
	const char *out;

	fake.npkt = 0;
	fake_hook_done_match("peer-up", "NHRP_DESTADDR=10.253.0.1", 0);
	fake_neigh_ack(0);
	OK(fx_sent(-1, &req, &to) == 0 &&
	    req.type == NHRP_REGISTRATION_REQUEST &&
	    strcmp(fx_fmt(&to), "198.51.100.60") == 0 &&
	    strcmp(fx_fmt(&req.src_nbma), "198.51.100.2") == 0,
	    "KRN-07: no local/link: source NBMA = the route's preferred "
	    "source");
	nhrp_packet_clear(&req);
	out = fx_ctl("interface show");
	OK(strstr(out, "Interface: gre3\nIndex: 7\n"
	    "Protocol-Address: 10.253.0.2/24\nFlags: configured\n"
	    "Holding-Time: 7200\nRoute-Table: 254\nGRE-Key: 0\nMTU: 1476\n\n")
	    != NULL, "KRN-07: interface show: no NBMA-Address without "
	    "local or link");
}

int
main(void)
{
	struct nhrp_conf *conf;

	conf = fx_init_src(cfg, 1000.0, "198.51.100.2");
	if (!OK(conf != NULL, "configuration parses"))
		return tap_done();
	fx_three_gre("10.255.255.2", NULL);
	iface_start_peers();
	INT_EQ(fx_count("peer-up"), 4, "peer-up for the four maps");

	test_plain();
	test_static_peer_up_failure();
	test_cisco();
	test_dynamic_nhs();
	test_iface_events();
	test_route_hint();
	conf_free(conf);
	return tap_done();
}
