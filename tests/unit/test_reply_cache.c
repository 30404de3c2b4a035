/*
 * test_reply_cache.c - the hub's registration fast path (issues 4 and 7)
 * with the fake kernel/hook layer: a late retransmission of an answered
 * Registration Request is answered from state (same reply, no hook, no
 * neighbour update) within the window; a new request id or other content
 * is a new registration; a retransmission in progress is still dropped;
 * a neighbour refused with ENOBUFS gives code 5; the neighbour table
 * limit warning fires once per crossing of 80% of gc_thresh3.
 */
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
#include "nhrp/peer.h"
#include "tests/tap.h"
#include "tests/unit/fake_sysdep.h"
#include "tests/unit/fixture.h"

static size_t
regreq(uint8_t *buf, size_t size, const char *nbma, const char *src,
    uint32_t id, uint16_t hold, uint16_t mtu)
{
	struct nhrp_packet p;
	struct nhrp_cie *c;
	struct nhrp_ext *e;
	ssize_t n;

	fx_req(&p, NHRP_REGISTRATION_REQUEST, 0x8002, id, nbma, src,
	    "10.255.255.1");
	c = nhrp_cie_list_add(&p.cies);
	c->prefix_len = 0xff;
	c->holding_time = hold;
	c->mtu = mtu;
	fx_req_exts(&p);
	e = nhrp_packet_ext_add(&p, NHRP_EXT_NAT_ADDRESS, false);
	c = nhrp_cie_list_add(&e->cies);
	c->prefix_len = 32;
	c->nbma = fx_a("198.51.100.1");
	c->proto = fx_a("10.255.255.1");
	n = nhrp_packet_build(&p, buf, size);
	nhrp_packet_clear(&p);
	return n > 0 ? (size_t)n : 0;
}

/*
 * A new spoke's first registration at now: the request is received, its
 * peer-register and peer-up hooks succeed and its neighbour update
 * completes with neigh_err.  Returns the request's length in buf.
 */
static size_t
new_spoke(double now, uint8_t *buf, size_t size, const char *nbma,
    const char *src, uint32_t id, uint16_t mtu, int neigh_err)
{
	size_t len;

	core_fake_now = now;
	len = regreq(buf, size, nbma, src, id, 60, mtu);
	fx_rx(5, nbma, buf, len);
	fake_hook_done(0);
	fake_hook_done(0);
	fake_neigh_ack(neigh_err);
	return len;
}

