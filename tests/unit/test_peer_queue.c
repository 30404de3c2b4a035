/*
 * test_peer_queue.c - PEER-32, the one-slot packet queue of 5.6: a packet
 * routed to an entry that is neither up nor lower-up waits on it (a newer
 * one replaces it), leaves when the entry goes up, is dropped when the
 * entry's pending work is cancelled or the entry removed; up and lower-up
 * entries send at once; request retransmissions never queue.
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
#include "nhrp/packet_io.h"
#include "nhrp/peer.h"
#include "tests/tap.h"
#include "tests/unit/fake_sysdep.h"
#include "tests/unit/fixture.h"

static const char cfg[] =
    "interface gre1\n"
    " holding-time 600\n";

static struct nhrp_peer *
dyn_peer(const char *proto, const char *nbma, unsigned flags)
{
	struct nhrp_peer *p;

	if ((p = peer_new(iface_by_name("gre1"), PEER_DYNAMIC)) == NULL)
		return NULL;
	p->proto = fx_a(proto);
	p->prefix = 32;
	p->nbma = fx_a(nbma);
	p->flags |= flags;
	peer_insert(p);
	return p;
}

/* a Purge Request with request id id to dst, routed and sent */
static int
route_send(const char *dst, uint32_t id)
{
	struct nhrp_packet q;
	struct nhrp_addr to = fx_a(dst);
	int r;

	fx_req(&q, NHRP_PURGE_REQUEST, 0, id, "198.51.100.2", "10.255.255.1",
	    dst);
	fx_req_exts(&q);
	r = packet_route_send(iface_by_name("gre1"), &q, &to);
	nhrp_packet_clear(&q);
	return r;
}

/* request id of the last packet sent, when it went to nbma; else 0 */
static uint32_t
last_sent_id(const char *nbma)
{
	struct nhrp_packet p;
	struct nhrp_addr to;
	uint32_t id = 0;

	if (fx_sent(-1, &p, &to) != 0)
		return 0;
	if (strcmp(fx_fmt(&to), nbma) == 0)
		id = p.request_id;
	nhrp_packet_clear(&p);
	return id;
}

static void
test_queue_replace_up(void)
{
	struct nhrp_peer *p;
	uint64_t q0 = nhrp_counters.tx_queued;
	uint64_t r0 = nhrp_counters.tx_queue_replaced;

	p = dyn_peer("10.255.255.50", "198.51.100.50", 0);
	if (!OK(p != NULL, "a dynamic entry that is not up"))
		return;
	fx_forget();
	INT_EQ(route_send("10.255.255.50", 101), 0, "routing to it succeeds");
	INT_EQ(fake.npkt, 0, "nothing is sent to an entry neither up nor "
	    "lower-up");
	INT_EQ(packet_queue_count(), 1, "the packet is queued on it");
	INT_EQ(nhrp_counters.tx_queued - q0, 1, "counted as queued");
	INT_EQ(route_send("10.255.255.50", 102), 0, "a second packet");
	INT_EQ(fake.npkt, 0, "still nothing sent");
	INT_EQ(packet_queue_count(), 1, "one slot: still one packet queued");
	INT_EQ(nhrp_counters.tx_queue_replaced - r0, 1, "counted as replaced");
	peer_set_up(p);
	INT_EQ(fake.npkt, 1, "going up sends exactly one packet");
	INT_EQ(last_sent_id("198.51.100.50"), 102,
	    "the newest one, to the entry's NBMA");
	INT_EQ(packet_queue_count(), 0, "the queue is empty");
	fx_forget();
	peer_set_up(p);
	INT_EQ(fake.npkt, 0, "going up again sends nothing more");
	INT_EQ(route_send("10.255.255.50", 103), 0, "a packet to the up entry");
	INT_EQ(fake.npkt, 1, "is sent at once");
	INT_EQ(last_sent_id("198.51.100.50"), 103, "that packet");
	INT_EQ(packet_queue_count(), 0, "nothing queued");
	peer_remove(p, "user-request");
}

static void
test_lower_up(void)
{
	struct nhrp_peer *p;

	p = dyn_peer("10.255.255.51", "198.51.100.51", PEER_F_LOWER_UP);
	if (!OK(p != NULL, "a lower-up entry that is not up"))
		return;
	fx_forget();
	INT_EQ(route_send("10.255.255.51", 111), 0, "routing to it succeeds");
	INT_EQ(fake.npkt, 1, "a lower-up entry sends at once");
	INT_EQ(last_sent_id("198.51.100.51"), 111, "that packet");
	INT_EQ(packet_queue_count(), 0, "nothing queued");
	peer_remove(p, "user-request");
}

static void
test_cancel_remove(void)
{
	struct nhrp_peer *p;
	uint64_t d0 = nhrp_counters.tx_queue_dropped;
	size_t before = peer_allocated();

	p = dyn_peer("10.255.255.52", "198.51.100.52", 0);
	if (!OK(p != NULL, "an entry for the cancel case"))
		return;
	fx_forget();
	route_send("10.255.255.52", 121);
	INT_EQ(packet_queue_count(), 1, "queued");
	peer_cancel(p);
	INT_EQ(packet_queue_count(), 0, "cancelling the entry's work drops it");
	INT_EQ(nhrp_counters.tx_queue_dropped - d0, 1, "counted as dropped");
	peer_set_up(p);
	INT_EQ(fake.npkt, 0, "nothing is sent when it goes up later");
	peer_remove(p, "user-request");

	p = dyn_peer("10.255.255.53", "198.51.100.53", 0);
	if (!OK(p != NULL, "an entry for the removal case"))
		return;
	route_send("10.255.255.53", 131);
	INT_EQ(packet_queue_count(), 1, "queued");
	peer_remove(p, "user-request");
	INT_EQ(packet_queue_count(), 0, "removing the entry drops it");
	INT_EQ(fake.npkt, 0, "nothing sent");
	INT_EQ(peer_allocated(), before, "both entries are freed (the slot "
	    "released its reference)");
}

static void
test_retransmit(void)
{
	struct nhrp_peer *p;
	struct nhrp_request *r;
	struct nhrp_packet q;

	p = dyn_peer("10.255.255.54", "198.51.100.54", 0);
	if (!OK(p != NULL, "an entry for the retransmission case"))
		return;
	fx_forget();
	fx_req(&q, NHRP_RESOLUTION_REQUEST, 0, 141, "198.51.100.2",
	    "10.255.255.1", "10.255.255.54");
	fx_req_exts(&q);
	r = request_send(iface_by_name("gre1"), &p->nbma, &q, NULL, NULL);
	nhrp_packet_clear(&q);
	if (!OK(r != NULL, "a request to the entry's NBMA"))
		return;
	INT_EQ(fake.npkt, 1, "the request is sent at once");
	fx_fire_timer(&r->timer);
	INT_EQ(fake.npkt, 2, "its retransmission too");
	INT_EQ(last_sent_id("198.51.100.54"), 141, "the same request");
	INT_EQ(packet_queue_count(), 0, "nothing queued");
	request_cancel(r);
	peer_remove(p, "user-request");
}

int
main(void)
{
	struct nhrp_conf *conf;

	conf = fx_init(cfg, 1000.0);
	if (!OK(conf != NULL, "configuration parses"))
		return tap_done();
	fx_three_gre("10.255.255.1", NULL);

	test_queue_replace_up();
	test_lower_up();
	test_cancel_remove();
	test_retransmit();
	INT_EQ(packet_queue_count(), 0, "nothing left queued");
	conf_free(conf);
	return tap_done();
}
