/*
 * loadgen: emulate N NHRP spokes from one process, for the scale benchmark.
 *
 *   loadgen [options] MODE
 *
 * Every spoke is only a pair of addresses: an NBMA address (the outer GRE
 * source) and a protocol address inside the hub's GRE subnet.  Requests are
 * complete IPv4 + GRE (key) + NHRP frames written to a raw IP socket
 * (IP_HDRINCL), so the generator needs no per-spoke kernel state; the hub's
 * answers come back through an AF_PACKET socket on the interface facing the
 * hub (the hub routes the spokes' NBMA range through this namespace).
 *
 * Modes:
 *   reg      every spoke registers once (cold wave)
 *   refresh  the same requests again (the hub already knows the spokes)
 *   resolve  registered spokes resolve other registered spokes' addresses;
 *            a Resolution Request the hub forwards to a spoke is answered
 *            by that spoke, authoritatively, as a real spoke would
 *   churn    a fraction of the spokes purges its registration and
 *            registers again
 *
 * A window of outstanding requests paces the load, so the hub's queueing
 * is measured rather than socket drops.  Requests are retransmitted with
 * the same request id after a timeout, like a real spoke.  Replies are
 * matched on (source protocol address, request id).  Output: a human
 * table and one machine-readable "loadgen key=value ..." line on stdout;
 * the exit status is 0 when every operation succeeded, 3 otherwise.
 *
 * Options (defaults in brackets):
 *   -i IFACE   interface towards the hub [eth0]
 *   -H NBMA    hub NBMA address [198.18.0.1]; -A PROTO hub protocol
 *              address [100.64.0.1]
 *   -n N       spokes [1000]; spoke i has NBMA -b + i [198.19.0.1] and
 *              protocol address -a + i [100.64.0.2]
 *   -k KEY     GRE key, or "none" [1234]
 *   -t SECS    holding time registered [600]
 *   -w W       window of outstanding requests [256]
 *   -T MS      retransmission timeout [5000]; -r TRIES transmissions [6]
 *              (OpenNHRP's spoke: 5 s, 6 transmissions)
 *   -c PCT     churn: percentage of the spokes that leave and return [10]
 *   -X MS      churn: how long a purge waits for its reply (sent once, as
 *              a leaving spoke does) [1000]
 *   -R COUNT   resolve: number of resolutions [N]; spoke i resolves
 *              spoke (i + N/2) mod N
 *   -f FORM    registration form: opennhrp (captures s1: hop 16, U|NAT,
 *              CIE prefix 255, sent to the hub's address) or frr
 *              (captures s6a: hop 1, NAT only, prefix 32, destination =
 *              own address) [opennhrp]; -U clears the U flag
 *   -D SECS    give up after SECS [600]; -L MS linger for late replies
 *              (answers to requests the spoke gave up on count as late;
 *              the linger ends early once every one has come) [0]
 *   -l LABEL   label in the summary; -q only the summary line
 *
 * A bench tool, not part of make check.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* recvmmsg */
#endif
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
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

#include "libnhrp/addr.h"
#include "libnhrp/packet.h"

#define IP_HDR_LEN	20
#define GRE_PROTO_IP	47
#define GRE_F_CSUM	0x8000
#define GRE_F_KEY	0x2000
#define GRE_F_SEQ	0x1000
#define FRAME_MAX	2048
#define RX_BATCH	64
#define SND_BUF		(8 << 20)
#define RCV_BUF		(64 << 20)

enum mode { M_REG, M_REFRESH, M_RESOLVE, M_CHURN };
static const char *const mode_names[] = { "reg", "refresh", "resolve", "churn" };

enum stage { ST_IDLE, ST_REG, ST_RES, ST_PURGE };

enum form { F_OPENNHRP, F_FRR };

TAILQ_HEAD(spokeq, spoke);
struct spoke {
	TAILQ_ENTRY(spoke) q;		/* outstanding, by last send time */
	uint32_t	nbma;		/* network order */
	uint32_t	proto;		/* network order */
	uint32_t	rid;
	uint64_t	sent_us;	/* first transmission of this request */
	uint64_t	last_us;	/* latest transmission */
	uint32_t	target;		/* resolve: index of the spoke to resolve */
	uint8_t		tries;
	uint8_t		stage;
	uint8_t		gaveup;		/* unanswered; a reply may still come */
	struct spokeq	*inq;		/* outq or purgeq */
};

