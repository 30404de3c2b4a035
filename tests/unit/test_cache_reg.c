/*
 * test_cache_reg.c - the registration state machines with built packets
 * and the fake kernel/hook layer: the NHS side (6.6: hooks, neighbour
 * with ACK, reply, unique bit, conflicts, failures, FRR form, purge
 * owner check) and the client side (6.4 wire form, reply handling,
 * nhs-up, Purge of local routes, code 14).
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "addr.h"
#include "packet.h"
#include "nhrp/admin.h"
#include "nhrp/cache.h"
#include "nhrp/conf.h"
#include "nhrp/core.h"
#include "nhrp/ctl.h"
#include "nhrp/iface.h"
#include "nhrp/packet_io.h"
#include "nhrp/peer.h"
#include "tests/tap.h"
#include "tests/unit/fake_sysdep.h"

static struct nhrp_addr
A(const char *s)
{
	struct nhrp_addr a;

	if (nhrp_addr_parse(s, &a, 0, NULL) != 0)
		memset(&a, 0, sizeof(a));
	return a;
}

static char *
fmt(const struct nhrp_addr *a)
{
	static char buf[4][NHRP_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	if (a->afn == NHRP_AFN_NONE)
		return strcpy(buf[i], "-");
	return nhrp_addr_format(a, buf[i], NHRP_ADDRSTRLEN);
}

static char *
ctl(enum admin_cmd cmd, const char *args)
{
	static struct admin_out out;

	free(out.buf);
	memset(&out, 0, sizeof(out));
	ctl_handler(NULL, cmd, args, &out);
	admin_printf(&out, "%s", "");
	return out.buf != NULL ? out.buf : "";
}

static size_t
regreq(uint8_t *buf, size_t size, const char *nbma, const char *src,
    const char *dst, uint32_t id, uint16_t flags, uint16_t hold,
    int transit)
{
	struct nhrp_packet p;
	struct nhrp_cie *c;
	struct nhrp_ext *e;
	ssize_t n;

	nhrp_packet_init(&p, NHRP_REGISTRATION_REQUEST);
	p.hop_count = 16;
	p.flags = flags;
	p.request_id = id;
	p.src_nbma = A(nbma);
	p.src_proto = A(src);
	p.dst_proto = A(dst);
	c = nhrp_cie_list_add(&p.cies);
	c->prefix_len = 0xff;
	c->holding_time = hold;
	e = nhrp_packet_ext_add(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	if (transit) {
		c = nhrp_cie_list_add(&e->cies);
		c->nbma = A("198.51.100.77");
		c->proto = A("10.255.255.77");
	}
	nhrp_packet_ext_add(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_RESPONDER, true);
	e = nhrp_packet_ext_add(&p, NHRP_EXT_NAT_ADDRESS, false);
	c = nhrp_cie_list_add(&e->cies);
	c->prefix_len = 32;
	c->nbma = A("198.51.100.1");
	c->proto = A(dst);
	n = nhrp_packet_build(&p, buf, size);
	nhrp_packet_clear(&p);
	return n > 0 ? (size_t)n : 0;
}

static void
rx(int ifindex, const char *outer, const uint8_t *buf, size_t len)
{
	struct nhrp_addr o = A(outer);

	packet_receive(ifindex, &o, buf, len);
}

/* parses the last packet sent */
static int
last_sent(struct nhrp_packet *p, struct nhrp_addr *to)
{
	struct fake_pkt *f;

	if (fake.npkt == 0)
		return -1;
	f = &fake.pkt[fake.npkt - 1];
	if (to != NULL)
		*to = f->dst;
	return nhrp_packet_parse(f->buf, f->len, p, NULL);
}

