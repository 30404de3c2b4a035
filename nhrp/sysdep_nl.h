/*
 * sysdep_nl.h - internal interface of the kernel glue: the rtnetlink
 * message parsers and builders (pure functions over buffers, so unit
 * tests can feed them crafted messages), the acknowledged request queue,
 * and the packet socket entry points used by sysdep_netlink.c.
 *
 * Only sysdep_*.c and their tests include this header.
 */
#ifndef NHRP_SYSDEP_NL_H
#define NHRP_SYSDEP_NL_H

#include <sys/queue.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysdep.h"

struct nlmsghdr;

/* Room for any single request we build. */
#define SYSDEP_NL_REQ_MAX	256

/* ---- parsers: 0 = filled in, -1 = not for us or malformed ---------- */

/* RTM_NEWLINK / RTM_DELLINK (any family) */
int	sysdep_nl_parse_link(const struct nlmsghdr *, struct sysdep_link *);
/* RTM_NEWADDR / RTM_DELADDR: IPv4 (and IPv6 by family) */
int	sysdep_nl_parse_addr(const struct nlmsghdr *, struct sysdep_addr *);
/* RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH */
int	sysdep_nl_parse_neigh(const struct nlmsghdr *, struct sysdep_neigh *);
/*
 * RTM_NEWROUTE / RTM_DELROUTE: calls cb once per next hop (a multipath
 * route yields one sysdep_route per hop).  Returns the number of routes
 * reported, or -1.  Cloned (cache) routes are skipped (0).
 */
typedef void (*sysdep_nl_route_cb)(void *arg, const struct sysdep_route *);
int	sysdep_nl_parse_route(const struct nlmsghdr *, sysdep_nl_route_cb,
	    void *arg);
/*
 * The answer to an RTM_GETROUTE for one destination: RTA_PREFSRC and
 * RTA_OIF.  0, or -1 when either is missing.
 */
int	sysdep_nl_parse_route_get(const struct nlmsghdr *,
	    struct nhrp_addr *prefsrc, int *oif);

/*
 * Dispatches every message of a buffer received from the event socket
 * (or a dump) to the callbacks; only IPv4 addresses, routes and
 * neighbours are delivered.  Returns the number of messages handled,
 * or -1 when the buffer is not a sequence of well-formed messages.
 * *done is set when NLMSG_DONE was seen, *err to the (negative) error
 * of an NLMSG_ERROR message (0 for an ACK); either may be NULL.
 */
int	sysdep_nl_dispatch(const void *buf, size_t len,
	    const struct sysdep_ops *, void *arg, bool *done, int *err);

/* ---- builders: return the message length (into buf, at least
 * SYSDEP_NL_REQ_MAX bytes), or 0 when the arguments do not fit ------ */

size_t	sysdep_nl_build_dump(void *buf, uint32_t seq, uint16_t type);
size_t	sysdep_nl_build_neigh_set(void *buf, uint32_t seq, int ifindex,
	    const struct nhrp_addr *proto, const struct nhrp_addr *nbma);
size_t	sysdep_nl_build_neightbl(void *buf, uint32_t seq, int ifindex);
size_t	sysdep_nl_build_clear_noarp(void *buf, uint32_t seq, int ifindex);
size_t	sysdep_nl_build_route_get(void *buf, uint32_t seq,
	    const struct nhrp_addr *dst);
size_t	sysdep_nl_build_link_get(void *buf, uint32_t seq, int ifindex);

/* ---- acknowledged request queue (sysdep_neigh_set) ------------------ */

struct sysdep_nl_req {
	TAILQ_ENTRY(sysdep_nl_req) entry;
	uint32_t	seq;
	bool		inflight;
	sysdep_done_fn	done;
	void		*ctx;
	size_t		len;
	uint8_t		msg[SYSDEP_NL_REQ_MAX];
};
TAILQ_HEAD(sysdep_nl_reqlist, sysdep_nl_req);

struct sysdep_nl_reqq {
	struct sysdep_nl_reqlist head;	/* in send order */
	unsigned	ninflight;
	unsigned	nqueued;
	unsigned	max_inflight;
	uint32_t	next_seq;
};

void	sysdep_nl_reqq_init(struct sysdep_nl_reqq *, unsigned max_inflight,
	    uint32_t first_seq);
/* Drops every request without calling back. */
void	sysdep_nl_reqq_clear(struct sysdep_nl_reqq *);
/* Takes a request built by build(buf, seq): queued, not yet sent. */
struct sysdep_nl_req *sysdep_nl_reqq_add(struct sysdep_nl_reqq *,
	    sysdep_done_fn, void *ctx);
/* First queued request that may be sent now (NULL when none or when
 * max_inflight are in flight); mark it sent with _sent(). */
struct sysdep_nl_req *sysdep_nl_reqq_next(struct sysdep_nl_reqq *);
void	sysdep_nl_reqq_sent(struct sysdep_nl_reqq *, struct sysdep_nl_req *);
/* Completes (and frees) a request before it was sent, calling back err. */
void	sysdep_nl_reqq_fail(struct sysdep_nl_reqq *, struct sysdep_nl_req *,
	    int err);
/* Every request in flight goes back to queued (their answers were lost):
 * they are re-sent, in their original order, with new sequence numbers. */
void	sysdep_nl_reqq_requeue(struct sysdep_nl_reqq *);
/*
 * Matches the ACKs and errors in a received buffer to their requests
 * and calls done(ctx, 0 or -errno).  Returns how many were completed.
 */
int	sysdep_nl_reqq_input(struct sysdep_nl_reqq *, const void *buf,
	    size_t len);
/* Forget the callbacks for ctx (the requests stay in flight). */
void	sysdep_nl_reqq_cancel(struct sysdep_nl_reqq *, void *ctx);

/* Test knob: receive buffer of the event socket (0 = the default), so a
 * real-kernel test can force an overrun.  Set before sysdep_init. */
extern int sysdep_nl_ev_rcvbuf;

/* ---- packet socket (sysdep_packet.c) -------------------------------- */

int	sysdep_packet_init(struct ev_loop *, const struct sysdep_ops *,
	    void *arg);
void	sysdep_packet_stop(void);
void	sysdep_packet_close(void);
/* The delivery rule for one received datagram (exported for tests):
 * 0 = deliver with *src filled in, -1 = drop. */
int	sysdep_packet_classify(unsigned pkttype, unsigned hatype,
	    unsigned halen, const uint8_t *sll_addr, size_t msglen,
	    size_t buflen, struct nhrp_addr *src);

#endif
