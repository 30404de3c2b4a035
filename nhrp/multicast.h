/*
 * multicast.h - multicast soft-switching (spec 8.1): every IPv4 multicast
 * packet this host sends out of an mGRE interface with a "multicast"
 * configuration is copied, as unicast GRE, to each member peer.
 *
 * Members: up entries whose type is in the interface mask ("multicast
 * nhs": static and dynamic-nhs; "multicast dynamic": also dynamic
 * registrations; cached entries never), plus up entries whose protocol
 * address is one of the configured "multicast A.B.C.D" addresses.
 * The member NBMA list of an interface is cached and rebuilt only after
 * a membership change (or at most once a second as a safety net), so a
 * hub with thousands of spokes does one walk per change, not per packet;
 * the copies go out in sendmmsg batches (capture_mcast_send).
 */
#ifndef NHRP_MULTICAST_H
#define NHRP_MULTICAST_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct nhrp_iface;
struct nhrp_peer;

struct mcast_stats {
	uint64_t	packets;	/* captured packets relayed */
	uint64_t	copies;		/* copies handed to the kernel */
	uint64_t	no_members;	/* packets with nobody to send to */
	uint64_t	rebuilds;	/* member list rebuilds */
};
extern struct mcast_stats mcast_stats;

/* The interface has some multicast configuration (capture it). */
int	mcast_iface_wanted(const struct nhrp_iface *);
/* p belongs to its interface's multicast list now. */
int	mcast_is_member(const struct nhrp_peer *);
/* A peer went up, down or away: its interface's list is rebuilt. */
void	mcast_peer_changed(const struct nhrp_peer *);
/* Fills the interface's member NBMAs (sorted, unique); returns the
 * count, or -1 on ENOMEM.  *out stays owned by this module. */
int	mcast_members(struct nhrp_iface *, const struct nhrp_addr **out);
/* A captured multicast packet (the capture callback). */
void	mcast_relay(int ifindex, const uint8_t *ip, size_t len);
void	mcast_shutdown(void);

#endif