static void
test_server(void)
{
	struct nhrp_packet rep;
	struct nhrp_addr to;
	const struct nhrp_ext *e;
	uint8_t buf[1024];
	size_t len, npkt;
	char *out;

	/* a first registration: peer-register, peer-up, neighbour, reply */
	len = regreq(buf, sizeof(buf), "198.51.100.2", "10.255.255.2",
	    "10.255.255.1", 1, 0x8002, 60, 0);
	rx(5, "198.51.100.2", buf, len);
	OK(fake_hook_has(fake_last_hook("peer-register"),
	    "NHRP_TYPE=dynamic NHRP_SRCADDR=10.255.255.1 "
	    "NHRP_SRCNBMA=198.51.100.1 NHRP_DESTADDR=10.255.255.2 "
	    "NHRP_DESTPREFIX=32 NHRP_DESTNBMA=198.51.100.2 "
	    "NHRP_INTERFACE=gre1 NHRP_GRE_KEY=1234"),
	    "peer-register with the registrant's variables");
	INT_EQ(fake.npkt, 0, "no reply before the hooks finished");
	rx(5, "198.51.100.2", buf, len);
	INT_EQ(fake.nhook, 2, "a retransmission in progress is ignored "
	    "(interface-up + one peer-register)");
	fake_hook_done(0);
	OK(fake_hook_has(fake_last_hook("peer-up"),
	    "NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.2"), "peer-up runs");
	INT_EQ(fake.npkt, 0, "no reply before peer-up finished");
	fake_hook_done(0);
	OK(fake.nneigh == 1 && !fake.neigh[0].failed &&
	    nhrp_addr_equal(&fake.neigh[0].nbma, &(struct nhrp_addr){0}) == 0 &&
	    strcmp(fmt(&fake.neigh[0].proto), "10.255.255.2") == 0 &&
	    strcmp(fmt(&fake.neigh[0].nbma), "198.51.100.2") == 0,
	    "neighbour 10.255.255.2 -> 198.51.100.2 requested");
	INT_EQ(fake.npkt, 0, "no reply before the neighbour ACK");
	fake_neigh_ack(0);
	INT_EQ(fake.npkt, 1, "reply sent after the ACK");
	OK(last_sent(&rep, &to) == 0, "the reply parses");
	INT_EQ(rep.type, NHRP_REGISTRATION_REPLY, "type 4");
	INT_EQ(rep.request_id, 1, "request id kept");
	INT_EQ(rep.flags, 0x8002, "flags U|NAT kept");
	INT_EQ(rep.hop_count, 16, "hop 16");
	STR_EQ(fmt(&to), "198.51.100.2", "sent to the registrant's NBMA");
	STR_EQ(fmt(&rep.src_proto), "10.255.255.2", "source kept");
	STR_EQ(fmt(&rep.dst_proto), "10.255.255.1", "destination kept");
	OK(rep.cies.n == 1 && rep.cies.cie[0].code == 0 &&
	    rep.cies.cie[0].prefix_len == 0xff &&
	    rep.cies.cie[0].holding_time == 60, "CIE echoed with code 0");
	e = nhrp_packet_ext_find_const(&rep, NHRP_EXT_RESPONDER);
	OK(e != NULL && e->cies.n == 1 && e->cies.cie[0].holding_time == 60 &&
	    strcmp(fmt(&e->cies.cie[0].nbma), "198.51.100.1") == 0 &&
	    strcmp(fmt(&e->cies.cie[0].proto), "10.255.255.1") == 0 &&
	    e->cies.cie[0].prefix_len == 0, "Responder filled");
	e = nhrp_packet_ext_find_const(&rep, NHRP_EXT_NAT_ADDRESS);
	OK(e != NULL && e->cies.n == 1, "no NAT CIE appended without NAT");
	nhrp_packet_clear(&rep);
	out = ctl(ADMIN_CMD_SHOW, " protocol 10.255.255.2");
	STR_EQ(out, "Status: ok\n\nInterface: gre1\nType: dynamic\n"
	    "Protocol-Address: 10.255.255.2/32\nNBMA-Address: 198.51.100.2\n"
	    "Flags: up\nExpires-In: 1:00\n\n", "show: the dynamic entry");

	/* refresh: peer-register again, no peer-up, reply at once */
	len = regreq(buf, sizeof(buf), "198.51.100.2", "10.255.255.2",
	    "10.255.255.1", 3, 0x8002, 60, 0);
	rx(5, "198.51.100.2", buf, len);
	STR_EQ(fake.hook[fake.nhook - 1].event, "peer-register",
	    "refresh runs peer-register");
	fake_hook_done(0);
	INT_EQ(fake.npkt, 2, "refresh answered at once");
	STR_EQ(fake.hook[fake.nhook - 1].event, "peer-register",
	    "no peer-up on refresh");

	/* the unique bit: another NBMA for the same address gets code 14 */
	npkt = fake.npkt;
	len = regreq(buf, sizeof(buf), "198.51.100.66", "10.255.255.2",
	    "10.255.255.1", 9, 0x0002, 60, 0);
	rx(5, "198.51.100.66", buf, len);
	INT_EQ(fake.npkt, npkt + 1, "answered without hooks");
	OK(last_sent(&rep, &to) == 0 && rep.cies.n == 1 &&
	    rep.cies.cie[0].code == NHRP_CODE_UNIQUE_ADDRESS_REGISTERED,
	    "code 14 for a unique binding held by another NBMA");
	nhrp_packet_clear(&rep);

	/* the hub's own address: code 4, no hook */
	npkt = fake.npkt;
	len = regreq(buf, sizeof(buf), "198.51.100.3", "10.255.255.1",
	    "10.255.255.1", 10, 0x8002, 60, 0);
	rx(5, "198.51.100.3", buf, len);
	OK(last_sent(&rep, &to) == 0 && fake.npkt == npkt + 1 &&
	    rep.cies.n == 1 && rep.cies.cie[0].code == 4,
	    "registering the hub's own address: code 4");
	nhrp_packet_clear(&rep);

	/* peer-register fails: code 4, no entry */
	len = regreq(buf, sizeof(buf), "198.51.100.4", "10.255.255.4",
	    "10.255.255.1", 11, 0x8002, 60, 0);
	rx(5, "198.51.100.4", buf, len);
	fake_hook_done(1);
	OK(last_sent(&rep, &to) == 0 && rep.request_id == 11 &&
	    rep.cies.cie[0].code == 4, "peer-register failure: code 4");
	nhrp_packet_clear(&rep);
	out = ctl(ADMIN_CMD_SHOW, " protocol 10.255.255.4");
	STR_EQ(out, "Status: ok\n\n", "no entry after a refused registration");

	/* the neighbour cannot be installed: code 5 */
	len = regreq(buf, sizeof(buf), "198.51.100.5", "10.255.255.5",
	    "10.255.255.1", 12, 0x8002, 60, 0);
	rx(5, "198.51.100.5", buf, len);
	fake_hook_done(0);
	fake_hook_done(0);
	fake_neigh_ack(-ENOMEM);
	OK(last_sent(&rep, &to) == 0 && rep.request_id == 12 &&
	    rep.cies.cie[0].code == 5, "neighbour failure: code 5");
	nhrp_packet_clear(&rep);
	OK(fake_hook_has(fake_last_hook("peer-down"), "NHRP_DESTADDR=10.255.255.5"),
	    "peer-down for the binding that could not be installed");

	/* FRR form: destination = the registrant itself, straight from it */
	len = regreq(buf, sizeof(buf), "198.51.100.6", "10.255.255.6",
	    "10.255.255.6", 13, 0x0002, 60, 0);
	rx(5, "198.51.100.6", buf, len);
	fake_hook_done(0);
	fake_hook_done(0);
	fake_neigh_ack(0);
	OK(last_sent(&rep, &to) == 0 && rep.request_id == 13 &&
	    rep.cies.cie[0].code == 0 &&
	    strcmp(fmt(&rep.dst_proto), "10.255.255.1") == 0,
	    "FRR form accepted, destination rewritten to the hub");
	nhrp_packet_clear(&rep);

	/* NAT: the outer source differs from the claimed NBMA */
	len = regreq(buf, sizeof(buf), "192.168.100.2", "10.255.255.7",
	    "10.255.255.1", 14, 0x8002, 60, 0);
	rx(5, "198.51.100.10", buf, len);
	fake_hook_done(0);
	OK(fake_hook_has(fake_last_hook("peer-up"),
	    "NHRP_DESTNBMA=198.51.100.10 NHRP_DESTNBMA_NAT_OA=192.168.100.2"),
	    "NAT: entry under the outer address, NAT-OA = the claimed one");
	fake_hook_done(0);
	fake_neigh_ack(0);
	OK(last_sent(&rep, &to) == 0 && rep.request_id == 14 &&
	    strcmp(fmt(&to), "198.51.100.10") == 0, "NAT: reply to the outer "
	    "address");
	e = nhrp_packet_ext_find_const(&rep, NHRP_EXT_NAT_ADDRESS);
	OK(e != NULL && e->cies.n == 2 &&
	    strcmp(fmt(&e->cies.cie[1].nbma), "198.51.100.10") == 0 &&
	    strcmp(fmt(&e->cies.cie[1].proto), "10.255.255.7") == 0,
	    "NAT: CIE {outer, source proto} appended");
	nhrp_packet_clear(&rep);

	/* a binding from another NBMA without U replaces it: peer-down first */
	len = regreq(buf, sizeof(buf), "198.51.100.8", "10.255.255.6",
	    "10.255.255.1", 15, 0x0002, 60, 0);
	rx(5, "198.51.100.8", buf, len);
	fake_hook_done(0);
	OK(fake_hook_has(fake_last_hook("peer-down"),
	    "NHRP_DESTADDR=10.255.255.6 NHRP_DESTNBMA=198.51.100.6"),
	    "replaced binding: peer-down for the old NBMA");
	fake_hook_done(0);
	fake_neigh_ack(0);
	out = ctl(ADMIN_CMD_SHOW, " protocol 10.255.255.6");
	OK(strstr(out, "NBMA-Address: 198.51.100.8") != NULL &&
	    strstr(out, "198.51.100.6") == NULL, "the new binding replaced it");

	/* purge from a third node is ignored; from the owner it removes */
	{
		struct nhrp_packet pr;
		struct nhrp_cie *c;
		ssize_t n;

		nhrp_packet_init(&pr, NHRP_PURGE_REQUEST);
		pr.hop_count = 16;
		pr.flags = NHRP_FLAG_PURGE_N;
		pr.src_nbma = A("198.51.100.99");
		pr.src_proto = A("10.255.255.99");
		pr.dst_proto = A("10.255.255.1");
		c = nhrp_cie_list_add(&pr.cies);
		c->prefix_len = 0xff;
		c->proto = A("10.255.255.2");
		n = nhrp_packet_build(&pr, buf, sizeof(buf));
		rx(5, "198.51.100.99", buf, (size_t)n);
		out = ctl(ADMIN_CMD_SHOW, " protocol 10.255.255.2");
		OK(strstr(out, "Type: dynamic") != NULL,
		    "purge from a non-owner ignored");
		pr.src_nbma = A("198.51.100.2");
		pr.src_proto = A("10.255.255.2");
		n = nhrp_packet_build(&pr, buf, sizeof(buf));
		rx(5, "198.51.100.2", buf, (size_t)n);
		out = ctl(ADMIN_CMD_SHOW, " protocol 10.255.255.2");
		STR_EQ(out, "Status: ok\n\n", "purge (prefix 0xff) from the "
		    "owner removes the binding");
		nhrp_packet_clear(&pr);
	}

	/* registration via a transit NHS is not ours: not answered here */
	npkt = fake.npkt;
	len = regreq(buf, sizeof(buf), "198.51.100.9", "10.255.255.9",
	    "10.255.255.200", 16, 0x8002, 60, 1);
	rx(5, "198.51.100.77", buf, len);
	OK(fake.nhook == 0 || strcmp(fake.hook[fake.nhook - 1].event,
	    "peer-register") != 0 || !fake.hook[fake.nhook - 1].pending,
	    "a forwarded registration for someone else is not processed");

	/* bad checksum and wrong interface are dropped */
	len = regreq(buf, sizeof(buf), "198.51.100.2", "10.255.255.2",
	    "10.255.255.1", 17, 0x8002, 60, 0);
	buf[13] ^= 1;
	npkt = nhrp_counters.rx_bad;
	rx(5, "198.51.100.2", buf, len);
	INT_EQ(nhrp_counters.rx_bad, npkt + 1, "bad checksum counted, dropped");
	buf[13] ^= 1;
	npkt = nhrp_counters.rx_not_configured;
	rx(2, "198.51.100.2", buf, len);
	INT_EQ(nhrp_counters.rx_not_configured, npkt + 1,
	    "NHRP on an unconfigured interface dropped");
}

