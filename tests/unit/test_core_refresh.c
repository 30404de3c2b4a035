/*
 * test_core_refresh.c - a registered binding whose refresh arrived before
 * its expiry does not expire while the refresh's peer-register hook runs
 * (found by tests/netns/24-ctl-events.sh: slow hooks made registered
 * spokes flap: peer-down expired, then peer-up again).  A refused
 * refresh does not extend the binding: it expires once the hook said no.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

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
regreq(uint8_t *buf, size_t size, uint32_t id, uint16_t hold)
{
	struct nhrp_packet p;
	struct nhrp_cie *c;
	ssize_t n;

	nhrp_packet_init(&p, NHRP_REGISTRATION_REQUEST);
	p.hop_count = 16;
	p.flags = 0x8002;
	p.request_id = id;
	p.src_nbma = A("198.51.100.2");
	p.src_proto = A("10.255.255.2");
	p.dst_proto = A("10.255.255.1");
	c = nhrp_cie_list_add(&p.cies);
	c->prefix_len = 0xff;
	c->holding_time = hold;
	nhrp_packet_ext_add(&p, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_packet_ext_add(&p, NHRP_EXT_RESPONDER, true);
	n = nhrp_packet_build(&p, buf, size);
	nhrp_packet_clear(&p);
	return n > 0 ? (size_t)n : 0;
}

static void
rx(const uint8_t *buf, size_t len)
{
	struct nhrp_addr o = A("198.51.100.2");

	packet_receive(5, &o, buf, len);
}

static struct nhrp_peer *
binding(void)
{
	struct nhrp_addr a = A("10.255.255.2");

	return cache_find_exact(iface_by_name("gre1"), &a, 32, PT(PEER_DYNAMIC));
}

/* fires the entry's pending timer (expiry) as the loop would */
static void
fire(struct nhrp_peer *p)
{
	peer_timer_fire(p);
}

static size_t
count(const char *event)
{
	size_t i, n = 0;

	for (i = 0; i < fake.nhook; i++)
		if (strcmp(fake.hook[i].event, event) == 0)
			n++;
	return n;
}

int
main(void)
{
	struct sysdep_link l;
	struct sysdep_addr ad;
	struct nhrp_conf *conf;
	struct nhrp_peer *p;
	uint8_t buf[512];
	size_t len, npkt;
	static const char cfg[] = "interface gre1\n holding-time 60\n";

	core_fake_time = true;
	core_fake_now = 1000.0;
	nhrp_loop = ev_default_loop(0);
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

	/* registration: peer-register, peer-up, neighbour ACK, reply */
	len = regreq(buf, sizeof(buf), 1, 30);
	rx(buf, len);
	fake_hook_done(0);
	fake_hook_done(0);
	fake_neigh_ack(0);
	p = binding();
	OK(p != NULL && peer_is_up(p), "registered and up");
	INT_EQ(fake.npkt, 1, "reply sent");
	OK(p != NULL && p->expire == 1030.0, "expires 30 s after the reply");

	/* slow hooks: the holding time starts with the reply, not the request */
	core_fake_now = 1010.0;
	len = regreq(buf, sizeof(buf), 9, 30);
	{
		struct nhrp_packet q;
		struct nhrp_addr o = A("198.51.100.7");

		/* a second spoke whose hooks take 8 s */
		if (nhrp_packet_parse(buf, len, &q, NULL) == 0) {
			q.src_nbma = A("198.51.100.7");
			q.src_proto = A("10.255.255.7");
			len = (size_t)nhrp_packet_build(&q, buf, sizeof(buf));
			nhrp_packet_clear(&q);
		}
		packet_receive(5, &o, buf, len);
	}
	core_fake_now = 1014.0;
	fake_hook_done(0);
	core_fake_now = 1018.0;
	fake_hook_done(0);
	fake_neigh_ack(0);
	{
		struct nhrp_addr a7 = A("10.255.255.7");

		p = cache_find_exact(iface_by_name("gre1"), &a7, 32,
		    PT(PEER_DYNAMIC));
	}
	OK(p != NULL && peer_is_up(p) && p->expire == 1048.0,
	    "hooks took 8 s: expires 30 s after the reply, not the request");
	core_fake_now = 1000.0;

	/* refresh at 1025; its hook is still running at 1031 */
	core_fake_now = 1025.0;
	len = regreq(buf, sizeof(buf), 2, 30);
	rx(buf, len);
	INT_EQ(count("peer-register"), 3, "refresh runs peer-register");
	core_fake_now = 1031.0;
	fire(binding());
	p = binding();
	OK(p != NULL && peer_is_up(p),
	    "not expired while the refresh's hook runs");
	INT_EQ(count("peer-down"), 0, "no peer-down meanwhile");
	OK(p != NULL && peer_timer_left(p) >= 0,
	    "expiry re-checked later");
	npkt = fake.npkt;
	fake_hook_done(0);
	p = binding();
	OK(p != NULL && peer_is_up(p) && p->expire == 1061.0,
	    "refresh accepted: expires 30 s after the reply");
	INT_EQ(fake.npkt, npkt + 1, "refresh answered");
	INT_EQ(count("peer-up"), 2, "no second peer-up (one per spoke)");
	INT_EQ(count("peer-down"), 0, "no peer-down");
	OK(p != NULL && (p->flags & PEER_F_REFRESHING) == 0,
	    "refresh mark cleared");

	/* a refused refresh: the binding expires once the hook said no */
	core_fake_now = 1055.0;
	len = regreq(buf, sizeof(buf), 3, 30);
	rx(buf, len);
	core_fake_now = 1062.0;
	fire(binding());
	OK(binding() != NULL, "kept while the refusing hook runs");
	fake_hook_done(1);
	OK(binding() == NULL, "refused refresh: expired binding removed");
	OK(count("peer-down") == 1 && fake_hook_has(fake_last_hook("peer-down"),
	    "NHRP_TYPE=dynamic NHRP_DESTADDR=10.255.255.2 "
	    "NHRP_PEER_DOWN_REASON=expired"), "peer-down with reason expired");

	/* a refresh from the same NBMA after expiry is a new binding */
	core_fake_now = 1100.0;
	len = regreq(buf, sizeof(buf), 4, 30);
	rx(buf, len);
	fake_hook_done(0);
	fake_hook_done(0);
	fake_neigh_ack(0);
	p = binding();
	OK(p != NULL && peer_is_up(p) && (p->flags & PEER_F_REFRESHING) == 0,
	    "registered again, no stale refresh mark");
	INT_EQ(count("peer-up"), 3, "peer-up for the new binding");

	conf_free(conf);
	return tap_done();
}
