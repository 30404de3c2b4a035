/*
 * iface.h - interfaces: every kernel link gets a record; configured ones
 * carry the NHRP settings, the GRE parameters and their own peer cache.
 */
#ifndef NHRP_IFACE_H
#define NHRP_IFACE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "addr.h"
#include "conf.h"
#include "hash.h"

struct nhrp_peer;
struct nhrp_ptrie;
struct sysdep_link;
struct sysdep_addr;
struct sysdep_route;

#define IFACE_CONFIGURED	0x100	/* flags: on top of CONF_IF_* */
#define IFACE_AUTH_MAX		(4 + CONF_AUTH_MAX)

TAILQ_HEAD(nhrp_peer_tailq, nhrp_peer);

struct nhrp_iface {
	TAILQ_ENTRY(nhrp_iface) entry;		/* most recent link event first */
	struct nhrp_hnode	 name_node;
	struct nhrp_hnode	 index_node;
	bool			 index_hashed;
	char			 name[CONF_IFNAMSIZ];
	int			 index;		/* 0: no such link */
	unsigned		 link_flags;	/* IFF_* */
	unsigned		 mtu;
	unsigned short		 hwtype;
	unsigned		 flags;		/* CONF_IF_* | IFACE_CONFIGURED */
	unsigned		 holding_time;
	unsigned		 route_table;
	int			 mcast_mode;
	uint8_t			 auth[IFACE_AUTH_MAX];	/* 00000001 + secret */
	size_t			 auth_len;		/* 0: none */
	/* GRE */
	bool			 is_gre;
	uint32_t		 gre_key;
	struct nhrp_addr	 gre_local;
	int			 link_index;	/* bound link, 0: none */
	/* own addresses */
	struct nhrp_addr	 nbma;		/* own NBMA, unspecified: per-peer route */
	unsigned		 nbma_mtu;	/* 0: 1500 or unknown */
	struct nhrp_addr	 nat_oa;	/* NAT: the address the NHS saw */
	struct nhrp_addr	 proto;		/* interface protocol address */
	unsigned		 prefix;
	struct nhrp_peer	*local_addr;	/* local entries for proto */
	struct nhrp_peer	*local_bcast;
	/* the peer cache of this interface */
	struct nhrp_ptrie	*trie;		/* prefix -> list of entries */
	struct nhrp_htable	 nbma_idx;	/* NBMA -> entries */
	struct nhrp_peer_tailq	 peers;		/* newest first (show only) */
	size_t			 npeers;
	const struct conf_iface	*conf;
	struct nhrp_addr	 link_primary;	/* primary IPv4 address of the link */
	bool			 seen;		/* link seen at least once */
	uint32_t		 kgen;		/* resync generation */
};

TAILQ_HEAD(nhrp_iface_list, nhrp_iface);
extern struct nhrp_iface_list iface_list;

void	iface_init(void);
void	iface_shutdown(void);
struct nhrp_iface *iface_by_name(const char *);
struct nhrp_iface *iface_by_index(int);
struct nhrp_iface *iface_by_proto(const struct nhrp_addr *);
struct nhrp_iface *iface_by_local_nbma(const struct nhrp_addr *);
struct nhrp_iface *iface_get(const char *name);	/* find or create */
/* Applies a configuration tree (startup; later reload). */
int	iface_apply_conf(const struct nhrp_conf *);
void	iface_start_peers(void);	/* 0-second timer after startup */

/* sysdep events */
void	iface_link_event(const struct sysdep_link *);
void	iface_addr_event(const struct sysdep_addr *);
void	iface_route_event(const struct sysdep_route *);
void	iface_resync_begin(void);
void	iface_resync_end(void);

/* Own NBMA and MTU towards a peer NBMA (7.5).  0 or -errno. */
int	iface_own_nbma(struct nhrp_iface *, const struct nhrp_addr *peer_nbma,
	    struct nhrp_addr *own, unsigned *mtu);
int	iface_is_configured(const struct nhrp_iface *);

#endif
