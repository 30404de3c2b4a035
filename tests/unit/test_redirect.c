/*
 * test_redirect.c - issue 5 logic without a kernel: the Traffic
 * Indication rate limit (pure), the NHS redirect path (sample -> wire
 * form of the indication, who gets one, purges re-enabling it), the
 * multicast member lists, and the capture programming of interfaces.
 * The kernel glue and hooks are the fakes of fake_sysdep.c; the capture
 * module is faked here.
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
#include "nhrp/capture.h"
#include "nhrp/conf.h"
#include "nhrp/core.h"
#include "nhrp/ctl.h"
#include "nhrp/iface.h"
#include "nhrp/multicast.h"
#include "nhrp/packet_io.h"
#include "nhrp/peer.h"
#include "nhrp/redirect.h"
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

/* --- fake capture module ------------------------------------------------ */

static struct {
	int		 inits;
	int		 ifindex;
	unsigned	 what;
	struct nhrp_addr local[4];
	size_t		 nlocal;
	int		 sends;
	struct nhrp_addr nbma[8];
	size_t		 nnbma;
	size_t		 len;
} cap;

int
capture_init(struct ev_loop *loop, const struct capture_ops *ops, void *arg)
{
	cap.inits++;
	return 0;
}

int
capture_iface_set(int ifindex, unsigned what)
{
	cap.ifindex = ifindex;
	cap.what = what;
	return 0;
}

int
capture_iface_set_local(int ifindex, const struct nhrp_addr *a, size_t n)
{
	size_t i;

	cap.nlocal = n;
	for (i = 0; i < n && i < 4; i++)
		cap.local[i] = a[i];
	return 0;
}

int
capture_mcast_send(int ifindex, const uint8_t *ip, size_t len,
    const struct nhrp_addr *nbma, size_t n)
{
	size_t i;

	cap.sends++;
	cap.len = len;
	cap.nnbma = n;
	for (i = 0; i < n && i < 8; i++)
		cap.nbma[i] = nbma[i];
	return (int)n;
}

void
capture_shutdown(void)
{
}

void
capture_get_stats(struct capture_stats *st)
{
	memset(st, 0, sizeof(*st));
}

/* --- helpers -------------------------------------------------------------- */

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

static void
rx(int ifindex, const char *outer, const uint8_t *buf, size_t len)
{
	struct nhrp_addr o = A(outer);

	packet_receive(ifindex, &o, buf, len);
}

static size_t
regreq(uint8_t *buf, size_t size, const char *nbma, const char *src,
    uint32_t id)
{
	struct nhrp_packet p;
	struct nhrp_cie *c;
	ssize_t n;

	nhrp_packet_init(&p, NHRP_REGISTRATION_REQUEST);
	p.hop_count = 16;
	p.flags = 0x8002;
	p.request_id = id;
	p.src_nbma = A(nbma);
	p.src_proto = A(src);
	p.dst_proto = A("10.255.255.1");
	c = nhrp_cie_list_add(&p.cies);
	c->prefix_len = 0xff;
	c->holding_time = 60;
	nhrp_packet_ext_add(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_RESPONDER, true);
	n = nhrp_packet_build(&p, buf, size);
	nhrp_packet_clear(&p);
	return n > 0 ? (size_t)n : 0;
}

