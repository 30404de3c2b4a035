/*
 * peer.h - peer cache entries (section 5 of the behaviour spec) and
 * their life cycles: hooks, kernel neighbour entries, expiry.
 */
#ifndef NHRP_PEER_H
#define NHRP_PEER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include <ev.h>

#include "addr.h"
#include "hash.h"
#include "iface.h"

/* entry types, in upstream order (route decision compares them) */
#define PEER_INCOMPLETE		0
#define PEER_NEGATIVE		1
#define PEER_CACHED		2
#define PEER_SHORTCUT_ROUTE	3
#define PEER_DYNAMIC		4
#define PEER_DYNAMIC_NHS	5
#define PEER_STATIC		6
#define PEER_DYNAMIC_MAP	7
#define PEER_LOCAL_ROUTE	8
#define PEER_LOCAL		9
#define PEER_NTYPES		10

#define PT(t)			(1u << (t))
#define PEER_MASK_ALL		0x3ffu
#define PEER_MASK_REMOVABLE	(PT(PEER_INCOMPLETE) | PT(PEER_NEGATIVE) | \
	PT(PEER_CACHED) | PT(PEER_SHORTCUT_ROUTE) | PT(PEER_DYNAMIC))
#define PEER_MASK_PURGEABLE	(PEER_MASK_REMOVABLE | PT(PEER_DYNAMIC_NHS) | \
	PT(PEER_STATIC) | PT(PEER_DYNAMIC_MAP))
#define PEER_MASK_ADJACENT	(PT(PEER_CACHED) | PT(PEER_DYNAMIC) | \
	PT(PEER_DYNAMIC_NHS) | PT(PEER_STATIC) | PT(PEER_LOCAL))
#define PEER_MASK_ROUTE_VIA_NHS	(PT(PEER_DYNAMIC) | PT(PEER_DYNAMIC_NHS) | \
	PT(PEER_STATIC) | PT(PEER_LOCAL_ROUTE) | PT(PEER_LOCAL))

/* flags */
#define PEER_F_USED		0x0001	/* kernel neighbour REACHABLE */
#define PEER_F_LOWER_UP		0x0002	/* peer-up succeeded */
#define PEER_F_UP		0x0004	/* usable */
#define PEER_F_UNIQUE		0x0008	/* registered with U (stored, not shown) */
#define PEER_F_REGISTER		0x0010
#define PEER_F_CISCO		0x0020
#define PEER_F_NO_UNIQUE	0x0040
#define PEER_F_REPLACED		0x0080	/* superseded: no down hooks */
#define PEER_F_REMOVED		0x0100	/* unlinked from the cache */
#define PEER_F_DYING		0x0200	/* expiry check passed, removal pending */
#define PEER_F_NAT		0x0400	/* nat_oa valid */
#define PEER_F_NEIGH		0x0800	/* we installed a neighbour entry */
#define PEER_F_RENEWING		0x1000
#define PEER_F_REFRESHING	0x2000	/* dynamic: a refresh waits on its hooks */

struct srv_reg;
struct nhrp_request;
struct script_job;
struct resolver_query;

LIST_HEAD(nhrp_peer_list, nhrp_peer);

/*
 * One cache entry.  Laid out for the hub, where nearly all entries are
 * registered dynamic spokes: what a lookup reads first, no padding holes
 * (256 bytes on LP64; tests/bench/bench_mem prints it), small types where
 * the values are small.  Check the layout with bench_mem after a change.
 */
