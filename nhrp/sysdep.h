/*
 * sysdep.h - the kernel interface (Linux, rtnetlink through libmnl,
 * AF_PACKET).  The only module that includes libmnl, linux/rtnetlink.h or
 * linux/if_packet.h.  It hands the core plain event structs through the
 * callbacks in struct sysdep_ops and takes plain requests.
 *
 * Errors are returned as -errno.
 */
#ifndef NHRP_SYSDEP_H
#define NHRP_SYSDEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct ev_loop;

struct sysdep_link {
	int		ifindex;
	char		name[16];
	unsigned	flags;		/* IFF_* */
	unsigned	mtu;
	unsigned short	type;		/* ARPHRD_*; 778 = ARPHRD_IPGRE */
	bool		deleted;	/* RTM_DELLINK */
	/* GRE parameters (type 778), from IFLA_LINKINFO/IFLA_INFO_DATA */
	bool		is_gre;
	uint32_t	gre_ikey;	/* host order, 0 = none */
	uint32_t	gre_okey;
	struct nhrp_addr gre_local;	/* unspecified = none */
	struct nhrp_addr gre_remote;	/* unspecified = multipoint */
	int		gre_link;	/* bound link ifindex, 0 = none */
};

struct sysdep_addr {
	int		ifindex;
	struct nhrp_addr addr;		/* IFA_LOCAL */
	unsigned	prefix;
	bool		secondary;	/* IFA_F_SECONDARY */
	bool		deleted;
};

struct sysdep_route {
	struct nhrp_addr dst;		/* unspecified for default routes */
	unsigned	prefix;
	struct nhrp_addr gateway;	/* unspecified = none */
	int		oif;		/* 0 for multipath: see nexthops */
	uint32_t	table;		/* RTA_TABLE when present */
	uint8_t		protocol;	/* RTPROT_* */
	uint8_t		type;		/* RTN_* */
	bool		deleted;
	/* multipath: each hop reported as its own sysdep_route (oif, gateway) */
};

#define SYSDEP_NEIGH_REQUEST	1	/* RTM_GETNEIGH from the kernel (app probe) */
#define SYSDEP_NEIGH_NEW	2
#define SYSDEP_NEIGH_DEL	3

struct sysdep_neigh {
	int		kind;		/* SYSDEP_NEIGH_* */
	int		ifindex;
	struct nhrp_addr dst;
	struct nhrp_addr lladdr;	/* NBMA, unspecified when absent */
	uint16_t	state;		/* NUD_* */
};

struct sysdep_ops {
	void	(*link)(void *arg, const struct sysdep_link *);
	void	(*addr)(void *arg, const struct sysdep_addr *);
	void	(*route)(void *arg, const struct sysdep_route *);
	void	(*neigh)(void *arg, const struct sysdep_neigh *);
	/*
	 * A full re-dump follows a netlink overrun (ENOBUFS): resync_begin,
	 * then every link/addr/route as if new, then resync_end.  The core
	 * marks its kernel-derived state at begin and sweeps what was not
	 * re-announced at end.
	 */
	void	(*resync_begin)(void *arg);
	void	(*resync_end)(void *arg);
	/* an NHRP packet (ethertype 0x2001) received on ifindex */
	void	(*nhrp_packet)(void *arg, int ifindex,
		    const struct nhrp_addr *src_nbma,	/* outer source, from sll_addr */
		    const uint8_t *buf, size_t len);
};

/* Opens the sockets and runs the initial link, address and route dumps
 * (callbacks fire before it returns).  Returns 0 or -errno. */
int	sysdep_init(struct ev_loop *, const struct sysdep_ops *, void *arg);
void	sysdep_stop_listening(void);	/* shutdown: no more kernel events */
void	sysdep_close(void);

/* Configured GRE interface: neighbour table app_probes=1, ucast_probes=0,
 * mcast_probes=0; clear IFF_NOARP; send_redirects=0. */
int	sysdep_iface_configure(int ifindex, const char *name);
int	sysdep_global_configure(void);	/* conf/all/send_redirects=0 */

/*
 * Neighbour entry proto -> nbma on ifindex: NUD_REACHABLE with lladdr,
 * or NUD_FAILED when nbma is NULL.  Sent with NLM_F_ACK; done (may be
 * NULL) is called with 0 or -errno once the kernel answered.
 */
typedef void (*sysdep_done_fn)(void *ctx, int err);
int	sysdep_neigh_set(int ifindex, const struct nhrp_addr *proto,
	    const struct nhrp_addr *nbma, sysdep_done_fn done, void *ctx);
/* Forget a pending callback (the ctx is going away). */
void	sysdep_cancel(void *ctx);

/* Synchronous route lookup towards dst: preferred source and output
 * interface MTU.  0 or -errno. */
int	sysdep_route_get(const struct nhrp_addr *dst, struct nhrp_addr *prefsrc,
	    unsigned *mtu);

/* Send an NHRP packet out of a GRE interface to a peer NBMA address. */
int	sysdep_nhrp_send(int ifindex, const struct nhrp_addr *dst_nbma,
	    const uint8_t *buf, size_t len);

/* Neighbour table garbage collector limits (net.ipv4.neigh.default). */
int	sysdep_neigh_gc_thresh(unsigned *thresh1, unsigned *thresh2,
	    unsigned *thresh3);

#endif
