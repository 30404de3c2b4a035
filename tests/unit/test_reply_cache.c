/*
 * test_reply_cache.c - the hub's registration fast path (issues 4 and 7)
 * with the fake kernel/hook layer: a late retransmission of an answered
 * Registration Request is answered from state (same reply, no hook, no
 * neighbour update) within the window; a new request id or other content
 * is a new registration; a retransmission in progress is still dropped;
 * a neighbour refused with ENOBUFS gives code 5; the neighbour table
 * limit warning fires once per crossing of 80% of gc_thresh3.
 */
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "addr.h"
#include "packet.h"
#include "nhrp/cache.h"
#include "nhrp/conf.h"
#include "nhrp/core.h"
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

static size_t
regreq(uint8_t *buf, size_t size, const char *nbma, const char *src,
    uint32_t id, uint16_t hold, uint16_t mtu)
{
	struct nhrp_packet p;
	struct nhrp_cie *c;
	struct nhrp_ext *e;
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
	c->holding_time = hold;
	c->mtu = mtu;
	nhrp_packet_ext_add(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_RESPONDER, true);
	e = nhrp_packet_ext_add(&p, NHRP_EXT_NAT_ADDRESS, false);
	c = nhrp_cie_list_add(&e->cies);
	c->prefix_len = 32;
	c->nbma = A("198.51.100.1");
	c->proto = A("10.255.255.1");
	n = nhrp_packet_build(&p, buf, size);
	nhrp_packet_clear(&p);
	return n > 0 ? (size_t)n : 0;
}

static void
rx(const char *outer, const uint8_t *buf, size_t len)
{
	struct nhrp_addr o = A(outer);

	packet_receive(5, &o, buf, len);
}

static int
last_code(uint32_t *id)
{
	struct nhrp_packet p;
	int code;

	if (fake.npkt == 0 || nhrp_packet_parse(fake.pkt[fake.npkt - 1].buf,
	    fake.pkt[fake.npkt - 1].len, &p, NULL) != 0)
		return -1;
	code = p.cies.n == 1 ? p.cies.cie[0].code : -1;
	if (id != NULL)
		*id = p.request_id;
	nhrp_packet_clear(&p);
	return code;
}

/* where the last packet went */
static const char *
fmt_dst(void)
{
	static char b[NHRP_ADDRSTRLEN];

	if (fake.npkt == 0)
		return "-";
	return nhrp_addr_format(&fake.pkt[fake.npkt - 1].dst, b, sizeof(b));
}

static size_t
nhooks(const char *event)
{
	size_t i, n = 0;

	for (i = 0; i < fake.nhook; i++)
		if (strcmp(fake.hook[i].event, event) == 0)
			n++;
	return n;
}