struct opts {
	const char	*ifname;
	uint32_t	 hub_nbma, hub_proto, first_nbma, first_proto;
	unsigned	 nspokes;
	unsigned	 window;
	unsigned	 holding;
	unsigned	 rto_ms;
	unsigned	 purge_ms;
	unsigned	 tries;
	unsigned	 churn_pct;
	unsigned	 resolves;
	unsigned	 max_secs;
	unsigned	 linger_ms;
	int		 have_key;
	uint32_t	 key;
	int		 unique;
	enum form	 form;
	const char	*label;
	int		 quiet;
};

struct stats {
	unsigned long	sent, retrans, rx, rx_nhrp, parse_err, ok, fail, unanswered,
			dup, errind, wrong, fwd_answered, other, purge_ok,
			purge_fail, unfinished, late;
	unsigned	last_fail_code;
	unsigned long	fail_codes[257];	/* failed replies by CIE code; 256: no CIE */
};

static struct opts	 o;
static struct stats	 st;
static struct spoke	*spokes;
static struct spokeq	 outq = TAILQ_HEAD_INITIALIZER(outq);
static struct spokeq	 purgeq = TAILQ_HEAD_INITIALIZER(purgeq);
static unsigned		 outstanding;
static unsigned		 gaveup;	/* spokes waiting for a late reply */
static uint32_t		 next_rid;
static uint32_t		*lat_us, *purge_lat_us;
static size_t		 nlat, npurge_lat;
static int		 rawfd = -1, rxfd = -1;
static struct sockaddr_in hub_sin;
static volatile sig_atomic_t stop;

static void usage(void) __attribute__((__noreturn__));
static void die(const char *, ...) __attribute__((__noreturn__, format(printf, 1, 2)));

