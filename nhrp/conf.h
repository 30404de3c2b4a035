/*
 * conf.h - opennhrp.conf: pure parse into a tree, print, free.
 *
 * conf_parse_*() never touches the kernel or the daemon's state; the
 * daemon applies a parsed tree (startup now, reload later).  Errors are
 * reported as "FILE:LINE: message" through the callback and counted.
 */
#ifndef NHRP_CONF_H
#define NHRP_CONF_H

#include <stdio.h>
#include <sys/queue.h>

#include "addr.h"

#define CONF_IFNAMSIZ		16	/* IFNAMSIZ incl. NUL */
#define CONF_AUTH_MAX		31	/* cisco-authentication secret bytes */
#define CONF_DEFAULT_HOLDING	7200
#define CONF_DEFAULT_TABLE	254

/* peer modifiers (map, dynamic-map) */
#define CONF_PEER_REGISTER	0x01
#define CONF_PEER_CISCO		0x02
#define CONF_PEER_NO_UNIQUE	0x04

/* interface flags */
#define CONF_IF_SHORTCUT	0x01
#define CONF_IF_REDIRECT	0x02
#define CONF_IF_NON_CACHING	0x04
#define CONF_IF_SHORTCUT_DEST	0x08

/* multicast modes (a mask of peer types, as upstream) */
#define CONF_MCAST_NONE		0
#define CONF_MCAST_NHS		1	/* static + dynamic-nhs */
#define CONF_MCAST_DYNAMIC	2	/* static + dynamic-nhs + dynamic */

struct conf_map {			/* map PROTO[/LEN] NBMA|HOST */
	TAILQ_ENTRY(conf_map) entry;
	struct nhrp_addr proto;		/* host address, not masked */
	unsigned	prefix;
	struct nhrp_addr nbma;		/* unspecified when hostname is set */
	char		*hostname;	/* NULL when nbma is an address */
	unsigned	flags;		/* CONF_PEER_* */
	int		line;
};

struct conf_dynmap {			/* dynamic-map PROTO/LEN HOST */
	TAILQ_ENTRY(conf_dynmap) entry;
	struct nhrp_addr proto;		/* network address */
	unsigned	prefix;
	char		*hostname;
	unsigned	flags;		/* CONF_PEER_*: applied to its NHSs */
	int		line;
};

struct conf_target {			/* shortcut-target PROTO[/LEN] */
	TAILQ_ENTRY(conf_target) entry;
	struct nhrp_addr proto;
	unsigned	prefix;
	unsigned	holding_time;	/* 0 = the interface's */
	int		line;
};

struct conf_mcast_addr {		/* multicast A.B.C.D */
	TAILQ_ENTRY(conf_mcast_addr) entry;
	struct nhrp_addr addr;
};

struct conf_iface {
	TAILQ_ENTRY(conf_iface) entry;
	char		name[CONF_IFNAMSIZ];
	unsigned	flags;		/* CONF_IF_* */
	unsigned	holding_time;	/* default CONF_DEFAULT_HOLDING */
	unsigned	route_table;	/* default CONF_DEFAULT_TABLE */
	size_t		auth_len;	/* 0 = no cisco-authentication */
	unsigned char	auth[CONF_AUTH_MAX];
	int		mcast_mode;	/* CONF_MCAST_* */
	TAILQ_HEAD(, conf_mcast_addr) mcast_addrs;
	TAILQ_HEAD(, conf_map) maps;
	TAILQ_HEAD(, conf_dynmap) dynmaps;
	TAILQ_HEAD(, conf_target) targets;
	int		line;		/* first "interface" line */
	int		auth_line;	/* last cisco-authentication line */
};

struct nhrp_conf {
	TAILQ_HEAD(, conf_iface) ifaces;
	/* global settings (opennhrp-ng extensions; defaults as upstream) */
	unsigned	script_timeout;		/* seconds, default 120 */
	unsigned	script_max_running;	/* tracked hooks in flight, default 16 */
	int		shutdown_purge;		/* purge our registrations on exit, default 1 */
	char		*source;		/* file name given to conf_parse_*() */
};

#define CONF_DEFAULT_SCRIPT_TIMEOUT	120
#define CONF_DEFAULT_SCRIPT_MAX		16
#define CONF_CISCO_AUTH_USED		8	/* bytes Cisco peers compare */

/* error sink: called once per error with "FILE:LINE: message" */
typedef void (*conf_err_fn)(void *arg, const char *msg);

/* Returns a tree, or NULL after reporting at least one error. */
struct nhrp_conf *conf_parse_file(const char *path, conf_err_fn, void *arg);
struct nhrp_conf *conf_parse_buffer(const char *name, const char *buf,
	    size_t len, conf_err_fn, void *arg);
/* Canonical form, re-parseable; conf_parse(conf_print(x)) == x. */
void	conf_print(FILE *, const struct nhrp_conf *);
void	conf_free(struct nhrp_conf *);
struct conf_iface *conf_iface_find(const struct nhrp_conf *, const char *);

/* 1 when both trees hold the same configuration (line numbers ignored). */
int	conf_equal(const struct nhrp_conf *, const struct nhrp_conf *);
/*
 * Reports what is valid but worth a log line ("FILE:LINE: cisco-
 * authentication secret longer than 8 bytes: ...") through fn; returns
 * the number of warnings.  The daemon logs them with log_warnx().
 */
int	conf_warnings(const struct nhrp_conf *, conf_err_fn, void *arg);
/* The keyword table, sorted; NULL past the end. */
const char *conf_keyword(unsigned);
/*
 * "opennhrp -n [-v]": parse path, errors and warnings to stderr, the
 * canonical form to stdout when print; returns the exit status, 0 or 4.
 */
int	conf_check_main(const char *path, int print);

#endif
