/*
 * packet_io.h - NHRP packets in and out: receive dispatch (interface and
 * authentication checks), send (authentication, build, hop count),
 * routing of NHRP messages (5.5), outstanding requests with
 * retransmission (6.11), Error Indications, and the message counters.
 */
#ifndef NHRP_PACKET_IO_H
#define NHRP_PACKET_IO_H

#include <stdint.h>

#include <ev.h>

#include "addr.h"
#include "hash.h"
#include "packet.h"

struct nhrp_iface;
struct nhrp_peer;

struct nhrp_counters {
	uint64_t	rx[NHRP_TYPE_MAX + 1];
	uint64_t	tx[NHRP_TYPE_MAX + 1];
	uint64_t	rx_bad;		/* parse / checksum failures */
	uint64_t	rx_not_configured;
	uint64_t	rx_auth_fail;
	uint64_t	rx_unmatched;	/* replies with no request */
	uint64_t	rx_dropped;	/* other drops (policy, owner checks) */
	uint64_t	tx_errors;
	uint64_t	err_sent;
	uint64_t	tx_queued;	/* held for an entry not yet up (5.6) */
	uint64_t	tx_queue_replaced; /* a newer packet took the slot */
	uint64_t	tx_queue_dropped; /* the entry's work was cancelled */
};
extern struct nhrp_counters nhrp_counters;

#define REQUEST_TIMEOUT		(-1)	/* status: no reply after 6 tries */
#define REQUEST_CANCELLED	(-2)

struct nhrp_request;
/* status: 0 = reply (pkt), > 0 = Error Indication code (pkt = the EI),
 * < 0 = REQUEST_*. */
typedef void (*request_cb)(void *ctx, int status, const struct nhrp_packet *pkt,
	    const struct nhrp_addr *from_nbma);

struct nhrp_request {
	struct nhrp_hnode	 node;
	struct nhrp_iface	*iface;
	uint32_t		 id;
	struct nhrp_addr	 src_proto;
	struct nhrp_addr	 dst_nbma;
	uint8_t			*buf;
	size_t			 len;
	int			 sent;
	ev_timer		 timer;
	request_cb		 cb;
	void			*ctx;
};

void	packet_io_init(struct ev_loop *);
void	packet_io_shutdown(void);
uint32_t packet_next_request_id(void);

/* Receive entry point (sysdep callback). */
void	packet_receive(int ifindex, const struct nhrp_addr *src_nbma,
	    const uint8_t *buf, size_t len);

/* Fills hop count, regenerates authentication, builds and sends. */
int	packet_send(struct nhrp_iface *, const struct nhrp_addr *dst_nbma,
	    struct nhrp_packet *);
/* Routes by destination (replies: by source) protocol address, then sends;
 * to an entry that is neither up nor lower-up the packet is queued (5.6:
 * one slot per entry, a newer packet replaces the older one). */
int	packet_route_send(struct nhrp_iface *, struct nhrp_packet *,
	    const struct nhrp_addr *route_to);
/* The entry went up: its queued packet, if any, is sent (peer_set_up). */
void	packet_queue_send(struct nhrp_peer *);
/* The entry's pending work is cancelled: its queued packet is dropped
 * (peer_cancel). */
void	packet_queue_drop(struct nhrp_peer *);
size_t	packet_queue_count(void);
struct nhrp_peer *packet_route(struct nhrp_iface *, const struct nhrp_addr *dst,
	    const struct nhrp_packet *exclude);

/* Sends pkt to dst_nbma and retransmits (5 s, 6 times) until answered. */
struct nhrp_request *request_send(struct nhrp_iface *,
	    const struct nhrp_addr *dst_nbma, struct nhrp_packet *,
	    request_cb, void *ctx);
void	request_cancel(struct nhrp_request *);

/* Error Indication about a received packet. */
void	packet_send_error(struct nhrp_iface *, const struct nhrp_packet *orig,
	    const uint8_t *raw, size_t rawlen, const struct nhrp_addr *outer,
	    uint16_t code, uint16_t offset);

/* Common header pieces */
void	packet_fill_src(struct nhrp_iface *, struct nhrp_packet *,
	    const struct nhrp_addr *my_nbma);
int	packet_add_std_exts(struct nhrp_packet *, bool with_nat);
int	packet_fill_responder(struct nhrp_iface *, struct nhrp_packet *,
	    const struct nhrp_addr *my_nbma);
int	packet_is_local_dst(struct nhrp_iface *, const struct nhrp_addr *);

/* handlers (server.c, client.c) */
void	server_registration_request(struct nhrp_iface *, struct nhrp_packet *,
	    const struct nhrp_addr *outer, const uint8_t *raw, size_t rawlen);
void	server_purge_request(struct nhrp_iface *, struct nhrp_packet *,
	    const struct nhrp_addr *outer);
void	server_resolution_request(struct nhrp_iface *, struct nhrp_packet *,
	    const struct nhrp_addr *outer);
void	server_traffic_indication(struct nhrp_iface *, struct nhrp_packet *,
	    const struct nhrp_addr *outer);
void	server_forward(struct nhrp_iface *, struct nhrp_packet *,
	    const struct nhrp_addr *outer, const uint8_t *raw, size_t rawlen);
void	server_shutdown(void);

/* client.c */
void	client_start(struct nhrp_peer *);		/* after lower-up */
void	client_register(struct nhrp_peer *);
void	client_purge_on_shutdown(void);
int	client_update_nbma(struct nhrp_peer *, const struct nhrp_addr *proto);
void	client_resolve(struct nhrp_iface *, const struct nhrp_addr *dst,
	    struct nhrp_peer *incomplete);
void	client_traffic(struct nhrp_iface *, const struct nhrp_addr *dst);

#endif
