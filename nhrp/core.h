/*
 * core.h - daemon-wide state shared by the core modules.
 */
#ifndef NHRP_CORE_H
#define NHRP_CORE_H

#include <stdbool.h>

struct ev_loop;
struct nhrp_conf;
struct sysdep_ops;

extern struct ev_loop	*nhrp_loop;
extern struct nhrp_conf	*nhrp_cur_conf;
extern bool		 nhrp_shutting_down;

extern double		 core_fake_now;	/* unit tests: fake time */
extern bool		 core_fake_time;

double	core_now(void);

struct nhrp_addr;
/* An address for logs and hook variables (NHRP_ADDRSTRLEN bytes of buf);
 * "(unspecified)" when a is NULL or has no family. */
char	*af(const struct nhrp_addr *a, char *buf);
void	core_sysdep_ops(struct sysdep_ops *);
void	core_flush(void);		/* SIGHUP */
void	core_shutdown_peers(void);	/* SIGTERM/SIGINT */

#endif
