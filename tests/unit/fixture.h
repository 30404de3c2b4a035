/*
 * fixture.h - the fake daemon set-up shared by the core unit tests and
 * the ctl golden driver: configuration, links and addresses through the
 * real iface/cache code, the fake kernel and hooks of fake_sysdep.c, a
 * fake capture module, fake time (core_fake_now), and small helpers.
 */
#ifndef TESTS_FIXTURE_H
#define TESTS_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "addr.h"
#include "packet.h"
#include "nhrp/admin.h"

struct nhrp_conf;
struct nhrp_peer;

/* Loop, fake time at now, interface and cache modules, the configuration
 * text applied.  NULL when the configuration does not parse. */
struct nhrp_conf *fx_init(const char *cfg, double now);
/* fx_init with fake.route_src (the source of every route) set first. */
struct nhrp_conf *fx_init_src(const char *cfg, double now,
	    const char *route_src);
/* The client and peer tests' GRE interfaces (MTU 1476, no key), in this
 * order: gre1 (5, NBMA 198.51.100.2), gre2 (6, NBMA 198.51.100.3),
 * gre1_addr/24 on gre1, 10.254.0.2/24 on gre2, gre3 (7, NBMA gre3_local,
 * none when NULL), 10.253.0.2/24 on gre3. */
void	fx_three_gre(const char *gre1_addr, const char *gre3_local);
/* A link event: gre when key or local is given (local may be NULL). */
void	fx_link(int ifindex, const char *name, unsigned mtu, int gre,
	    uint32_t key, const char *local, int link_index);
void	fx_addr(int ifindex, const char *addr, unsigned prefix);

struct nhrp_addr fx_a(const char *);	/* parsed, zero on error */
char	*fx_fmt(const struct nhrp_addr *);	/* 4 rotating buffers */

/* The complete admin reply to a request line, as the socket sends it. */
const char *fx_ctl(const char *request);

/* packets */
void	fx_rx(int ifindex, const char *outer, const uint8_t *buf, size_t len);
/* Builds p into a buffer and receives it; returns the length or 0. */
size_t	fx_rx_pkt(int ifindex, const char *outer, struct nhrp_packet *p);
/* Parses the n-th packet sent (negative: from the end, -1 = last). */
int	fx_sent(int n, struct nhrp_packet *p, struct nhrp_addr *to);

/* A request's fixed part: type, hop count 16, flags, request id and
 * the source NBMA, source and destination protocol addresses. */
void	fx_req(struct nhrp_packet *, uint8_t type, uint16_t flags,
	    uint32_t id, const char *nbma, const char *src, const char *dst);
void	fx_req_a(struct nhrp_packet *, uint8_t type, uint16_t flags,
	    uint32_t id, const struct nhrp_addr *nbma,
	    const struct nhrp_addr *src, const struct nhrp_addr *dst);
/* The compulsory Forward Transit, Reverse Transit and Responder
 * extensions OpenNHRP puts on each request. */
void	fx_req_exts(struct nhrp_packet *);
/* The CIE code of the last packet sent (-1: none sent, or not one CIE);
 * its request id in *id when id is not NULL. */
int	fx_last_code(uint32_t *id);

/* hooks */
size_t	fx_count(const char *event);
/* Finishes every pending hook and neighbour update (status 0). */
void	fx_drain(void);
/* Forgets the packets, hooks and neighbour updates recorded so far. */
void	fx_forget(void);

/* Timers: the seconds until the entry's timer fires (-1 when idle). */
double	fx_timer_left(struct nhrp_peer *);
/* Fires the entry's pending timer (as the loop would). */
void	fx_fire(struct nhrp_peer *);
/* Fires an ev_timer (a request's retransmission timer). */
void	fx_fire_timer(ev_timer *);

struct nhrp_peer *fx_find(const char *ifname, const char *addr,
	    unsigned prefix, unsigned typemask);

#endif
