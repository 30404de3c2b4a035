/*
 * floor: the do-nothing NHRP responder, the floor of the scale benchmark.
 *
 *   floor [-aq] [-i iface] -A hub-proto -N hub-nbma [-t holding]
 *
 * It does the least a hub must do per request, and nothing else: read the
 * NHRP frame from an AF_PACKET socket on the GRE device, parse it with
 * libnhrp, and
 *   - Registration Request: install the kernel neighbour entry
 *     (protocol address -> NBMA address) with an acknowledged rtnetlink
 *     request and reply success, or reply "insufficient resources" when
 *     the kernel refused the entry (the honest floor: a hub that cannot
 *     install the neighbour cannot carry the spoke's traffic);
 *   - Resolution Request for a registered address: forward it to that
 *     spoke, and forward the spoke's Resolution Reply back to the
 *     requester (what OpenNHRP and FRR hubs do; a transit CIE is appended
 *     when the packet has the extension); with -a, answer from the table
 *     of registrations instead (one hop less);
 *   - Purge Request: drop the binding and its neighbour, reply unless N.
 * No timers, no expiry, no hooks, no forwarding, no authentication.
 * SIGINT/SIGTERM print the counters on stderr and exit 0; SIGUSR1 prints
 * them and goes on.
 *
 * A bench tool, not the daemon.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* recvmmsg */
#endif
#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "libnhrp/addr.h"
#include "libnhrp/hash.h"
#include "libnhrp/packet.h"

#define FRAME_MAX	2048
#define RX_BATCH	64

struct binding {
	struct nhrp_hnode	node;
	uint32_t		proto;	/* network order */
	uint32_t		nbma;
};

struct counters {
	unsigned long	rx, parse_err, reg_req, reg_ok, reg_fail, res_req,
			res_ok, res_nobind, res_fwd, rep_fwd, purge_req, purge_removed, other,
			tx, tx_err, neigh_ok, neigh_err;
	int		last_neigh_err;
};

static struct counters	 cnt;
static struct nhrp_htable bindings;
static struct mnl_socket *nl;
static unsigned		 nl_portid, nl_seq;
static int		 pfd = -1;
static unsigned		 ifindex;
static uint32_t		 hub_proto, hub_nbma;
static unsigned		 holding = 600;
static int		 quiet, answer_self;
static volatile sig_atomic_t got_stop, got_dump;

static void usage(void) __attribute__((__noreturn__));
static void die(const char *, ...) __attribute__((__noreturn__, format(printf, 1, 2)));

static void
usage(void)
{
	fprintf(stderr, "usage: floor [-aq] [-i iface] -A hub-proto -N hub-nbma "
	    "[-t holding]\n");
	exit(2);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("floor: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_dump = 1;
	else
		got_stop = 1;
}

static uint32_t
ip4(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		die("bad IPv4 address '%s'", s);
	return a.s_addr;
}

static uint32_t
hash32(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x7feb352dU;
	v ^= v >> 15;
	v *= 0x846ca68bU;
	v ^= v >> 16;
	return v;
}

static struct binding *
binding_find(uint32_t proto)
{
	struct nhrp_hnode *n;
	struct binding *b;
	uint32_t h = hash32(proto);

	for (n = nhrp_htable_first(&bindings, h); n != NULL;
	    n = nhrp_htable_next(n)) {
		b = nhrp_hnode_entry(n, struct binding, node);
		if (b->proto == proto)
			return b;
	}
	return NULL;
}

/* ---- rtnetlink ------------------------------------------------------------ */

/* One acknowledged neighbour request; 0 or -errno. */
static int
neigh_update(uint32_t proto, uint32_t nbma, int add)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	unsigned seq;
	ssize_t n;
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWNEIGH : RTM_DELNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK |
	    (add ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	nlh->nlmsg_seq = seq = ++nl_seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = (int)ifindex;
	ndm->ndm_state = add ? NUD_REACHABLE : 0;
	ndm->ndm_type = RTN_UNICAST;
	mnl_attr_put(nlh, NDA_DST, 4, &proto);
	if (add)
		mnl_attr_put(nlh, NDA_LLADDR, 4, &nbma);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		rc = mnl_cb_run(buf, (size_t)n, seq, nl_portid, NULL, NULL);
		if (rc == MNL_CB_ERROR)
			return errno != 0 ? -errno : -EIO;
		if (rc == MNL_CB_STOP)
			return 0;
		/* an ACK with error 0 comes back as MNL_CB_STOP; keep reading */
	}
}

