/*
 * capture.h - kernel-filtered traffic capture on GRE interfaces and the
 * batched multicast relay (issue 5: redirect and multicast).
 *
 * Each capturing interface gets its own AF_PACKET SOCK_DGRAM sockets,
 * bound to that interface, so the kernel never hands us another
 * interface's traffic.  A small fixed-size classic BPF program (its size
 * does not depend on the number of local prefixes, so no 8-bit jump
 * overflow) selects in the kernel:
 *
 *  CAPTURE_REDIRECT  socket protocol ETH_P_IP (the kernel calls it for
 *	received IPv4 on this device only, never for transmissions):
 *	PACKET_HOST, IPv4, unicast destination that is none of the
 *	addresses given with capture_iface_set_local() -> the first
 *	CAPTURE_SNAPLEN bytes.  Small receive buffer: losing samples is
 *	harmless, losses are counted (PACKET_STATISTICS).
 *  CAPTURE_MULTICAST socket protocol ETH_P_ALL bound to the device (the
 *	only way to see transmissions; the kernel taps this device only):
 *	PACKET_OUTGOING, IPv4, destination in 224.0.0.0/4 -> the whole
 *	packet (no 1500-byte cap).  Relayed copies are sent through the
 *	same socket, and the kernel never loops a socket's own
 *	transmissions back to it, so relaying cannot feed the capture.
 *
 * The BPF only excludes the few addresses it is told about; the core
 * still does the exact "is the destination local?" check (local
 * prefixes, broadcast entries) in user space before it acts on a
 * redirect sample.  Every captured packet is re-validated in user space
 * (IPv4 version, header length, total length, pkttype, multicast
 * destination) before a callback sees it.
 *
 * Errors are returned as -errno.  IPv4 payloads only (like OpenNHRP);
 * the NBMA side may be IPv4 (ARPHRD_IPGRE) or IPv6 (ARPHRD_IP6GRE).
 */
#ifndef NHRP_CAPTURE_H
#define NHRP_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct ev_loop;

#define CAPTURE_REDIRECT	0x1
#define CAPTURE_MULTICAST	0x2

#define CAPTURE_SNAPLEN		68	/* bytes of a redirect sample */
#define CAPTURE_MAX_LOCAL	16	/* addresses excluded in the BPF */
#define CAPTURE_SEND_BATCH	1024	/* copies per sendmmsg call (UIO_MAXIOV) */
#define CAPTURE_QUEUE_MAX	(8 * 1024 * 1024)	/* bytes queued per interface */

struct capture_ops {
	/*
	 * A sample (at most CAPTURE_SNAPLEN bytes, the start of a valid IPv4
	 * packet: len >= its header length) of a packet received on a
	 * redirect interface, to be forwarded by this host.  src_nbma is the
	 * outer (GRE) source, unspecified when the device did not give one.
	 */
	void	(*redirect)(void *arg, int ifindex,
		    const struct nhrp_addr *src_nbma, const uint8_t *ip,
		    size_t len);
	/* A whole IPv4 multicast packet this host sent out of ifindex. */
	void	(*multicast)(void *arg, int ifindex, const uint8_t *ip,
		    size_t len);
};

struct capture_stats {
	uint64_t	redirect_captured;	/* samples delivered */
	uint64_t	multicast_captured;	/* packets delivered */
	uint64_t	invalid;	/* captured but failed validation */
	uint64_t	kernel_drops;	/* PACKET_STATISTICS tp_drops */
	uint64_t	relayed;	/* copies handed to the kernel */
	uint64_t	send_calls;	/* sendmmsg calls, refused ones too */
	uint64_t	queued;		/* copies that had to wait (EAGAIN etc.) */
	uint64_t	dropped;	/* copies dropped: queue full, send errors */
};

/* Keeps the callbacks; opens nothing yet.  0 or -errno. */
int	capture_init(struct ev_loop *, const struct capture_ops *, void *arg);