static void
test_client(void)
{
	struct nhrp_packet req, rep;
	struct nhrp_addr to, a;
	const struct nhrp_ext *e;
	struct nhrp_peer *nhs;
	uint8_t buf[1024];
	ssize_t n;
	size_t npkt;
	char *out;

	iface_start_peers();
	OK(fake_hook_has(fake_last_hook("peer-up"),
	    "NHRP_TYPE=static NHRP_DESTADDR=10.254.0.1 NHRP_DESTPREFIX=24 "
	    "NHRP_DESTNBMA=198.51.100.9 NHRP_INTERFACE=gre2"),
	    "static map: peer-up first");
	npkt = fake.npkt;
	fake_hook_done(0);
	fake_neigh_ack(0);
	INT_EQ(fake.npkt, npkt + 1, "Registration Request sent after the ACK");
	OK(last_sent(&req, &to) == 0, "the request parses");
	STR_EQ(fmt(&to), "198.51.100.9", "sent to the NHS NBMA");
	INT_EQ(req.type, NHRP_REGISTRATION_REQUEST, "type 3");
	INT_EQ(req.flags, 0x8002, "flags U|NAT");
	INT_EQ(req.hop_count, 16, "hop 16");
	STR_EQ(fmt(&req.src_nbma), "198.51.100.2", "source NBMA = GRE local");
	STR_EQ(fmt(&req.src_proto), "10.254.0.2", "source = our address");
	STR_EQ(fmt(&req.dst_proto), "10.254.0.1", "destination = the NHS");
	OK(req.cies.n == 1 && req.cies.cie[0].prefix_len == 0xff &&
	    req.cies.cie[0].holding_time == 30 && req.cies.cie[0].mtu == 0 &&
	    req.cies.cie[0].nbma.len == 0 && req.cies.cie[0].proto.len == 0,
	    "one CIE: prefix 255, holding time 30, no addresses");
	OK(req.next == 4 && req.ext[0].type == NHRP_EXT_FORWARD_TRANSIT &&
	    req.ext[0].compulsory && req.ext[1].type ==
	    NHRP_EXT_REVERSE_TRANSIT && req.ext[2].type == NHRP_EXT_RESPONDER &&
	    req.ext[3].type == NHRP_EXT_NAT_ADDRESS && !req.ext[3].compulsory,
	    "extensions F, R, Responder, NAT (not compulsory)");
	e = nhrp_packet_ext_find_const(&req, NHRP_EXT_NAT_ADDRESS);
	OK(e != NULL && e->cies.n == 1 && e->cies.cie[0].prefix_len == 32 &&
	    strcmp(fmt(&e->cies.cie[0].nbma), "198.51.100.9") == 0 &&
	    strcmp(fmt(&e->cies.cie[0].proto), "10.254.0.1") == 0,
	    "NAT CIE {NHS NBMA, NHS address, /32}");
	out = ctl(ADMIN_CMD_SHOW, " interface gre2");
	OK(strstr(out, "Type: static\nProtocol-Address: 10.254.0.1/24\n"
	    "NBMA-Address: 198.51.100.9\nFlags: lower-up\n") != NULL,
	    "registering: Flags: lower-up");

	/* the reply, with a NAT CIE #2: up, nhs-up, Purge of local routes */
	if (nhrp_packet_copy(&rep, &req) == 0) {
		struct nhrp_ext *ne;
		struct nhrp_cie *c;

		rep.type = NHRP_REGISTRATION_REPLY;
		ne = nhrp_packet_ext_find(&rep, NHRP_EXT_NAT_ADDRESS);
		c = nhrp_cie_list_add(&ne->cies);
		c->nbma = A("203.0.113.5");
		c->proto = A("10.254.0.2");
		n = nhrp_packet_build(&rep, buf, sizeof(buf));
		npkt = fake.npkt;
		rx(6, "198.51.100.9", buf, (size_t)n);
		nhrp_packet_clear(&rep);
	}
	OK(fake_hook_has(fake_last_hook("nhs-up"),
	    "NHRP_TYPE=static NHRP_DESTADDR=10.254.0.1"), "nhs-up ran");
	out = ctl(ADMIN_CMD_SHOW, " interface gre2");
	OK(strstr(out, "Type: static\nProtocol-Address: 10.254.0.1/24\n"
	    "NBMA-Address: 198.51.100.9\nFlags: up\n") != NULL,
	    "registered: Flags: up");
	OK(last_sent(&rep, &to) == 0 && rep.type == NHRP_PURGE_REQUEST &&
	    rep.flags == 0 && fake.npkt == npkt + 1,
	    "Purge Request (of local routes) sent after the first success");
	nhrp_packet_clear(&rep);
	out = ctl(ADMIN_CMD_INTERFACE_SHOW, "");
	OK(strstr(out, "NBMA-Address: 198.51.100.2\nNBMA-NAT-OA: 203.0.113.5\n")
	    != NULL, "interface show: NAT detected from CIE #2");

	/* a refresh answered with code 14: Purge (N) of our address */
	a = A("10.254.0.1");
	nhs = cache_find_exact(iface_by_name("gre2"), &a, 24, PT(PEER_STATIC));
	OK(nhs != NULL, "the NHS entry is found");
	if (nhs == NULL)
		return;
	client_register(nhs);
	nhrp_packet_clear(&req);
	OK(last_sent(&req, &to) == 0 && req.request_id != 0, "refresh sent");
	if (nhrp_packet_copy(&rep, &req) == 0) {
		rep.type = NHRP_REGISTRATION_REPLY;
		rep.cies.cie[0].code = NHRP_CODE_UNIQUE_ADDRESS_REGISTERED;
		n = nhrp_packet_build(&rep, buf, sizeof(buf));
		rx(6, "198.51.100.9", buf, (size_t)n);
		nhrp_packet_clear(&rep);
	}
	OK(last_sent(&rep, &to) == 0 && rep.type == NHRP_PURGE_REQUEST &&
	    rep.flags == NHRP_FLAG_PURGE_N && rep.cies.n == 1 &&
	    rep.cies.cie[0].prefix_len == 0xff &&
	    strcmp(fmt(&rep.cies.cie[0].proto), "10.254.0.2") == 0,
	    "code 14: Purge Request with N for our own address");
	nhrp_packet_clear(&rep);
	nhrp_packet_clear(&req);

	/* purge of the NHS entry: nhs-down + peer-down with the reason */
	out = ctl(ADMIN_CMD_LOWERDOWN, " nbma 198.51.100.9");
	STR_EQ(out, "Status: ok\nEntries-Affected: 1\n", "lowerdown the NHS");
	OK(fake_hook_has(fake_last_hook("nhs-down"),
	    "NHRP_PEER_DOWN_REASON=lower-down"), "nhs-down lower-down");
	OK(fake_hook_has(fake_last_hook("peer-down"),
	    "NHRP_TYPE=static NHRP_PEER_DOWN_REASON=lower-down"),
	    "peer-down lower-down for the static entry");
	OK(strstr(fake.hook[fake.nhook - 1].env, "NHRP_PEER_DOWN_REASON") != NULL,
	    "the reason is set on the down event");
}

