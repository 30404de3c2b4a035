/*
 * redirect.h - the NHS side of "redirect" (spec 8.2): redirect samples
 * from the kernel capture become Traffic Indications to the spoke that
 * sent the packet, rate-limited per (inner source, inner destination)
 * flow exactly as OpenNHRP does; and the glue that tells the capture
 * module which interfaces to watch (redirect and multicast).
 */
#ifndef NHRP_REDIRECT_H
#define NHRP_REDIRECT_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "hash.h"

struct nhrp_iface;

/*
 * The per-flow rate limit (pure: time is passed in).  For a flow:
 *  - idle for more than RL_RESET seconds: its tokens go back to 0;
 *  - RL_TOKENS indications sent already: suppressed, and the idle time
 *    restarts (a continuous flow stays silent until RL_RESET of quiet);
 *  - fewer than RL_GAP seconds since the last indication: suppressed;
 *  - otherwise: one more token, send.
 * Flows idle for more than RL_EXPIRE seconds are pruned (rl_prune, which
 * the daemon runs every RL_PRUNE seconds).  At most max flows are kept;
 * a new flow beyond that (after pruning) is suppressed, so a flood of
 * spoofed flows costs bounded memory and sends nothing.
 */
#define RL_TOKENS	4
#define RL_GAP		5.0
#define RL_RESET	360.0
#define RL_EXPIRE	720.0
#define RL_PRUNE	600.0
#define RL_MAX_FLOWS	(256 * 1024)

struct rl_flow {
	struct nhrp_hnode	 node;
	struct nhrp_addr	 src, dst;
	double			 last;
	unsigned		 tokens;
};

struct rl_table {
	struct nhrp_htable	 flows;
	size_t			 max;		/* 0: RL_MAX_FLOWS */
	uint64_t		 sent, suppressed, overflow;
};

void	rl_init(struct rl_table *, size_t max);
void	rl_clear(struct rl_table *);		/* frees every flow */
/* 1: send an indication now, 0: suppressed. */
int	rl_check(struct rl_table *, const struct nhrp_addr *src,
	    const struct nhrp_addr *dst, double now);
/* Removes the flows whose source or destination lies inside a/plen
 * (a == NULL: every flow).  Returns how many went. */
size_t	rl_purge(struct rl_table *, const struct nhrp_addr *a, unsigned plen);
/* Removes the flows idle for more than RL_EXPIRE seconds. */
size_t	rl_prune(struct rl_table *, double now);
size_t	rl_count(const struct rl_table *);

/* --- daemon ---------------------------------------------------------- */

struct redirect_stats {
	uint64_t	samples;	/* redirect samples seen */
	uint64_t	not_spoke;	/* source NBMA not a registered spoke */
	uint64_t	local_dst;	/* destination is local */
	uint64_t	suppressed;	/* rate-limited */
	uint64_t	sent;		/* Traffic Indications sent */
};
extern struct redirect_stats redirect_stats;

/*
 * (Re)programs the capture of one interface from its flags: redirect
 * samples when it has "redirect", outgoing multicast when it has a
 * multicast configuration, nothing for unconfigured, shortcut-destination
 * or vanished interfaces; and the addresses the kernel filter skips (the
 * interface address and its subnet broadcast).  Cheap when nothing
 * changed.  Opens the capture module on first use.
 */
void	redirect_iface_sync(struct nhrp_iface *);
/* The link ifindex went away (before the interface forgets its index). */
void	redirect_iface_gone(int ifindex);
/* "redirect purge" and received Purge Requests: see rl_purge. */
size_t	redirect_purge(const struct nhrp_addr *a, unsigned plen);
/* The redirect sample handler (also called by tests). */
void	redirect_sample(int ifindex, const struct nhrp_addr *src_nbma,
	    const uint8_t *ip, size_t len);
void	redirect_shutdown(void);
/* Logs the packet, redirect and multicast counters (SIGUSR1 dump). */
void	redirect_log_counters(void);

#endif
