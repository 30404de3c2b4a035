/*
 * resolver.h - asynchronous DNS (c-ares) on the libev loop.
 *
 * One channel (2 s timeout, 3 tries, system resolv.conf and hosts), IPv4
 * A records, at most RESOLVER_MAX_ADDRS per answer.  Each query is
 * cancelled on its own.
 */
#ifndef NHRP_RESOLVER_H
#define NHRP_RESOLVER_H

#include <stddef.h>

#include "addr.h"

struct ev_loop;

#define RESOLVER_MAX_ADDRS	16

/* status 0 = success (n >= 1), else failure (n == 0) */
typedef void (*resolver_cb)(void *ctx, int status,
	    const struct nhrp_addr *addrs, size_t n);

struct resolver_query;

int	resolver_init(struct ev_loop *);
/* Per-try timeout and tries (2000 ms, 3); call before resolver_init. */
void	resolver_set_timeout(unsigned timeout_ms, unsigned tries);
/* Use these servers ("ip[:port],...") instead of resolv.conf (tests). */
int	resolver_set_servers(const char *csv);
struct resolver_query *resolver_lookup(const char *name, resolver_cb, void *ctx);
/* The handle is valid until its callback runs or it is cancelled. */
void	resolver_cancel(struct resolver_query *);
void	resolver_shutdown(void);

#endif