static size_t
purgereq(uint8_t *buf, size_t size, const char *nbma, const char *src,
    const char *pfx, unsigned plen)
{
	struct nhrp_packet p;
	struct nhrp_cie *c;
	ssize_t n;

	nhrp_packet_init(&p, NHRP_PURGE_REQUEST);
	p.hop_count = 16;
	p.flags = NHRP_FLAG_PURGE_N;
	p.request_id = 77;
	p.src_nbma = A(nbma);
	p.src_proto = A(src);
	p.dst_proto = A("10.255.255.1");
	c = nhrp_cie_list_add(&p.cies);
	c->prefix_len = (uint8_t)plen;
	c->proto = A(pfx);
	nhrp_packet_ext_add(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	n = nhrp_packet_build(&p, buf, size);
	nhrp_packet_clear(&p);
	return n > 0 ? (size_t)n : 0;
}

static void
register_spoke(const char *nbma, const char *proto, uint32_t id)
{
	uint8_t buf[512];
	size_t len;

	len = regreq(buf, sizeof(buf), nbma, proto, id);
	rx(5, nbma, buf, len);
	fake_hook_done(0);	/* peer-register */
	fake_hook_done(0);	/* peer-up */
	fake_neigh_ack(0);
}

/* a 84-byte ICMP echo from src to dst as the kernel would capture it */
static size_t
ip_packet(uint8_t *ip, const char *src, const char *dst)
{
	uint32_t s = htonl(0), d = 0;
	size_t i;

	inet_pton(AF_INET, src, &s);
	inet_pton(AF_INET, dst, &d);
	memset(ip, 0, 84);
	ip[0] = 0x45;
	ip[2] = 0;
	ip[3] = 84;
	ip[8] = 63;
	ip[9] = 1;
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	ip[20] = 8;
	for (i = 28; i < 84; i++)
		ip[i] = (uint8_t)i;
	return 84;
}

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
sample(const char *outer, const char *src, const char *dst)
{
	struct nhrp_addr o = A(outer);
	uint8_t ip[84];

	ip_packet(ip, src, dst);
	/* the capture hands over at most CAPTURE_SNAPLEN bytes */
	redirect_sample(5, &o, ip, CAPTURE_SNAPLEN);
}

/* --- the rate limiter ----------------------------------------------------- */

static void
test_rate_limit(void)
{
	struct rl_table t;
	struct nhrp_addr s = A("192.168.2.10"), d = A("192.168.3.10");
	struct nhrp_addr s2 = A("192.168.2.11"), n24 = A("192.168.3.0");
	double now = 1000;
	int i, sent;

	rl_init(&t, 0);
	INT_EQ(rl_check(&t, &s, &d, now), 1, "rl: first packet of a flow: send");
	INT_EQ(rl_check(&t, &s, &d, now + 1), 0, "rl: 1 s later: suppressed");
	INT_EQ(rl_check(&t, &s, &d, now + 4.9), 0, "rl: 4.9 s later: suppressed");
	INT_EQ(rl_check(&t, &s, &d, now + 5), 1, "rl: 5 s later: send (token 2)");
	INT_EQ(rl_check(&t, &s2, &d, now + 5), 1,
	    "rl: another source is another flow");
	INT_EQ(rl_check(&t, &s, &d, now + 10), 1, "rl: token 3");
	INT_EQ(rl_check(&t, &s, &d, now + 15), 1, "rl: token 4");
	/* a continuous flow (one packet every 10 s) stays silent */
	for (i = 2, sent = 0; i < 40; i++)
		sent += rl_check(&t, &s, &d, now + 10 * i);
	INT_EQ(sent, 0, "rl: after 4 indications a continuous flow is silent");
	INT_EQ(rl_check(&t, &s, &d, now + 390 + 359), 0,
	    "rl: 359 s of silence is not enough");
	INT_EQ(rl_check(&t, &s, &d, now + 749 + 361), 1,
	    "rl: more than 360 s of silence: tokens reset, send");
	INT_EQ(rl_count(&t), 2, "rl: two flows");

	/* purges: by source or destination prefix, or everything */
	INT_EQ(rl_purge(&t, &n24, 24), 2,
	    "rl: purge 192.168.3.0/24 matches both flows by destination");
	INT_EQ(rl_check(&t, &s, &d, now + 1111), 1,
	    "rl: a purged flow gets an indication at once");
	INT_EQ(rl_purge(&t, &s2, 32), 0, "rl: purge of an unknown host: 0");
	INT_EQ(rl_purge(&t, &s, 32), 1, "rl: purge by source host");
	rl_check(&t, &s, &d, now);
	rl_check(&t, &s2, &d, now);
	INT_EQ(rl_purge(&t, NULL, 0), 2, "rl: purge everything");

	/* pruning of idle flows (720 s) */
	rl_check(&t, &s, &d, now);
	rl_check(&t, &s2, &d, now + 100);
	INT_EQ(rl_prune(&t, now + 720), 0, "rl: nothing idle for > 720 s yet");
	INT_EQ(rl_prune(&t, now + 721), 1, "rl: the older flow pruned");
	INT_EQ(rl_count(&t), 1, "rl: one flow left");
	rl_clear(&t);

	/* bounded memory: a flood of new flows */
	rl_init(&t, 4);
	for (i = 0, sent = 0; i < 10; i++) {
		struct nhrp_addr x;

		nhrp_addr_set_ipv4(&x, htonl(0x0a000000u + (unsigned)i));
		sent += rl_check(&t, &x, &d, now);
	}
	INT_EQ(sent, 4, "rl: only max flows are tracked and signalled");
	INT_EQ(rl_count(&t), 4, "rl: table bounded");
	OK(t.overflow == 6, "rl: overflows counted (%llu)",
	    (unsigned long long)t.overflow);
	INT_EQ(rl_check(&t, &s, &d, now + 721), 1,
	    "rl: idle flows make room again");
	rl_clear(&t);
}

/* --- the NHS redirect path ------------------------------------------------ */

static void
test_redirect(void)
{
	struct nhrp_packet ti;
	struct nhrp_addr to;
	const struct nhrp_ext *e;
	uint8_t ip[84], buf[512];
	size_t len, n;

	INT_EQ(cap.inits, 1, "capture opened once");
	INT_EQ(cap.ifindex, 5, "gre1 captured");
	INT_EQ(cap.what, CAPTURE_REDIRECT | CAPTURE_MULTICAST,
	    "redirect + multicast capture on gre1");
	OK(cap.nlocal == 2 && strcmp(fmt(&cap.local[0]), "10.255.255.1") == 0 &&
	    strcmp(fmt(&cap.local[1]), "10.255.255.255") == 0,
	    "kernel filter skips the GRE address and its broadcast");

	register_spoke("198.51.100.2", "10.255.255.2", 1);
	register_spoke("198.51.100.3", "10.255.255.3", 1);
	STR_EQ(ctl(ADMIN_CMD_SHOW, " protocol 10.255.255.3"),
	    "Status: ok\n\nInterface: gre1\nType: dynamic\n"
	    "Protocol-Address: 10.255.255.3/32\nNBMA-Address: 198.51.100.3\n"
	    "Flags: up\nExpires-In: 1:00\n\n", "two spokes registered");

	fake.npkt = 0;
	sample("198.51.100.2", "192.168.2.10", "192.168.3.10");
	INT_EQ(fake.npkt, 1, "a forwarded packet from a spoke: one indication");
	OK(last_sent(&ti, &to) == 0, "the indication parses");
	STR_EQ(fmt(&to), "198.51.100.2", "sent straight to the spoke's NBMA");
	INT_EQ(ti.type, NHRP_TRAFFIC_INDICATION, "type 8");
	INT_EQ(ti.hop_count, 1, "hop count 1 (Cisco drops 0)");
	INT_EQ(ti.flags, 0, "flags 0");
	INT_EQ(ti.request_id, 0, "traffic code 0");
	STR_EQ(fmt(&ti.src_nbma), "198.51.100.1", "source NBMA = the hub's");
	STR_EQ(fmt(&ti.src_proto), "10.255.255.1", "source = the hub's address");
	STR_EQ(fmt(&ti.dst_proto), "192.168.2.10",
	    "destination = the inner source");
	ip_packet(ip, "192.168.2.10", "192.168.3.10");
	MEM_EQ(ti.payload, ti.payload_len, ip, 68,
	    "payload = the first 68 bytes of the packet");
	e = nhrp_packet_ext_find_const(&ti, NHRP_EXT_FORWARD_TRANSIT);
	OK(ti.next == 1 && e != NULL && e->compulsory && e->cies.n == 0,
	    "extensions: an empty compulsory Forward Transit, End");
	nhrp_packet_clear(&ti);

	sample("198.51.100.2", "192.168.2.10", "192.168.3.10");
	INT_EQ(fake.npkt, 1, "the same flow right away: rate-limited");
	sample("198.51.100.3", "192.168.3.10", "192.168.2.10");
	OK(fake.npkt == 2 && last_sent(&ti, &to) == 0 &&
	    strcmp(fmt(&to), "198.51.100.3") == 0 &&
	    strcmp(fmt(&ti.dst_proto), "192.168.3.10") == 0,
	    "the reverse flow: an indication to the other spoke");
	nhrp_packet_clear(&ti);
	sample("198.51.100.99", "192.168.9.10", "192.168.3.10");
	INT_EQ(fake.npkt, 2, "unknown NBMA source: no indication");
	sample("198.51.100.2", "192.168.2.10", "10.255.255.1");
	INT_EQ(fake.npkt, 2, "destination local (own address): no indication");
	sample("198.51.100.2", "192.168.2.10", "10.255.255.255");
	INT_EQ(fake.npkt, 2, "destination local (broadcast): no indication");
	sample("0.0.0.0", "192.168.2.10", "192.168.3.11");
	INT_EQ(fake.npkt, 2, "no outer source: no indication");

	/* the spoke went away: no indication for its packets */
	STR_EQ(ctl(ADMIN_CMD_PURGE, " protocol 10.255.255.3"),
	    "Status: ok\nEntries-Affected: 1\n", "purge spoke 10.255.255.3");
	sample("198.51.100.3", "192.168.3.10", "192.168.2.99");
	INT_EQ(fake.npkt, 2, "unregistered source: no indication");

	/* redirect purge re-enables indications */
	STR_EQ(ctl(ADMIN_CMD_REDIRECT_PURGE, " 192.168.9.0/24"),
	    "Status: ok\nEntries-Affected: 0\n",
	    "redirect purge of an unrelated prefix: 0");
	STR_EQ(ctl(ADMIN_CMD_REDIRECT_PURGE, " 192.168.3.10"),
	    "Status: ok\nEntries-Affected: 2\n",
	    "redirect purge 192.168.3.10: both flows (source or destination)");
	sample("198.51.100.2", "192.168.2.10", "192.168.3.10");
	INT_EQ(fake.npkt, 3, "after redirect purge: an indication again");
	STR_EQ(ctl(ADMIN_CMD_REDIRECT_PURGE, " bad"),
	    "Status: failed\nReason: invalid-address\nNear-Keyword: 'bad'\n",
	    "redirect purge with a bad address");
	/* time: 5 s later the flow gets its second token */
	core_fake_now += 5;
	sample("198.51.100.2", "192.168.2.10", "192.168.3.10");
	INT_EQ(fake.npkt, 4, "5 s later: a second indication");

	/* a Purge Request for the prefix re-enables them too (RDR-04) */
	len = purgereq(buf, sizeof(buf), "198.51.100.2", "10.255.255.2",
	    "192.168.2.0", 24);
	rx(5, "198.51.100.2", buf, len);
	n = fake.npkt;
	sample("198.51.100.2", "192.168.2.10", "192.168.3.10");
	INT_EQ(fake.npkt, n + 1, "after a Purge Request for 192.168.2.0/24: "
	    "an indication at once");
	STR_EQ(ctl(ADMIN_CMD_REDIRECT_PURGE, ""),
	    "Status: ok\nEntries-Affected: 1\n", "redirect purge (all)");
	OK(redirect_stats.sent >= 5 && redirect_stats.not_spoke == 2 &&
	    redirect_stats.local_dst == 2, "counters: sent %llu not_spoke %llu "
	    "local %llu", (unsigned long long)redirect_stats.sent,
	    (unsigned long long)redirect_stats.not_spoke,
	    (unsigned long long)redirect_stats.local_dst);
	fake.npkt = 0;
}

/* --- multicast ------------------------------------------------------------ */

static void
test_multicast(void)
{
	uint8_t ip[84];
	size_t len;

	len = ip_packet(ip, "10.255.255.1", "224.0.0.5");
	cap.sends = 0;
	mcast_relay(5, ip, len);
	OK(cap.sends == 1 && cap.nnbma == 1 && cap.len == len &&
	    strcmp(fmt(&cap.nbma[0]), "198.51.100.2") == 0,
	    "multicast dynamic: one copy to the registered spoke");
	register_spoke("198.51.100.4", "10.255.255.4", 1);
	mcast_relay(5, ip, len);
	OK(cap.sends == 2 && cap.nnbma == 2 &&
	    strcmp(fmt(&cap.nbma[0]), "198.51.100.2") == 0 &&
	    strcmp(fmt(&cap.nbma[1]), "198.51.100.4") == 0,
	    "a new registration joins the list at once");
	STR_EQ(ctl(ADMIN_CMD_FLUSH, " protocol 10.255.255.2"),
	    "Status: ok\nEntries-Affected: 1\n", "flush spoke 10.255.255.2");
	mcast_relay(5, ip, len);
	OK(cap.sends == 3 && cap.nnbma == 1 &&
	    strcmp(fmt(&cap.nbma[0]), "198.51.100.4") == 0,
	    "a removed spoke leaves the list at once");
	mcast_relay(6, ip, len);
	INT_EQ(cap.sends, 3, "no relay on an interface without multicast");
}

/* --- spoke side: shortcut-target, indications, failed resolution -------- */

static size_t
resreq(uint8_t *buf, size_t size, const char *src, const char *dst)
{
	struct nhrp_packet p;
	struct nhrp_cie *c;
	ssize_t n;

	nhrp_packet_init(&p, NHRP_RESOLUTION_REQUEST);
	p.hop_count = 15;
	p.flags = 0xc002;
	p.request_id = 4242;
	p.src_nbma = A("198.51.100.7");
	p.src_proto = A(src);
	p.dst_proto = A(dst);
	c = nhrp_cie_list_add(&p.cies);
	c->holding_time = 30;
	nhrp_packet_ext_add(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_RESPONDER, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_NAT_ADDRESS, false);
	n = nhrp_packet_build(&p, buf, size);
	nhrp_packet_clear(&p);
	return n > 0 ? (size_t)n : 0;
}

static size_t
indication(uint8_t *buf, size_t size, const char *inner_src,
    const char *inner_dst)
{
	struct nhrp_packet p;
	uint8_t ip[84];
	ssize_t n;

	nhrp_packet_init(&p, NHRP_TRAFFIC_INDICATION);
	p.hop_count = 1;
	p.src_nbma = A("198.51.100.9");
	p.src_proto = A("10.254.0.1");
	p.dst_proto = A(inner_src);
	ip_packet(ip, inner_src, inner_dst);
	p.payload = malloc(68);
	memcpy(p.payload, ip, 68);
	p.payload_len = 68;
	nhrp_packet_ext_add(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	n = nhrp_packet_build(&p, buf, size);
	nhrp_packet_clear(&p);
	return n > 0 ? (size_t)n : 0;
}

static void
test_spoke(void)
{
	struct nhrp_packet rep;
	struct nhrp_addr to;
	struct nhrp_cie *c;
	uint8_t buf[1024];
	size_t len;
	ssize_t n;

	/* shortcut-target with its own holding time, and without */
	fake.npkt = 0;
	len = resreq(buf, sizeof(buf), "10.254.0.7", "172.16.5.5");
	rx(6, "198.51.100.9", buf, len);
	OK(fake.npkt == 1 && last_sent(&rep, &to) == 0 &&
	    rep.type == NHRP_RESOLUTION_REPLY && rep.cies.n == 1,
	    "shortcut-target 172.16.0.0/16: answered");
	OK(rep.cies.n == 1 && rep.cies.cie[0].prefix_len == 16 &&
	    rep.cies.cie[0].holding_time == 1800 &&
	    strcmp(fmt(&rep.cies.cie[0].proto), "10.254.0.2") == 0 &&
	    strcmp(fmt(&rep.cies.cie[0].nbma), "198.51.100.1") == 0,
	    "reply CIE: prefix 16, its own holding time 1800, our addresses");
	OK(rep.flags == 0xe002, "reply flags Q|A|D|NAT (0x%04x)", rep.flags);
	nhrp_packet_clear(&rep);
	len = resreq(buf, sizeof(buf), "10.254.0.7", "172.17.1.1");
	rx(6, "198.51.100.9", buf, len);
	OK(fake.npkt == 2 && last_sent(&rep, &to) == 0 && rep.cies.n == 1 &&
	    rep.cies.cie[0].prefix_len == 24 &&
	    rep.cies.cie[0].holding_time == 45,
	    "shortcut-target without holding-time: the interface's (45)");
	nhrp_packet_clear(&rep);
	len = resreq(buf, sizeof(buf), "10.254.0.7", "192.168.99.1");
	rx(6, "198.51.100.9", buf, len);
	OK(fake.npkt == 3 && last_sent(&rep, &to) == 0 &&
	    rep.type == NHRP_RESOLUTION_REQUEST && rep.hop_count == 14,
	    "not a local prefix: forwarded, not answered");
	nhrp_packet_clear(&rep);

	/* a Traffic Indication about a local source starts a resolution */
	fake.npkt = 0;
	len = indication(buf, sizeof(buf), "172.16.5.5", "192.168.77.7");
	rx(6, "198.51.100.9", buf, len);
	OK(fake.npkt == 1 && last_sent(&rep, &to) == 0 &&
	    rep.type == NHRP_RESOLUTION_REQUEST &&
	    strcmp(fmt(&rep.dst_proto), "192.168.77.7") == 0 &&
	    strcmp(fmt(&to), "198.51.100.9") == 0,
	    "shortcut: the indication triggers a Resolution Request via the NHS");
	STR_EQ(ctl(ADMIN_CMD_SHOW, " protocol 192.168.77.7"),
	    "Status: ok\n\nInterface: gre2\nType: incomplete\n"
	    "Protocol-Address: 192.168.77.7/32\n\n", "incomplete entry");
	/* the reply carries a failure code: negative, no shortcut */
	rep.type = NHRP_RESOLUTION_REPLY;
	rep.hop_count = 16;
	rep.flags |= NHRP_FLAG_RES_D;
	nhrp_cie_list_clear(&rep.cies);
	c = nhrp_cie_list_add(&rep.cies);
	c->code = NHRP_CODE_ADMIN_PROHIBITED;
	c->prefix_len = 24;
	c->holding_time = 30;
	c->nbma = A("198.51.100.8");
	c->proto = A("10.254.0.8");
	n = nhrp_packet_build(&rep, buf, sizeof(buf));
	nhrp_packet_clear(&rep);
	rx(6, "198.51.100.9", buf, n > 0 ? (size_t)n : 0);
	STR_EQ(ctl(ADMIN_CMD_SHOW, " protocol 192.168.77.0/24"),
	    "Status: ok\n\nInterface: gre2\nType: negative\n"
	    "Protocol-Address: 192.168.77.7/32\nFlags: up\n"
	    "Expires-In: 3:00\n\n",
	    "a failure CIE code: a negative entry, no shortcut, no next hop");
	OK(fake_last_hook("route-up") == NULL, "no route-up");
	len = indication(buf, sizeof(buf), "172.16.5.5", "192.168.77.7");
	fake.npkt = 0;
	rx(6, "198.51.100.9", buf, len);
	INT_EQ(fake.npkt, 0, "the negative entry suppresses a new resolution");
	/* an indication about a source that is not ours is forwarded */
	len = indication(buf, sizeof(buf), "192.168.50.5", "192.168.77.9");
	rx(6, "198.51.100.9", buf, len);
	OK(fake.npkt == 0 || (last_sent(&rep, &to) == 0 &&
	    rep.type != NHRP_RESOLUTION_REQUEST),
	    "an indication for someone else's source: no resolution (it is "
	    "not bounced back to its sender either)");
	if (fake.npkt > 0)
		nhrp_packet_clear(&rep);
	STR_EQ(ctl(ADMIN_CMD_SHOW, " protocol 192.168.77.9"), "Status: ok\n\n",
	    "and starts no resolution");
}

int
main(void)
{
	struct sysdep_link l;
	struct sysdep_addr ad;
	struct sysdep_route rt;
	struct nhrp_conf *conf;
	static const char cfg[] =
	    "interface gre1\n holding-time 60\n redirect\n"
	    " multicast dynamic\n"
	    "interface gre2\n map 10.254.0.1/24 198.51.100.9\n"
	    " multicast 10.254.0.1\n shortcut\n holding-time 45\n"
	    " shortcut-target 172.16.0.0/16 holding-time 1800\n"
	    " shortcut-target 172.17.1.0/24\n";

	test_rate_limit();

	core_fake_time = true;
	nhrp_loop = ev_default_loop(0);
	fake.route_src = A("198.51.100.1");
	iface_init();
	cache_init();
	packet_io_init(nhrp_loop);
	conf = conf_parse_buffer("test", cfg, sizeof(cfg) - 1, NULL, NULL);
	OK(conf != NULL, "configuration parses");
	if (conf == NULL)
		return tap_done();
	iface_apply_conf(conf);
	memset(&l, 0, sizeof(l));
	l.ifindex = 5;
	snprintf(l.name, sizeof(l.name), "gre1");
	l.flags = IFF_UP;
	l.mtu = 1476;
	l.type = 778;
	l.is_gre = true;
	l.gre_ikey = l.gre_okey = 1234;
	l.gre_local = A("198.51.100.1");
	iface_link_event(&l);
	memset(&ad, 0, sizeof(ad));
	ad.ifindex = 5;
	ad.addr = A("10.255.255.1");
	ad.prefix = 24;
	iface_addr_event(&ad);

	test_redirect();
	test_multicast();

	/* gre2: multicast to a configured address only, no redirect */
	l.ifindex = 6;
	snprintf(l.name, sizeof(l.name), "gre2");
	l.gre_local = A("198.51.100.1");
	iface_link_event(&l);
	INT_EQ(cap.ifindex, 6, "gre2 captured");
	INT_EQ(cap.what, CAPTURE_MULTICAST, "gre2: multicast capture only");
	ad.ifindex = 6;
	ad.addr = A("10.254.0.2");
	ad.prefix = 24;
	iface_addr_event(&ad);
	memset(&rt, 0, sizeof(rt));
	rt.dst = A("192.168.0.0");
	rt.prefix = 16;
	rt.gateway = A("10.254.0.1");
	rt.oif = 6;
	rt.table = 254;
	rt.protocol = 4;	/* static */
	iface_route_event(&rt);
	iface_start_peers();
	fake_hook_done(0);	/* peer-up of the static map */
	fake_neigh_ack(0);
	test_spoke();
	l.deleted = true;
	iface_link_event(&l);
	OK(cap.ifindex == 6 && cap.what == 0,
	    "a deleted link stops its capture");

	redirect_shutdown();
	return tap_done();
}