static void
test_replay(void)
{
	uint8_t buf[1024], first[2048];
	size_t len, flen, npkt, nneigh, nreg;
	uint32_t id;

	/* a new spoke: peer-register, peer-up, neighbour, reply */
	core_fake_now = 1000.0;
	len = regreq(buf, sizeof(buf), "198.51.100.2", "10.255.255.2", 100,
	    60, 1400);
	rx("198.51.100.2", buf, len);
	fake_hook_done(0);
	fake_hook_done(0);
	fake_neigh_ack(0);
	INT_EQ(fake.npkt, 1, "first copy answered");
	INT_EQ(last_code(NULL), 0, "with success");
	flen = fake.pkt[0].len;
	memcpy(first, fake.pkt[0].buf, flen);
	nreg = nhooks("peer-register");
	nneigh = fake.nneigh;

	/* the spoke's retry 5 s after it sent the first copy */
	core_fake_now = 1004.0;
	rx("198.51.100.2", buf, len);
	INT_EQ(fake.npkt, 2, "late retransmission answered at once");
	OK(fake.pkt[1].len == flen && memcmp(fake.pkt[1].buf, first, flen) == 0,
	    "with a reply identical to the first one");
	STR_EQ(fmt_dst(), "198.51.100.2", "to the registrant");
	INT_EQ(nhooks("peer-register"), nreg, "no hook for the retransmission");
	INT_EQ(nhooks("peer-up"), 1, "no second peer-up");
	INT_EQ(fake.nneigh, nneigh, "no second neighbour update");

	/* a retry 25 s after the first copy: still inside the window */
	core_fake_now = 1025.0;
	rx("198.51.100.2", buf, len);
	INT_EQ(fake.npkt, 3, "last OpenNHRP retry answered from state too");
	INT_EQ(nhooks("peer-register"), nreg, "still no hook");

	/* same request id, other content (holding time): a registration */
	len = regreq(buf, sizeof(buf), "198.51.100.2", "10.255.255.2", 100,
	    120, 1400);
	rx("198.51.100.2", buf, len);
	INT_EQ(nhooks("peer-register"), nreg + 1,
	    "same id with another holding time runs peer-register");
	fake_hook_done(0);
	INT_EQ(fake.npkt, 4, "and is answered");
	nreg++;

	/* same request id, other MTU: a registration too */
	core_fake_now = 1026.0;
	len = regreq(buf, sizeof(buf), "198.51.100.2", "10.255.255.2", 100,
	    120, 1300);
	rx("198.51.100.2", buf, len);
	INT_EQ(nhooks("peer-register"), nreg + 1,
	    "same id with another MTU runs peer-register");
	fake_hook_done(0);
	nreg++;
	npkt = fake.npkt;

	/* a new request id is a refresh: peer-register runs */
	core_fake_now = 1030.0;
	len = regreq(buf, sizeof(buf), "198.51.100.2", "10.255.255.2", 101,
	    60, 1400);
	rx("198.51.100.2", buf, len);
	INT_EQ(nhooks("peer-register"), nreg + 1,
	    "a new request id runs peer-register");
	INT_EQ(fake.npkt, npkt, "not answered before its hook");
	fake_hook_done(0);
	INT_EQ(fake.npkt, npkt + 1, "answered after its hook");
	INT_EQ(last_code(&id), 0, "refresh: success");
	INT_EQ(id, 101, "refresh: its own request id");
	nreg++;

	/* a retry within the window of the refresh's answer: from state */
	core_fake_now = 1059.0;
	rx("198.51.100.2", buf, len);
	INT_EQ(nhooks("peer-register"), nreg, "retry at +29 s: no hook");
	INT_EQ(fake.npkt, npkt + 2, "retry at +29 s: answered");

	/* the window closed: the same request is a refresh again */
	core_fake_now = 1061.0;
	rx("198.51.100.2", buf, len);
	INT_EQ(nhooks("peer-register"), nreg + 1,
	    "after the window the same request runs peer-register");
	INT_EQ(fake.npkt, npkt + 2, "not answered before its hook");

	/* while it is in progress a retransmission is still dropped */
	rx("198.51.100.2", buf, len);
	INT_EQ(nhooks("peer-register"), nreg + 1,
	    "retransmission in progress: no second hook");
	INT_EQ(fake.npkt, npkt + 2, "retransmission in progress: no reply");
	fake_hook_done(0);
	INT_EQ(fake.npkt, npkt + 3, "one reply once the hook finished");
	INT_EQ(nhooks("peer-up"), 1, "still one peer-up in all");
	INT_EQ(fake.nneigh, nneigh, "still one neighbour update in all");
	nreg++;

	/* a retransmission from another NBMA address is not a replay */
	core_fake_now = 1062.0;
	rx("198.51.100.99", buf, len);
	OK(nhooks("peer-register") == nreg + 1 || last_code(NULL) != 0,
	    "the same request from another outer address is not replayed");
	while (fake_hook_done(0) >= 0)
		;
	while (fake_neigh_ack(0))
		;
}