/* spoke 198.51.100.2 (10.255.255.2) sends a request; returns its length */
static size_t
spoke2_sends(uint8_t *buf, size_t size, uint32_t id, uint16_t hold,
    uint16_t mtu)
{
	size_t len;

	len = regreq(buf, size, "198.51.100.2", "10.255.255.2", id, hold, mtu);
	fx_rx(5, "198.51.100.2", buf, len);
	return len;
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

static void
test_replay(void)
{
	uint8_t buf[1024], first[2048];
	size_t len, flen, npkt, nneigh, nreg;
	uint32_t id;

	/* a new spoke: peer-register, peer-up, neighbour, reply */
	len = new_spoke(1000.0, buf, sizeof(buf), "198.51.100.2",
	    "10.255.255.2", 100, 1400, 0);
	INT_EQ(fake.npkt, 1, "first copy answered");
	INT_EQ(fx_last_code(NULL), 0, "with success");
	flen = fake.pkt[0].len;
	memcpy(first, fake.pkt[0].buf, flen);
	nreg = fx_count("peer-register");
	nneigh = fake.nneigh;

	/* the spoke's retry 5 s after it sent the first copy */
	core_fake_now = 1004.0;
	fx_rx(5, "198.51.100.2", buf, len);
	INT_EQ(fake.npkt, 2, "late retransmission answered at once");
	OK(fake.pkt[1].len == flen && memcmp(fake.pkt[1].buf, first, flen) == 0,
	    "with a reply identical to the first one");
	STR_EQ(fmt_dst(), "198.51.100.2", "to the registrant");
	INT_EQ(fx_count("peer-register"), nreg, "no hook for the retransmission");
	INT_EQ(fx_count("peer-up"), 1, "no second peer-up");
	INT_EQ(fake.nneigh, nneigh, "no second neighbour update");

	/* a retry 25 s after the first copy: still inside the window */
	core_fake_now = 1025.0;
	fx_rx(5, "198.51.100.2", buf, len);
	INT_EQ(fake.npkt, 3, "last OpenNHRP retry answered from state too");
	INT_EQ(fx_count("peer-register"), nreg, "still no hook");

	/* same request id, other content (holding time): a registration */
	len = spoke2_sends(buf, sizeof(buf), 100, 120, 1400);
	INT_EQ(fx_count("peer-register"), nreg + 1,
	    "same id with another holding time runs peer-register");
	fake_hook_done(0);
	INT_EQ(fake.npkt, 4, "and is answered");
	nreg++;

	/* same request id, other MTU: a registration too */
	core_fake_now = 1026.0;
	len = spoke2_sends(buf, sizeof(buf), 100, 120, 1300);
	INT_EQ(fx_count("peer-register"), nreg + 1,
	    "same id with another MTU runs peer-register");
	fake_hook_done(0);
	nreg++;
	npkt = fake.npkt;

	/* a new request id is a refresh: peer-register runs */
	core_fake_now = 1030.0;
	len = spoke2_sends(buf, sizeof(buf), 101, 60, 1400);
	INT_EQ(fx_count("peer-register"), nreg + 1,
	    "a new request id runs peer-register");
	INT_EQ(fake.npkt, npkt, "not answered before its hook");
	fake_hook_done(0);
	INT_EQ(fake.npkt, npkt + 1, "answered after its hook");
	INT_EQ(fx_last_code(&id), 0, "refresh: success");
	INT_EQ(id, 101, "refresh: its own request id");
	nreg++;

	/* a retry within the window of the refresh's answer: from state */
	core_fake_now = 1059.0;
	fx_rx(5, "198.51.100.2", buf, len);
	INT_EQ(fx_count("peer-register"), nreg, "retry at +29 s: no hook");
	INT_EQ(fake.npkt, npkt + 2, "retry at +29 s: answered");

	/* the window closed: the same request is a refresh again */
	core_fake_now = 1061.0;
	fx_rx(5, "198.51.100.2", buf, len);
	INT_EQ(fx_count("peer-register"), nreg + 1,
	    "after the window the same request runs peer-register");
	INT_EQ(fake.npkt, npkt + 2, "not answered before its hook");

	/* while it is in progress a retransmission is still dropped */
	fx_rx(5, "198.51.100.2", buf, len);
	INT_EQ(fx_count("peer-register"), nreg + 1,
	    "retransmission in progress: no second hook");
	INT_EQ(fake.npkt, npkt + 2, "retransmission in progress: no reply");
	fake_hook_done(0);
	INT_EQ(fake.npkt, npkt + 3, "one reply once the hook finished");
	INT_EQ(fx_count("peer-up"), 1, "still one peer-up in all");
	INT_EQ(fake.nneigh, nneigh, "still one neighbour update in all");
	nreg++;

	/* a retransmission from another NBMA address is not a replay */
	core_fake_now = 1062.0;
	fx_rx(5, "198.51.100.99", buf, len);
	OK(fx_count("peer-register") == nreg + 1 || fx_last_code(NULL) != 0,
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

	len = new_spoke(2000.0, buf, sizeof(buf), "198.51.100.5",
	    "10.255.255.5", 500, 0, -ENOBUFS);
	INT_EQ(fx_last_code(&id), NHRP_CODE_INSUFFICIENT_RESOURCES,
	    "neighbour refused with ENOBUFS (table full): code 5");
	INT_EQ(id, 500, "for that request");
	while (fake_hook_done(0) >= 0)
		;
	/* its retransmission is not answered from state: no binding */
	fx_rx(5, "198.51.100.5", buf, len);
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
		p->proto = fx_a(a);
		p->prefix = 32;
		p->nbma = fx_a("192.0.2.1");
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

/* links or frees spokes until want are linked; returns what was logged */
static const char *
spokes(size_t want)
{
	return captured(link_to, &want);
}

static void
test_gc_thresh(void)
{
	const char *out;

	/* the fake kernel says gc_thresh3 = 1024: 80% is 819.2 */
	INT_EQ(count(spokes(810), "gc_thresh3"), 0, "no warning below 80%%");
	out = spokes(1000);
	INT_EQ(count(out, "net.ipv4.neigh.default.gc_thresh3 (1024)"), 1,
	    "one warning naming net.ipv4.neigh.default.gc_thresh3 on the "
	    "way past 80%% of it");
	OK(strstr(out, "gc_thresh1=2048 ") != NULL &&
	    strstr(out, "gc_thresh2=4096 ") != NULL &&
	    strstr(out, "gc_thresh3=8192") != NULL,
	    "the warning says what to set");
	INT_EQ(count(spokes(1100), "gc_thresh3"), 0, "not repeated per spoke");
	INT_EQ(count(spokes(750), "gc_thresh3"), 0, "no warning going down");
	INT_EQ(count(spokes(1000), "gc_thresh3"), 0,
	    "not re-armed while still above 70%%");
	spokes(600);
	INT_EQ(count(spokes(900), "gc_thresh3 (1024)"), 1,
	    "re-armed below 70%%: warns again on the next crossing");
	spokes(0);
}

int
main(void)
{
	static const char cfg[] = "interface gre1\n holding-time 60\n";
	struct nhrp_conf *conf;

	conf = fx_init_src(cfg, 1000.0, "198.51.100.1");
	if (!OK(conf != NULL, "configuration parses"))
		return tap_done();
	fx_link(5, "gre1", 1476, 1, 1234, "198.51.100.1", 0);
	fx_addr(5, "10.255.255.1", 24);
	while (fake_hook_done(0) >= 0)
		;
	fx_forget();

	test_replay();
	fx_forget();
	test_enobufs();
	test_gc_thresh();
	return tap_done();
}