static void
test_leak_reason(void)
{
	const struct fake_hook *h;
	struct nhrp_peer *nhs;
	struct nhrp_addr a = A("10.254.0.1");

	/* the static entry restarts after 5 s: its peer-up has no reason */
	nhs = cache_find_exact(iface_by_name("gre2"), &a, 24, PT(PEER_STATIC));
	if (nhs != NULL)
		peer_start(nhs);
	h = fake_last_hook("peer-up");
	OK(h != NULL && strstr(h->env, "NHRP_PEER_DOWN_REASON") == NULL,
	    "no stale NHRP_PEER_DOWN_REASON in the next peer-up");
}

int
main(void)
{
	struct sysdep_link l;
	struct sysdep_addr ad;
	struct nhrp_conf *conf;
	static const char cfg[] =
	    "interface gre1\n holding-time 60\n"
	    "interface gre2\n map 10.254.0.1/24 198.51.100.9 register\n"
	    " holding-time 30\n";

	core_fake_time = true;
	nhrp_loop = ev_default_loop(0);
	fake.route_src = A("198.51.100.2");
	iface_init();
	cache_init();
	packet_io_init(nhrp_loop);
	conf = conf_parse_buffer("test", cfg, sizeof(cfg) - 1, NULL, NULL);
	OK(conf != NULL, "configuration parses");
	if (conf == NULL)
		return tap_done();
	iface_apply_conf(conf);

	memset(&l, 0, sizeof(l));
	l.ifindex = 2;
	snprintf(l.name, sizeof(l.name), "eth0");
	l.flags = IFF_UP;
	l.mtu = 1500;
	l.type = 1;
	iface_link_event(&l);
	l.ifindex = 5;
	snprintf(l.name, sizeof(l.name), "gre1");
	l.mtu = 1476;
	l.type = 778;
	l.is_gre = true;
	l.gre_ikey = l.gre_okey = 1234;
	l.gre_local = A("198.51.100.1");
	iface_link_event(&l);
	l.ifindex = 6;
	snprintf(l.name, sizeof(l.name), "gre2");
	l.gre_local = A("198.51.100.2");
	iface_link_event(&l);
	memset(&ad, 0, sizeof(ad));
	ad.ifindex = 5;
	ad.addr = A("10.255.255.1");
	ad.prefix = 24;
	iface_addr_event(&ad);
	ad.ifindex = 6;
	ad.addr = A("10.254.0.2");
	iface_addr_event(&ad);
	OK(fake_hook_has(fake_last_hook("interface-up"),
	    "NHRP_TYPE=INTERFACE NHRP_INTERFACE=gre2 NHRP_GRE_KEY=1234"),
	    "interface-up with the real GRE key");
	INT_EQ(fake.nhook, 2, "interface-up only for configured interfaces");
	STR_EQ(ctl(ADMIN_CMD_INTERFACE_SHOW, " ignored words"),
	    "Status: ok\n\n"
	    "Interface: gre2\nIndex: 6\nProtocol-Address: 10.254.0.2/24\n"
	    "Flags: configured\nHolding-Time: 30\nRoute-Table: 254\n"
	    "GRE-Key: 1234\nMTU: 1476\nNBMA-MTU: 0\n"
	    "NBMA-Address: 198.51.100.2\n\n"
	    "Interface: gre1\nIndex: 5\nProtocol-Address: 10.255.255.1/24\n"
	    "Flags: configured\nHolding-Time: 60\nRoute-Table: 254\n"
	    "GRE-Key: 1234\nMTU: 1476\nNBMA-MTU: 0\n"
	    "NBMA-Address: 198.51.100.1\n\n"
	    "Interface: eth0\nIndex: 2\n\n",
	    "interface show: every link, most recent link event first");
	STR_EQ(ctl(ADMIN_CMD_SHOW, " interface gre1"),
	    "Status: ok\n\n"
	    "Interface: gre1\nType: local\nProtocol-Address: 10.255.255.1/32\n"
	    "Flags: up\n\n"
	    "Interface: gre1\nType: local\n"
	    "Protocol-Address: 10.255.255.255/32\n"
	    "Alias-Address: 10.255.255.1\nFlags: up\n\n",
	    "show: own address and broadcast alias entries");
	fake.nhook = 1;	/* keep the counts of test_server simple */
	fake.hook[0] = fake.hook[1];

	test_server();
	test_client();
	test_leak_reason();
	return tap_done();
}