static void
test_enobufs(void)
{
	uint8_t buf[1024];
	size_t len;
	uint32_t id;

	core_fake_now = 2000.0;
	len = regreq(buf, sizeof(buf), "198.51.100.5", "10.255.255.5", 500,
	    60, 0);
	rx("198.51.100.5", buf, len);
	fake_hook_done(0);
	fake_hook_done(0);
	fake_neigh_ack(-ENOBUFS);
	INT_EQ(last_code(&id), NHRP_CODE_INSUFFICIENT_RESOURCES,
	    "neighbour refused with ENOBUFS (table full): code 5");
	INT_EQ(id, 500, "for that request");
	while (fake_hook_done(0) >= 0)
		;
	/* its retransmission is not answered from state: no binding */
	rx("198.51.100.5", buf, len);
	INT_EQ(fake.hook[fake.nhook - 1].pending, 1,
	    "a refused registration's retransmission is processed again");
	while (fake_hook_done(1) >= 0)
		;
}

/* runs fn with stderr captured; returns what was logged (static buffer) */
static const char *
captured(void (*fn)(void *), void *arg)
{
	static char out[65536];
	FILE *f;
	int saved;
	size_t n;

	out[0] = '\0';
	fflush(stderr);
	if ((f = tmpfile()) == NULL || (saved = dup(2)) < 0)
		return out;
	dup2(fileno(f), 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static struct nhrp_peer *peers[1200];
static size_t npeers;

static void
link_to(void *arg)
{
	size_t want = *(size_t *)arg;
	struct nhrp_iface *ifp = iface_by_name("gre1");
	struct nhrp_peer *p;
	char a[32];

	while (npeers < want) {
		if ((p = peer_new(ifp, PEER_DYNAMIC)) == NULL)
			return;
		snprintf(a, sizeof(a), "10.%zu.%zu.%zu", 100 + npeers / 65536,
		    (npeers / 256) % 256, npeers % 256);
		p->proto = A(a);
		p->prefix = 32;
		p->nbma = A("192.0.2.1");
		cache_link(p);
		peers[npeers++] = p;
	}
	while (npeers > want) {
		p = peers[--npeers];
		cache_unlink(p);
		p->flags |= PEER_F_REMOVED;
		peer_put(p);
	}
}

static void
test_gc_thresh(void)
{
	const char *out;
	size_t n, base = 0;

	/* the fake kernel says gc_thresh3 = 1024: 80% is 819.2 */
	n = 810;
	out = captured(link_to, &n);
	INT_EQ(count(out, "gc_thresh3"), 0, "no warning below 80%%");
	n = 1000;
	out = captured(link_to, &n);
	INT_EQ(count(out, "net.ipv4.neigh.default.gc_thresh3 (1024)"), 1,
	    "one warning naming net.ipv4.neigh.default.gc_thresh3 on the "
	    "way past 80%% of it");
	OK(strstr(out, "gc_thresh1=2048 ") != NULL &&
	    strstr(out, "gc_thresh2=4096 ") != NULL &&
	    strstr(out, "gc_thresh3=8192") != NULL,
	    "the warning says what to set");
	n = 1100;
	out = captured(link_to, &n);
	INT_EQ(count(out, "gc_thresh3"), 0, "not repeated per spoke");
	n = 750;
	out = captured(link_to, &n);
	INT_EQ(count(out, "gc_thresh3"), 0, "no warning going down");
	n = 1000;
	out = captured(link_to, &n);
	INT_EQ(count(out, "gc_thresh3"), 0,
	    "not re-armed while still above 70%%");
	n = 600;
	out = captured(link_to, &n);
	n = 900;
	out = captured(link_to, &n);
	INT_EQ(count(out, "gc_thresh3 (1024)"), 1,
	    "re-armed below 70%%: warns again on the next crossing");
	n = base;
	captured(link_to, &n);
}

int
main(void)
{
	struct sysdep_link l;
	struct sysdep_addr ad;
	struct nhrp_conf *conf;
	static const char cfg[] = "interface gre1\n holding-time 60\n";

	core_fake_time = true;
	core_fake_now = 1000.0;
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
	while (fake_hook_done(0) >= 0)
		;
	fake.nhook = 0;
	fake.npkt = 0;
	fake.nneigh = 0;

	test_replay();
	fake.nhook = 0;
	fake.npkt = 0;
	fake.nneigh = 0;
	test_enobufs();
	test_gc_thresh();
	return tap_done();
}