static void
usage(void)
{
	fprintf(stderr,
	    "usage: loadgen [-qU] [-i iface] [-H hub-nbma] [-A hub-proto] "
	    "[-n spokes]\n"
	    "               [-b first-nbma] [-a first-proto] [-k key|none] "
	    "[-t holding]\n"
	    "               [-w window] [-T rto-ms] [-r tries] [-c churn-pct] "
	    "[-R resolves]\n"
	    "               [-D max-seconds] [-L linger-ms] [-X purge-wait-ms] "
	    "[-f opennhrp|frr]\n"
	    "               [-l label]\n"
	    "               reg|refresh|resolve|churn\n");
	exit(2);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("loadgen: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static unsigned
num(const char *s, unsigned lo, unsigned hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		die("bad number '%s' (%u..%u)", s, lo, hi);
	return (unsigned)v;
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
ip4_add(uint32_t be, uint32_t n)
{
	return htonl(ntohl(be) + n);
}

static void
on_signal(int sig)
{
	stop = 1;
}

/* ---- frames ------------------------------------------------------------ */

static size_t
outer_len(void)
{
	return IP_HDR_LEN + 4 + (o.have_key ? 4 : 0);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Fills the IPv4 and GRE headers in front of nlen bytes of NHRP. */
static size_t
frame_wrap(uint8_t *buf, size_t nlen, uint32_t src, uint32_t dst)
{
	size_t hl = outer_len(), tot = hl + nlen;

	memset(buf, 0, hl);
	buf[0] = 0x45;
	put16(buf + 2, (uint16_t)tot);
	put16(buf + 6, 0x4000);		/* DF, like the kernel's GRE */
	buf[8] = 64;
	buf[9] = GRE_PROTO_IP;
	memcpy(buf + 12, &src, 4);
	memcpy(buf + 16, &dst, 4);
	put16(buf + IP_HDR_LEN, o.have_key ? GRE_F_KEY : 0);
	put16(buf + IP_HDR_LEN + 2, NHRP_ETHERTYPE);
	if (o.have_key) {
		uint32_t k = htonl(o.key);

		memcpy(buf + IP_HDR_LEN + 4, &k, 4);
	}
	return tot;
}

static void
frame_send(uint8_t *buf, size_t len)
{
	if (sendto(rawfd, buf, len, 0, (struct sockaddr *)&hub_sin,
	    sizeof(hub_sin)) < 0) {
		if (errno != ENOBUFS && errno != EAGAIN)
			die("sendto: %s", strerror(errno));
		return;		/* counted as sent: the retransmission covers it */
	}
}

static int
add_std_exts(struct nhrp_packet *pkt, int nat)
{
	struct nhrp_ext *e;
	struct nhrp_cie *c;

	if (nhrp_packet_ext_add(pkt, NHRP_EXT_FORWARD_TRANSIT, true) == NULL ||
	    nhrp_packet_ext_add(pkt, NHRP_EXT_REVERSE_TRANSIT, true) == NULL ||
	    nhrp_packet_ext_add(pkt, NHRP_EXT_RESPONDER, true) == NULL)
		return -1;
	if (!nat)
		return 0;
	if ((e = nhrp_packet_ext_add(pkt, NHRP_EXT_NAT_ADDRESS, false)) == NULL)
		return -1;
	if (nat == 2) {
		/* the NHS's NAT CIE a registering spoke sends */
		if ((c = nhrp_cie_list_add(&e->cies)) == NULL)
			return -1;
		c->prefix_len = 32;
		nhrp_addr_set_ipv4(&c->nbma, o.hub_nbma);
		if (o.form == F_FRR)
			nhrp_addr_set_ipv4(&c->proto, 0);
		else
			nhrp_addr_set_ipv4(&c->proto, o.hub_proto);
	}
	return 0;
}

static void
build_send(struct nhrp_packet *pkt, uint32_t src_nbma)
{
	uint8_t buf[FRAME_MAX];
	ssize_t n;
	size_t hl = outer_len();

	n = nhrp_packet_build(pkt, buf + hl, sizeof(buf) - hl);
	if (n < 0)
		die("nhrp_packet_build: %s", nhrp_codec_strerror((int)n));
	frame_send(buf, frame_wrap(buf, (size_t)n, src_nbma, o.hub_nbma));
	st.sent++;
}

static void
send_request(struct spoke *s)
{
	struct nhrp_packet pkt;
	struct nhrp_cie *c;
	int ok;

	switch (s->stage) {
	case ST_REG:
		nhrp_packet_init(&pkt, NHRP_REGISTRATION_REQUEST);
		break;
	case ST_RES:
		nhrp_packet_init(&pkt, NHRP_RESOLUTION_REQUEST);
		break;
	default:
		nhrp_packet_init(&pkt, NHRP_PURGE_REQUEST);
		break;
	}
	pkt.request_id = s->rid;
	nhrp_addr_set_ipv4(&pkt.src_nbma, s->nbma);
	nhrp_addr_set_ipv4(&pkt.src_proto, s->proto);
	nhrp_addr_set_ipv4(&pkt.dst_proto, o.hub_proto);
	if ((c = nhrp_cie_list_add(&pkt.cies)) == NULL)
		die("out of memory");
	c->holding_time = (uint16_t)o.holding;
	switch (s->stage) {
	case ST_REG:
		if (o.form == F_FRR) {
			pkt.hop_count = 1;
			pkt.flags = NHRP_FLAG_CISCO_NAT;
			nhrp_addr_set_ipv4(&pkt.dst_proto, s->proto);
			c->prefix_len = 32;
		} else {
			pkt.flags = NHRP_FLAG_CISCO_NAT |
			    (o.unique ? NHRP_FLAG_REG_U : 0);
			c->prefix_len = 0xff;
		}
		ok = add_std_exts(&pkt, 2);
		break;
	case ST_RES:
		pkt.flags = NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A |
		    NHRP_FLAG_CISCO_NAT;
		nhrp_addr_set_ipv4(&pkt.dst_proto, spokes[s->target].proto);
		ok = add_std_exts(&pkt, 1);
		break;
	default:
		/* purge of the spoke's own binding, reply wanted */
		c->prefix_len = 0xff;
		c->holding_time = 0;
		nhrp_addr_set_ipv4(&c->nbma, s->nbma);
		nhrp_addr_set_ipv4(&c->proto, s->proto);
		ok = add_std_exts(&pkt, 0);
		break;
	}
	if (ok != 0)
		die("out of memory");
	build_send(&pkt, s->nbma);
	nhrp_packet_clear(&pkt);
}

/* ---- outstanding requests ------------------------------------------------ */

static void
start_stage(struct spoke *s, enum stage stage, uint64_t now)
{
	if (s->gaveup) {
		s->gaveup = 0;
		gaveup--;
	}
	s->stage = stage;
	s->rid = next_rid++;
	if (next_rid == 0)
		next_rid = 1;
	s->tries = 1;
	s->sent_us = s->last_us = now;
	send_request(s);
	s->inq = stage == ST_PURGE ? &purgeq : &outq;
	TAILQ_INSERT_TAIL(s->inq, s, q);
}

static void
finish_op(struct spoke *s)
{
	s->stage = ST_IDLE;
	outstanding--;
}

/* The current stage of s ended (answered, failed or timed out). */
static void
stage_done(struct spoke *s, int answered, int success, uint64_t now)
{
	TAILQ_REMOVE(s->inq, s, q);
	if (s->stage == ST_PURGE) {
		if (answered && success) {
			st.purge_ok++;
			purge_lat_us[npurge_lat++] = (uint32_t)(now - s->sent_us);
		} else
			st.purge_fail++;
		/* register again whatever happened to the purge */
		start_stage(s, ST_REG, now);
		return;
	}
	if (!answered) {
		st.unanswered++;
		s->gaveup = 1;
		gaveup++;
	} else if (success) {
		st.ok++;
		lat_us[nlat++] = (uint32_t)(now - s->sent_us);
	} else
		st.fail++;
	finish_op(s);
}

static void
check_timeouts(uint64_t now)
{
	struct spoke *s;
	uint64_t rto = (uint64_t)o.rto_ms * 1000u;

	/* a purge is sent once, like a leaving spoke's; then it registers */
	while ((s = TAILQ_FIRST(&purgeq)) != NULL &&
	    s->last_us + (uint64_t)o.purge_ms * 1000u <= now)
		stage_done(s, 0, 0, now);
	while ((s = TAILQ_FIRST(&outq)) != NULL && s->last_us + rto <= now) {
		if (s->tries >= o.tries) {
			stage_done(s, 0, 0, now);
			continue;
		}
		TAILQ_REMOVE(&outq, s, q);
		s->tries++;
		s->last_us = now;
		st.retrans++;
		send_request(s);
		TAILQ_INSERT_TAIL(&outq, s, q);
	}
}

static struct spoke *
spoke_by_proto(const struct nhrp_addr *a)
{
	uint32_t i;

	if (a->afn != NHRP_AFN_IPV4 || a->len != 4)
		return NULL;
	i = ntohl(nhrp_addr_ipv4(a)) - ntohl(o.first_proto);
	return i < o.nspokes ? &spokes[i] : NULL;
}

/* ---- received packets ---------------------------------------------------- */

/* A Resolution Request the hub forwarded to spoke t: answer as t. */
static void
answer_resolution(struct spoke *t, const struct nhrp_packet *req)
{
	struct nhrp_packet rep;
	struct nhrp_ext *e;
	struct nhrp_cie *c;

	if (nhrp_packet_copy(&rep, req) != 0)
		die("out of memory");
	rep.type = NHRP_RESOLUTION_REPLY;
	rep.hop_count = NHRP_HOP_COUNT;
	rep.flags = (req->flags & (NHRP_FLAG_RES_Q | NHRP_FLAG_RES_S |
	    NHRP_FLAG_RES_U | NHRP_FLAG_CISCO_NAT)) | NHRP_FLAG_RES_D |
	    NHRP_FLAG_RES_A;
	nhrp_cie_list_clear(&rep.cies);
	if ((c = nhrp_cie_list_add(&rep.cies)) == NULL)
		die("out of memory");
	c->prefix_len = 32;
	c->holding_time = (uint16_t)o.holding;
	nhrp_addr_set_ipv4(&c->nbma, t->nbma);
	nhrp_addr_set_ipv4(&c->proto, t->proto);
	if ((e = nhrp_packet_ext_find(&rep, NHRP_EXT_NAT_ADDRESS)) != NULL)
		nhrp_cie_list_clear(&e->cies);
	if ((e = nhrp_packet_ext_find(&rep, NHRP_EXT_RESPONDER)) != NULL &&
	    e->cies.n == 0) {
		if ((c = nhrp_cie_list_add(&e->cies)) == NULL)
			die("out of memory");
		c->holding_time = (uint16_t)o.holding;
		nhrp_addr_set_ipv4(&c->nbma, t->nbma);
		nhrp_addr_set_ipv4(&c->proto, t->proto);
	}
	build_send(&rep, t->nbma);
	nhrp_packet_clear(&rep);
	st.fwd_answered++;
}

static void
handle_reply(struct spoke *s, const struct nhrp_packet *pkt, uint8_t want,
    uint64_t now)
{
	const struct nhrp_cie *c;
	int success;

	if (s != NULL && s->stage == ST_IDLE && s->gaveup &&
	    s->rid == pkt->request_id) {
		/* the answer to a request the spoke gave up on */
		s->gaveup = 0;
		gaveup--;
		st.late++;
		return;
	}
	if (s == NULL || s->stage == ST_IDLE || s->rid != pkt->request_id) {
		st.dup++;
		return;
	}
	if ((want == NHRP_REGISTRATION_REQUEST && s->stage != ST_REG) ||
	    (want == NHRP_RESOLUTION_REQUEST && s->stage != ST_RES) ||
	    (want == NHRP_PURGE_REQUEST && s->stage != ST_PURGE)) {
		st.dup++;
		return;
	}
	success = 1;
	if (want != NHRP_PURGE_REQUEST) {
		if (pkt->cies.n == 0) {
			success = 0;
			st.last_fail_code = 256;
			st.fail_codes[256]++;
		} else if ((c = &pkt->cies.cie[0])->code != NHRP_CODE_SUCCESS) {
			success = 0;
			st.last_fail_code = c->code;
			st.fail_codes[c->code]++;
		} else if (want == NHRP_RESOLUTION_REQUEST &&
		    (c->nbma.len != 4 ||
		    nhrp_addr_ipv4(&c->nbma) != spokes[s->target].nbma)) {
			st.wrong++;
			success = 0;
		}
	}
	stage_done(s, 1, success, now);
}

static void
handle_error_indication(const struct nhrp_packet *pkt, uint64_t now)
{
	struct nhrp_packet orig;
	struct spoke *s;

	st.errind++;
	st.last_fail_code = 1000u + pkt->error_code;
	if (nhrp_packet_parse_header_only(pkt->payload, pkt->payload_len,
	    &orig) != 0)
		return;
	s = spoke_by_proto(&orig.src_proto);
	if (s == NULL || s->stage == ST_IDLE || s->rid != orig.request_id)
		return;
	stage_done(s, 1, 0, now);
}

static void
handle_nhrp(const uint8_t *p, size_t len, uint32_t outer_dst, uint64_t now)
{
	struct nhrp_packet pkt;
	struct spoke *t;

	if (nhrp_packet_parse(p, len, &pkt, NULL) != 0) {
		st.parse_err++;
		return;
	}
	st.rx_nhrp++;
	switch (pkt.type) {
	case NHRP_REGISTRATION_REPLY:
		handle_reply(spoke_by_proto(&pkt.src_proto), &pkt,
		    NHRP_REGISTRATION_REQUEST, now);
		break;
	case NHRP_RESOLUTION_REPLY:
		handle_reply(spoke_by_proto(&pkt.src_proto), &pkt,
		    NHRP_RESOLUTION_REQUEST, now);
		break;
	case NHRP_PURGE_REPLY:
		handle_reply(spoke_by_proto(&pkt.src_proto), &pkt,
		    NHRP_PURGE_REQUEST, now);
		break;
	case NHRP_RESOLUTION_REQUEST:
		t = spoke_by_proto(&pkt.dst_proto);
		if (t != NULL && t->nbma == outer_dst)
			answer_resolution(t, &pkt);
		else
			st.other++;
		break;
	case NHRP_ERROR_INDICATION:
		handle_error_indication(&pkt, now);
		break;
	default:
		st.other++;
		break;
	}
	nhrp_packet_clear(&pkt);
}

/* One IPv4 frame from the packet socket. */
static void
handle_frame(const uint8_t *p, size_t len, uint64_t now)
{
	size_t ihl, off;
	uint16_t fl, proto;
	uint32_t dst;

	st.rx++;
	if (len < IP_HDR_LEN || (p[0] >> 4) != 4 || p[9] != GRE_PROTO_IP)
		return;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	if (ihl < IP_HDR_LEN || len < ihl + 4)
		return;
	if ((size_t)((p[2] << 8) | p[3]) < len)
		len = (size_t)((p[2] << 8) | p[3]);
	memcpy(&dst, p + 16, 4);
	off = ihl;
	fl = (uint16_t)((p[off] << 8) | p[off + 1]);
	proto = (uint16_t)((p[off + 2] << 8) | p[off + 3]);
	if ((fl & 0x0007) != 0 || proto != NHRP_ETHERTYPE)
		return;
	off += 4;
	if (fl & GRE_F_CSUM)
		off += 4;
	if (fl & GRE_F_KEY)
		off += 4;
	if (fl & GRE_F_SEQ)
		off += 4;
	if (off > len)
		return;
	handle_nhrp(p + off, len - off, dst, now);
}

static void
drain_rx(void)
{
	static uint8_t bufs[RX_BATCH][FRAME_MAX];
	struct mmsghdr msgs[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_ll sll[RX_BATCH];
	uint64_t now;
	int i, n, rounds;

	for (rounds = 0; rounds < 64; rounds++) {
		memset(msgs, 0, sizeof(msgs));
		for (i = 0; i < RX_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = FRAME_MAX;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &sll[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(sll[i]);
		}
		n = recvmmsg(rxfd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			die("recvmmsg: %s", strerror(errno));
		}
		now = now_us();
		for (i = 0; i < n; i++) {
			if (sll[i].sll_pkttype == PACKET_OUTGOING)
				continue;
			handle_frame(bufs[i], msgs[i].msg_len, now);
		}
		if (n < RX_BATCH)
			return;
	}
}

/* ---- sockets ------------------------------------------------------------- */

static void
open_sockets(void)
{
	struct sockaddr_ll sll;
	struct sock_filter code[] = {
		/* IPv4 protocol byte == GRE, else drop */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, GRE_PROTO_IP, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(code[0]), code };
	unsigned ifindex;
	int one = 1, sz;

	if ((ifindex = if_nametoindex(o.ifname)) == 0)
		die("no interface %s", o.ifname);
	rawfd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (rawfd < 0)
		die("raw socket: %s (root needed)", strerror(errno));
	if (setsockopt(rawfd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0)
		die("IP_HDRINCL: %s", strerror(errno));
	sz = SND_BUF;
	if (setsockopt(rawfd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(rawfd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));

	rxfd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    htons(ETH_P_IP));
	if (rxfd < 0)
		die("packet socket: %s", strerror(errno));
	if (setsockopt(rxfd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)) < 0)
		die("SO_ATTACH_FILTER: %s", strerror(errno));
#ifdef PACKET_IGNORE_OUTGOING
	(void)setsockopt(rxfd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
	    sizeof(one));
#endif
	sz = RCV_BUF;
	if (setsockopt(rxfd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(rxfd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = (int)ifindex;
	if (bind(rxfd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		die("bind %s: %s", o.ifname, strerror(errno));

	memset(&hub_sin, 0, sizeof(hub_sin));
	hub_sin.sin_family = AF_INET;
	hub_sin.sin_addr.s_addr = o.hub_nbma;
}

/* ---- results ----------------------------------------------------------- */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct_ms(uint32_t *v, size_t n, double q)
{
	size_t i;

	if (n == 0)
		return 0.0;
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i] / 1000.0;
}

/* "5:120,14:3" for the failed replies by CIE code ("none:N" without a CIE), or "-" */
static void
fail_codes_str(char *buf, size_t size)
{
	size_t len = 0;
	unsigned c;
	int n;

	buf[0] = '\0';
	for (c = 0; c <= 256; c++) {
		if (st.fail_codes[c] == 0)
			continue;
		if (c == 256)
			n = snprintf(buf + len, size - len, "%snone:%lu",
			    len ? "," : "", st.fail_codes[c]);
		else
			n = snprintf(buf + len, size - len, "%s%u:%lu",
			    len ? "," : "", c, st.fail_codes[c]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
	if (len == 0)
		snprintf(buf, size, "-");
}

static void
report(enum mode mode, unsigned ops, double secs)
{
	double rate, p50, p90, p99, pmax, pp50, pp99;
	char codes[256];

	qsort(lat_us, nlat, sizeof(*lat_us), cmp_u32);
	qsort(purge_lat_us, npurge_lat, sizeof(*purge_lat_us), cmp_u32);
	rate = secs > 0 ? (double)st.ok / secs : 0.0;
	p50 = pct_ms(lat_us, nlat, 0.50);
	p90 = pct_ms(lat_us, nlat, 0.90);
	p99 = pct_ms(lat_us, nlat, 0.99);
	pmax = pct_ms(lat_us, nlat, 1.0);
	pp50 = pct_ms(purge_lat_us, npurge_lat, 0.50);
	pp99 = pct_ms(purge_lat_us, npurge_lat, 0.99);
	fail_codes_str(codes, sizeof(codes));
	if (!o.quiet) {
		printf("%-8s %7s %7s %6s %6s %7s %6s %9s %9s %8s %8s %8s\n",
		    "mode", "ops", "ok", "fail", "unans", "retrans", "dup",
		    "elapsed_s", "ok/s", "p50_ms", "p99_ms", "max_ms");
		printf("%-8s %7u %7lu %6lu %6lu %7lu %6lu %9.3f %9.1f %8.2f "
		    "%8.2f %8.2f\n", mode_names[mode], ops, st.ok, st.fail,
		    st.unanswered, st.retrans, st.dup, secs, rate, p50, p99,
		    pmax);
		if (mode == M_CHURN)
			printf("purges: %lu answered, %lu not; p50 %.2f ms, "
			    "p99 %.2f ms\n", st.purge_ok, st.purge_fail, pp50,
			    pp99);
		if (mode == M_RESOLVE)
			printf("resolution requests answered as the target "
			    "spoke: %lu; wrong answers: %lu\n",
			    st.fwd_answered, st.wrong);
		if (st.errind || st.parse_err || st.unfinished)
			printf("error indications %lu, unparsable %lu, "
			    "unfinished %lu, last failure code %u\n",
			    st.errind, st.parse_err, st.unfinished,
			    st.last_fail_code);
		if (st.fail)
			printf("failed replies by code: %s\n", codes);
		if (st.unanswered)
			printf("answers after the spoke gave up: %lu of %lu\n",
			    st.late, st.unanswered);
	}
	printf("loadgen label=%s mode=%s form=%s spokes=%u window=%u "
	    "holding=%u ops=%u ok=%lu fail=%lu unanswered=%lu unfinished=%lu "
	    "retrans=%lu dup=%lu errind=%lu wrong=%lu fwd_answered=%lu "
	    "purge_ok=%lu purge_fail=%lu sent=%lu rx=%lu rx_nhrp=%lu "
	    "parse_err=%lu other=%lu last_fail_code=%u elapsed_s=%.3f "
	    "rate=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f "
	    "purge_p50_ms=%.2f purge_p99_ms=%.2f fail_codes=%s fail_code5=%lu "
	    "late=%lu\n",
	    o.label, mode_names[mode], o.form == F_FRR ? "frr" : "opennhrp",
	    o.nspokes, o.window, o.holding, ops, st.ok, st.fail,
	    st.unanswered, st.unfinished, st.retrans, st.dup, st.errind,
	    st.wrong, st.fwd_answered, st.purge_ok, st.purge_fail, st.sent,
	    st.rx, st.rx_nhrp, st.parse_err, st.other, st.last_fail_code, secs,
	    rate, p50, p90, p99, pmax, pp50, pp99, codes, st.fail_codes[5],
	    st.late);
	fflush(stdout);
}

/* ---- main ---------------------------------------------------------------- */

static struct spoke *
op_spoke(enum mode mode, unsigned k, unsigned ops)
{
	switch (mode) {
	case M_RESOLVE:
		return &spokes[k % o.nspokes];
	case M_CHURN:
		return &spokes[(unsigned)((uint64_t)k * o.nspokes / ops)];
	default:
		return &spokes[k];
	}
}

int
main(int argc, char *argv[])
{
	struct pollfd pfd;
	struct spoke *s;
	enum mode mode;
	uint64_t start, now, last_done, deadline, linger_end;
	unsigned i, ops, next;
	int ch, ms;

	o.ifname = "eth0";
	o.hub_nbma = ip4("198.18.0.1");
	o.hub_proto = ip4("100.64.0.1");
	o.first_nbma = ip4("198.19.0.1");
	o.first_proto = ip4("100.64.0.2");
	o.nspokes = 1000;
	o.window = 256;
	o.holding = 600;
	o.rto_ms = 5000;
	o.purge_ms = 1000;
	o.tries = 6;
	o.churn_pct = 10;
	o.max_secs = 600;
	o.linger_ms = 0;
	o.have_key = 1;
	o.key = 1234;
	o.unique = 1;
	o.form = F_OPENNHRP;
	o.label = "-";
	while ((ch = getopt(argc, argv, "A:a:b:c:D:f:H:i:k:L:l:n:qR:r:T:t:Uw:X:"))
	    != -1) {
		switch (ch) {
		case 'A': o.hub_proto = ip4(optarg); break;
		case 'a': o.first_proto = ip4(optarg); break;
		case 'b': o.first_nbma = ip4(optarg); break;
		case 'c': o.churn_pct = num(optarg, 1, 100); break;
		case 'D': o.max_secs = num(optarg, 1, 86400); break;
		case 'f':
			if (strcmp(optarg, "opennhrp") == 0)
				o.form = F_OPENNHRP;
			else if (strcmp(optarg, "frr") == 0)
				o.form = F_FRR;
			else
				usage();
			break;
		case 'H': o.hub_nbma = ip4(optarg); break;
		case 'i': o.ifname = optarg; break;
		case 'k':
			if (strcmp(optarg, "none") == 0)
				o.have_key = 0;
			else
				o.key = num(optarg, 0, 0xffffffffu);
			break;
		case 'L': o.linger_ms = num(optarg, 0, 3600000); break;
		case 'l': o.label = optarg; break;
		case 'n': o.nspokes = num(optarg, 1, 1u << 22); break;
		case 'q': o.quiet = 1; break;
		case 'R': o.resolves = num(optarg, 1, 1u << 24); break;
		case 'r': o.tries = num(optarg, 1, 100); break;
		case 'T': o.rto_ms = num(optarg, 10, 600000); break;
		case 't': o.holding = num(optarg, 1, 65535); break;
		case 'U': o.unique = 0; break;
		case 'w': o.window = num(optarg, 1, 1u << 20); break;
		case 'X': o.purge_ms = num(optarg, 10, 600000); break;
		default: usage();
		}
	}
	if (argc - optind != 1)
		usage();
	for (i = 0; i < 4; i++)
		if (strcmp(argv[optind], mode_names[i]) == 0)
			break;
	if (i == 4)
		usage();
	mode = (enum mode)i;
	if (mode == M_RESOLVE && o.nspokes < 2)
		die("resolve needs at least 2 spokes");

	switch (mode) {
	case M_RESOLVE:
		ops = o.resolves ? o.resolves : o.nspokes;
		break;
	case M_CHURN:
		ops = (unsigned)(((uint64_t)o.nspokes * o.churn_pct + 99) / 100);
		break;
	default:
		ops = o.nspokes;
		break;
	}
	if (o.window > o.nspokes)
		o.window = o.nspokes;

	spokes = calloc(o.nspokes, sizeof(*spokes));
	lat_us = calloc(ops + 1, sizeof(*lat_us));
	purge_lat_us = calloc(ops + 1, sizeof(*purge_lat_us));
	if (spokes == NULL || lat_us == NULL || purge_lat_us == NULL)
		die("out of memory");
	for (i = 0; i < o.nspokes; i++) {
		spokes[i].nbma = ip4_add(o.first_nbma, i);
		spokes[i].proto = ip4_add(o.first_proto, i);
		spokes[i].target = (i + o.nspokes / 2) % o.nspokes;
	}
	/* distinct request ids across runs against the same hub */
	next_rid = (uint32_t)(time(NULL) << 8) ^ ((uint32_t)getpid() << 20);
	if (next_rid == 0)
		next_rid = 1;

	open_sockets();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	start = last_done = now_us();
	deadline = start + (uint64_t)o.max_secs * 1000000u;
	linger_end = 0;
	next = 0;
	pfd.fd = rxfd;
	pfd.events = POLLIN;
	for (;;) {
		now = now_us();
		/* issue new operations while the window has room */
		while (next < ops && outstanding < o.window && !stop) {
			s = op_spoke(mode, next, ops);
			if (s->stage != ST_IDLE)
				break;	/* resolve wrapped round: wait */
			outstanding++;
			next++;
			start_stage(s, mode == M_RESOLVE ? ST_RES :
			    mode == M_CHURN ? ST_PURGE : ST_REG, now);
		}
		if (outstanding == 0 && (next >= ops || stop)) {
			if (linger_end == 0)
				linger_end = now + (uint64_t)o.linger_ms * 1000u;
			/* nothing more to wait for: every spoke was answered */
			if (now >= linger_end || stop || gaveup == 0)
				break;
		}
		if (now >= deadline || stop)
			break;
		ms = 1000;
		if ((s = TAILQ_FIRST(&outq)) != NULL) {
			uint64_t due = s->last_us + (uint64_t)o.rto_ms * 1000u;

			ms = due > now ? (int)((due - now + 999) / 1000) : 0;
		}
		if ((s = TAILQ_FIRST(&purgeq)) != NULL) {
			uint64_t due = s->last_us + (uint64_t)o.purge_ms * 1000u;
			int pms = due > now ? (int)((due - now + 999) / 1000) : 0;

			if (pms < ms)
				ms = pms;
		}
		if (ms > 1000)
			ms = 1000;
		if (TAILQ_EMPTY(&outq) && TAILQ_EMPTY(&purgeq) &&
		    linger_end != 0)
			ms = (int)((linger_end - now + 999) / 1000);
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		{
			unsigned long before = st.ok + st.fail + st.unanswered;

			drain_rx();
			check_timeouts(now_us());
			if (st.ok + st.fail + st.unanswered != before)
				last_done = now_us();
		}
	}
	st.unfinished = outstanding + (ops - next);
	report(mode, ops, (double)(last_done - start) / 1e6);
	return st.ok == ops ? 0 : 3;
}