/*
 * Capture on ifindex: what = CAPTURE_REDIRECT | CAPTURE_MULTICAST.
 * Re-callable: changed flags open or close the sockets; the same flags
 * are a no-op unless a socket died (its device went away), then it is
 * opened again.  0 forgets the interface entirely (sockets, relay queue,
 * local addresses).  The core calls it with 0 on RTM_DELLINK and again
 * with the flags (then capture_iface_set_local) when the link
 * (re)appears.  0 or -errno.
 */
int	capture_iface_set(int ifindex, unsigned what);

/*
 * The interface's own addresses (IPv4, e.g. the GRE address and its
 * subnet broadcast) that the redirect filter excludes in the kernel.
 * The first CAPTURE_MAX_LOCAL go into the BPF; all of them are also
 * excluded in user space.  Replaces the previous list; kept until
 * capture_iface_set(ifindex, 0).  0 or -errno.
 */
int	capture_iface_set_local(int ifindex, const struct nhrp_addr *addrs,
	    size_t n);

/*
 * Relay: one unicast GRE copy of the IPv4 packet ip/len out of ifindex to
 * each of the n NBMA addresses (IPv4 for GRE, IPv6 for ip6gre; others are
 * skipped and counted as dropped), CAPTURE_SEND_BATCH copies per sendmmsg
 * call.  Never blocks: when the kernel pushes back (EAGAIN: socket
 * buffer full, resumed on EV_WRITE; ENOBUFS: a device queue dropped it,
 * retried after 2 ms doubling to 128 ms while nothing moves) the rest is
 * queued (packet copied) and sent from the event loop, in order;
 * past CAPTURE_QUEUE_MAX bytes per interface new copies are dropped and
 * counted.  Uses the interface's multicast socket when it has one (so the
 * copies are never captured again), else a shared send-only socket.
 * Returns the number of copies sent now (the rest are queued or dropped),
 * or -errno when nothing could be sent or queued.
 */
int	capture_mcast_send(int ifindex, const uint8_t *ip, size_t len,
	    const struct nhrp_addr *nbma, size_t n);

/* Counters, summed over all interfaces (kernel drops fetched now). */
void	capture_get_stats(struct capture_stats *);
/* One interface's counters; -ENOENT when it does not capture. */
int	capture_iface_stats(int ifindex, struct capture_stats *);

/* Closes every socket and frees every queue. */
void	capture_shutdown(void);

/*
 * Pure helpers, exposed for the unit tests.
 *
 * capture_filter_build: the classic BPF program for one mode
 * (CAPTURE_REDIRECT or CAPTURE_MULTICAST, not both), excluding the nlocal
 * IPv4 addresses in local_be (network order; at most CAPTURE_MAX_LOCAL
 * are used).  struct capture_insn has the layout of struct sock_filter.
 * Returns the number of instructions, or -EINVAL / -ENOSPC.
 */
struct capture_insn {
	uint16_t	code;
	uint8_t		jt;
	uint8_t		jf;
	uint32_t	k;
};
#define CAPTURE_FILTER_MAX	(16 + CAPTURE_MAX_LOCAL)

int	capture_filter_build(unsigned mode, const uint32_t *local_be,
	    size_t nlocal, struct capture_insn *prog, size_t max);

/*
 * capture_validate: user-space check of a captured IPv4 packet for mode
 * (as above).  caplen is what was read, wirelen the packet's length
 * before any snap.  Returns the number of bytes to deliver (trailing
 * link padding cut), or -1 when the packet must be dropped: not IPv4,
 * bad header length, total length shorter than the header, a multicast
 * packet that is truncated or not to 224.0.0.0/4, a redirect sample to
 * a multicast or limited-broadcast destination.
 */
int	capture_validate(unsigned mode, const uint8_t *ip, size_t caplen,
	    size_t wirelen);

#endif