/* ---- replies ------------------------------------------------------------- */

static void
send_to(const struct nhrp_packet *pkt, uint32_t nbma)
{
	uint8_t buf[FRAME_MAX];
	struct sockaddr_ll sll;
	ssize_t n;

	n = nhrp_packet_build(pkt, buf, sizeof(buf));
	if (n < 0) {
		cnt.tx_err++;
		return;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(NHRP_ETHERTYPE);
	sll.sll_ifindex = (int)ifindex;
	sll.sll_halen = 4;
	memcpy(sll.sll_addr, &nbma, 4);
	if (sendto(pfd, buf, (size_t)n, 0, (struct sockaddr *)&sll,
	    sizeof(sll)) < 0)
		cnt.tx_err++;
	else
		cnt.tx++;
}

static int
fill_responder(struct nhrp_packet *rep)
{
	struct nhrp_ext *e;
	struct nhrp_cie *c;

	if ((e = nhrp_packet_ext_find(rep, NHRP_EXT_RESPONDER)) == NULL ||
	    e->cies.n != 0)
		return 0;
	if ((c = nhrp_cie_list_add(&e->cies)) == NULL)
		return -1;
	c->holding_time = (uint16_t)holding;
	nhrp_addr_set_ipv4(&c->nbma, hub_nbma);
	nhrp_addr_set_ipv4(&c->proto, hub_proto);
	return 0;
}

static void
registration(const struct nhrp_packet *req, uint32_t outer)
{
	struct nhrp_packet rep;
	struct nhrp_cie *c;
	struct binding *b;
	uint32_t proto;
	size_t i;
	int rc;

	cnt.reg_req++;
	if (req->cies.n == 0 || nhrp_packet_copy(&rep, req) != 0) {
		cnt.other++;
		return;
	}
	rep.type = NHRP_REGISTRATION_REPLY;
	rep.hop_count = NHRP_HOP_COUNT;
	rep.flags &= NHRP_FLAG_REG_U | NHRP_FLAG_CISCO_NAT;
	nhrp_addr_set_ipv4(&rep.dst_proto, hub_proto);
	for (i = 0; i < rep.cies.n; i++) {
		c = &rep.cies.cie[i];
		proto = c->proto.len == 4 ? nhrp_addr_ipv4(&c->proto) :
		    nhrp_addr_ipv4(&req->src_proto);
		rc = neigh_update(proto, outer, 1);
		if (rc != 0) {
			cnt.neigh_err++;
			cnt.last_neigh_err = -rc;
			cnt.reg_fail++;
			c->code = NHRP_CODE_INSUFFICIENT_RESOURCES;
			continue;
		}
		cnt.neigh_ok++;
		if ((b = binding_find(proto)) == NULL) {
			if ((b = calloc(1, sizeof(*b))) == NULL) {
				cnt.reg_fail++;
				c->code = NHRP_CODE_INSUFFICIENT_RESOURCES;
				continue;
			}
			b->proto = proto;
			(void)nhrp_htable_insert(&bindings, &b->node,
			    hash32(proto));
		}
		b->nbma = outer;
		c->code = NHRP_CODE_SUCCESS;
		cnt.reg_ok++;
	}
	if (fill_responder(&rep) == 0)
		send_to(&rep, outer);
	nhrp_packet_clear(&rep);
}

/* Forwards pkt one hop to nbma, with our transit CIE in ext (if present). */
static void
forward(const struct nhrp_packet *pkt, uint16_t ext, uint32_t nbma)
{
	struct nhrp_packet fwd;
	struct nhrp_ext *e;
	struct nhrp_cie *c;

	if (pkt->hop_count <= 1 || nhrp_packet_copy(&fwd, pkt) != 0) {
		cnt.other++;
		return;
	}
	fwd.hop_count--;
	if ((e = nhrp_packet_ext_find(&fwd, ext)) != NULL) {
		if ((c = nhrp_cie_list_add(&e->cies)) == NULL)
			goto out;
		c->holding_time = (uint16_t)holding;
		nhrp_addr_set_ipv4(&c->nbma, hub_nbma);
		nhrp_addr_set_ipv4(&c->proto, hub_proto);
	}
	if (ext == NHRP_EXT_REVERSE_TRANSIT && fill_responder(&fwd) != 0)
		goto out;
	send_to(&fwd, nbma);
out:
	nhrp_packet_clear(&fwd);
}

static void
resolution_reply(const struct nhrp_packet *rep)
{
	struct binding *b;

	b = rep->src_proto.len == 4 ?
	    binding_find(nhrp_addr_ipv4(&rep->src_proto)) : NULL;
	if (b == NULL) {
		cnt.other++;
		return;
	}
	cnt.rep_fwd++;
	forward(rep, NHRP_EXT_REVERSE_TRANSIT, b->nbma);
}

static void
resolution(const struct nhrp_packet *req, uint32_t outer)
{
	struct nhrp_packet rep;
	struct nhrp_ext *e;
	struct nhrp_cie *c;
	struct binding *b;

	cnt.res_req++;
	b = req->dst_proto.len == 4 ?
	    binding_find(nhrp_addr_ipv4(&req->dst_proto)) : NULL;
	if (b != NULL && !answer_self && b->nbma != outer) {
		cnt.res_fwd++;
		forward(req, NHRP_EXT_FORWARD_TRANSIT, b->nbma);
		return;
	}
	if (nhrp_packet_copy(&rep, req) != 0) {
		cnt.other++;
		return;
	}
	rep.type = NHRP_RESOLUTION_REPLY;
	rep.hop_count = NHRP_HOP_COUNT;
	rep.flags = (req->flags & (NHRP_FLAG_RES_Q | NHRP_FLAG_RES_S |
	    NHRP_FLAG_RES_U | NHRP_FLAG_CISCO_NAT)) | NHRP_FLAG_RES_D |
	    NHRP_FLAG_RES_A;
	nhrp_cie_list_clear(&rep.cies);
	if ((c = nhrp_cie_list_add(&rep.cies)) == NULL)
		goto out;
	if (b != NULL) {
		c->prefix_len = 32;
		c->holding_time = (uint16_t)holding;
		nhrp_addr_set_ipv4(&c->nbma, b->nbma);
		nhrp_addr_set_ipv4(&c->proto, b->proto);
		cnt.res_ok++;
	} else {
		c->code = NHRP_CODE_NO_BINDING;
		c->prefix_len = 32;
		c->proto = req->dst_proto;
		cnt.res_nobind++;
	}
	if ((e = nhrp_packet_ext_find(&rep, NHRP_EXT_NAT_ADDRESS)) != NULL)
		nhrp_cie_list_clear(&e->cies);
	if (fill_responder(&rep) == 0)
		send_to(&rep, outer);
out:
	nhrp_packet_clear(&rep);
}

static void
purge(const struct nhrp_packet *req, uint32_t outer)
{
	struct nhrp_packet rep;
	const struct nhrp_cie *c;
	struct binding *b;
	size_t i;

	cnt.purge_req++;
	if ((req->flags & NHRP_FLAG_PURGE_N) == 0 &&
	    nhrp_packet_copy(&rep, req) == 0) {
		rep.type = NHRP_PURGE_REPLY;
		rep.hop_count = NHRP_HOP_COUNT;
		rep.flags = 0;
		if (fill_responder(&rep) == 0)
			send_to(&rep, outer);
		nhrp_packet_clear(&rep);
	}
	for (i = 0; i < req->cies.n; i++) {
		c = &req->cies.cie[i];
		if (c->proto.len != 4)
			continue;
		b = binding_find(nhrp_addr_ipv4(&c->proto));
		if (b == NULL || b->nbma != outer)
			continue;
		nhrp_htable_remove(&bindings, &b->node);
		(void)neigh_update(b->proto, b->nbma, 0);
		free(b);
		cnt.purge_removed++;
	}
}

static void
handle(const uint8_t *p, size_t len, const struct sockaddr_ll *sll)
{
	struct nhrp_packet pkt;
	uint32_t outer;

	cnt.rx++;
	if (sll->sll_halen != 4) {
		cnt.other++;
		return;
	}
	memcpy(&outer, sll->sll_addr, 4);
	if (nhrp_packet_parse(p, len, &pkt, NULL) != 0) {
		cnt.parse_err++;
		return;
	}
	switch (pkt.type) {
	case NHRP_REGISTRATION_REQUEST:
		registration(&pkt, outer);
		break;
	case NHRP_RESOLUTION_REQUEST:
		resolution(&pkt, outer);
		break;
	case NHRP_RESOLUTION_REPLY:
		resolution_reply(&pkt);
		break;
	case NHRP_PURGE_REQUEST:
		purge(&pkt, outer);
		break;
	default:
		cnt.other++;
		break;
	}
	nhrp_packet_clear(&pkt);
}

static void
dump(void)
{
	fprintf(stderr, "floor rx=%lu parse_err=%lu reg_req=%lu reg_ok=%lu "
	    "reg_fail=%lu res_req=%lu res_ok=%lu res_nobind=%lu res_fwd=%lu "
	    "rep_fwd=%lu purge_req=%lu "
	    "purge_removed=%lu other=%lu tx=%lu tx_err=%lu neigh_ok=%lu "
	    "neigh_err=%lu last_neigh_err=%s bindings=%zu\n",
	    cnt.rx, cnt.parse_err, cnt.reg_req, cnt.reg_ok, cnt.reg_fail,
	    cnt.res_req, cnt.res_ok, cnt.res_nobind, cnt.res_fwd, cnt.rep_fwd,
	    cnt.purge_req,
	    cnt.purge_removed, cnt.other, cnt.tx, cnt.tx_err, cnt.neigh_ok,
	    cnt.neigh_err, cnt.last_neigh_err ? strerror(cnt.last_neigh_err) :
	    "none", bindings.count);
}

int
main(int argc, char *argv[])
{
	static uint8_t bufs[RX_BATCH][FRAME_MAX];
	struct mmsghdr msgs[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_ll sll[RX_BATCH], me;
	struct sigaction sa;
	struct pollfd pl;
	const char *ifname = "gre1";
	int ch, i, n, one = 1, sz = 16 << 20;

	hub_proto = hub_nbma = 0;
	while ((ch = getopt(argc, argv, "aA:i:N:qt:")) != -1) {
		switch (ch) {
		case 'a': answer_self = 1; break;
		case 'A': hub_proto = ip4(optarg); break;
		case 'i': ifname = optarg; break;
		case 'N': hub_nbma = ip4(optarg); break;
		case 'q': quiet = 1; break;
		case 't': holding = (unsigned)atoi(optarg); break;
		default: usage();
		}
	}
	if (optind != argc || hub_proto == 0 || hub_nbma == 0 ||
	    holding == 0 || holding > 65535)
		usage();
	if ((ifindex = if_nametoindex(ifname)) == 0)
		die("no interface %s", ifname);

	if ((nl = mnl_socket_open(NETLINK_ROUTE)) == NULL ||
	    mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("rtnetlink: %s", strerror(errno));
	nl_portid = mnl_socket_get_portid(nl);
	nl_seq = (unsigned)time(NULL);

	pfd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    htons(NHRP_ETHERTYPE));
	if (pfd < 0)
		die("packet socket: %s", strerror(errno));
#ifdef PACKET_IGNORE_OUTGOING
	(void)setsockopt(pfd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
	    sizeof(one));
#endif
	if (setsockopt(pfd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(pfd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	memset(&me, 0, sizeof(me));
	me.sll_family = AF_PACKET;
	me.sll_protocol = htons(NHRP_ETHERTYPE);
	me.sll_ifindex = (int)ifindex;
	if (bind(pfd, (struct sockaddr *)&me, sizeof(me)) < 0)
		die("bind %s: %s", ifname, strerror(errno));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	nhrp_htable_init(&bindings);
	if (!quiet)
		fprintf(stderr, "floor: ready on %s\n", ifname);

	pl.fd = pfd;
	pl.events = POLLIN;
	while (!got_stop) {
		if (got_dump) {
			got_dump = 0;
			dump();
		}
		if (poll(&pl, 1, 1000) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (;;) {
			memset(msgs, 0, sizeof(msgs));
			for (i = 0; i < RX_BATCH; i++) {
				iov[i].iov_base = bufs[i];
				iov[i].iov_len = FRAME_MAX;
				msgs[i].msg_hdr.msg_iov = &iov[i];
				msgs[i].msg_hdr.msg_iovlen = 1;
				msgs[i].msg_hdr.msg_name = &sll[i];
				msgs[i].msg_hdr.msg_namelen = sizeof(sll[i]);
			}
			n = recvmmsg(pfd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
			if (n <= 0)
				break;
			for (i = 0; i < n; i++) {
				if (sll[i].sll_pkttype == PACKET_OUTGOING)
					continue;
				handle(bufs[i], msgs[i].msg_len, &sll[i]);
			}
			if (n < RX_BATCH)
				break;
		}
	}
	dump();
	return 0;
}
