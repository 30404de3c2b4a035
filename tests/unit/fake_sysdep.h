/*
 * fake_sysdep.h - recorded kernel and hook activity for unit tests.
 */
#ifndef TESTS_FAKE_SYSDEP_H
#define TESTS_FAKE_SYSDEP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "nhrp/script.h"
#include "nhrp/sysdep.h"

#define FAKE_MAX	64

struct fake_pkt {
	int		 ifindex;
	struct nhrp_addr dst;
	uint8_t		 buf[2048];
	size_t		 len;
};

struct fake_neigh {
	int		 ifindex;
	struct nhrp_addr proto, nbma;
	bool		 failed, pending;
	sysdep_done_fn	 done;
	void		*ctx;
};

struct fake_hook {
	char		 event[32];
	char		 env[1024];
	script_done_fn	 done;
	void		*ctx;
	bool		 pending;
};

struct fake_state {
	struct fake_pkt		pkt[FAKE_MAX];
	size_t			npkt;
	struct fake_neigh	neigh[FAKE_MAX];
	size_t			nneigh;
	struct fake_hook	hook[FAKE_MAX];
	size_t			nhook;
	struct nhrp_addr	route_src;
};

extern struct fake_state fake;

int	fake_neigh_ack(int err);
int	fake_hook_done(int status);
const struct fake_hook *fake_last_hook(const char *event);
int	fake_hook_has(const struct fake_hook *, const char *want);
/* Finishes the oldest pending tracked hook of this event whose
 * environment holds every word of want; its index or -1. */
int	fake_hook_done_match(const char *event, const char *want, int status);

#endif