struct nhrp_peer {
	/* indexes (cache.c) and what lookups compare */
	TAILQ_ENTRY(nhrp_peer)	 show_entry;	/* iface->peers or local list */
	LIST_ENTRY(nhrp_peer)	 slot_entry;	/* trie slot list */
	struct nhrp_hnode	 nbma_node;
	struct nhrp_iface	*iface;
	struct nhrp_addr	 proto;		/* as configured (not masked for static) */
	struct nhrp_addr	 nbma;		/* NBMA; next hop; alias (local) */
	uint8_t			 type;
	uint8_t			 prefix;
	bool			 nbma_hashed;
	bool			 kernel;	/* from a kernel route */
	unsigned		 flags;
	int			 refcnt;
	uint16_t		 mtu;		/* from the peer's CIE */
	uint16_t		 holding_time;	/* local: shortcut-target value */
	ev_tstamp		 expire;	/* 0: none */
	ev_tstamp		 last_used;	/* route decision round robin */
	/* life cycle */
	ev_tstamp		 due;		/* timer: restart / refresh / expiry */
	void			(*timer_fn)(struct nhrp_peer *);	/* NULL: none */
	struct script_job	*job;
	struct resolver_query	*dnsq;
	struct nhrp_request	*req;		/* outstanding request */
	struct srv_reg		*reg;		/* registration waiting on us */
	const char		*down_reason;
	char			*hostname;
	struct nhrp_addr	 nat_oa;	/* NAT original (claimed) NBMA */
	struct nhrp_addr	 my_nbma;	/* own NBMA towards this peer */
	unsigned		 my_mtu;
	uint32_t		 kgen;		/* kernel-derived: resync generation */
	uint32_t		 tq_idx;	/* timer heap position + 1, 0: none */
	/* hub: the registration last answered (reply cache, server.c) */
	uint32_t		 reg_reqid;	/* its request id */
	uint32_t		 reg_stamp;	/* answer second << 16 | holding
						   time; 0: none */
};

extern struct nhrp_peer_tailq local_list;
extern size_t peer_neigh_pending;	/* FAILED updates not yet acknowledged */

const char *peer_type_name(unsigned type);
struct nhrp_peer *peer_new(struct nhrp_iface *, unsigned type);
void	peer_get(struct nhrp_peer *);
void	peer_put(struct nhrp_peer *);
/* Inserts into the cache (de-duplication of 5.3 included). */
void	peer_insert(struct nhrp_peer *);
/* Removes: down hooks unless replaced, neighbour FAILED, frees when unreferenced. */
void	peer_remove(struct nhrp_peer *, const char *reason);
/* Purge semantics of 5.4 (static: restart; dynamic-map: re-resolve). */
void	peer_purge(struct nhrp_peer *, const char *reason);
/* Starts the life cycle (static, dynamic-nhs, dynamic, cached). */
void	peer_start(struct nhrp_peer *);
void	peer_set_up(struct nhrp_peer *);
void	peer_set_expire(struct nhrp_peer *, ev_tstamp when);
void	peer_make_negative(struct nhrp_peer *);
void	peer_schedule_expiry(struct nhrp_peer *);	/* cached, shortcut */
void	peer_neigh_event(struct nhrp_iface *, const struct nhrp_addr *, bool used);
void	peer_neigh_request(struct nhrp_iface *, const struct nhrp_addr *);
void	peer_flush_all(unsigned typemask, const char *reason);	/* SIGHUP, shutdown */
void	peer_cancel(struct nhrp_peer *);	/* timers, jobs, requests */
void	peer_neigh_update(struct nhrp_peer *, bool used);
void	peer_restart(struct nhrp_peer *, double delay);
void	peer_schedule(struct nhrp_peer *, double delay, void (*)(struct nhrp_peer *));
/* Seconds until the entry's timer fires (-1: none); fires it now (tests). */
double	peer_timer_left(const struct nhrp_peer *);
void	peer_timer_fire(struct nhrp_peer *);
int	peer_is_up(const struct nhrp_peer *);
/* one-line format of 3.6 */
char	*peer_format(const struct nhrp_peer *, char *buf, size_t len);
void	peer_dump_all(void);	/* SIGUSR1 */
size_t	peer_count(void);
size_t	peer_allocated(void);
/* Bytes of the entry slabs (mapped outside malloc; 0 when entries come
 * from malloc, as in sanitizer builds). */
size_t	peer_slab_bytes(void);

/* a set of referenced peers, collected before acting on them */
struct peer_vec {
	struct nhrp_peer	**v;
	size_t			  n, cap;
};
int	peer_vec_add_cb(struct nhrp_peer *, void *vec);	/* cache_cb */
void	peer_vec_release(struct peer_vec *);

/* resolve.c: map hostnames and dynamic-maps */
void	resolve_peer(struct nhrp_peer *);
void	resolve_dynmap(struct nhrp_peer *);

/* hooks */
void	peer_run_script(struct nhrp_peer *, const char *event,
	    void (*done)(void *, int, const char *), void *ctx);
double	rand_between(double a, double b);

#endif
