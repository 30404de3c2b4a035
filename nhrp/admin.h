/*
 * admin.h - the admin (control) socket and its request language.
 *
 * Wire contract (OpenNHRP): AF_UNIX stream, one newline-terminated request
 * per connection (at most 511 bytes with the newline), a text reply, then
 * close; 10 s per connection.  Replies are buffered and written
 * non-blocking; a stalled or vanished client never blocks the daemon.
 *
 * Parsing is pure (admin_parse_command, admin_parse_selector) so it can be
 * unit-tested and fuzzed; the daemon supplies the handlers.
 */
#ifndef NHRP_ADMIN_H
#define NHRP_ADMIN_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

struct ev_loop;

enum admin_cmd {
	ADMIN_CMD_NONE = 0,
	ADMIN_CMD_ROUTE_SHOW,		/* "route show" */
	ADMIN_CMD_SHOW,			/* "show", "cache show" */
	ADMIN_CMD_FLUSH,		/* "flush", "cache flush" */
	ADMIN_CMD_PURGE,		/* "purge", "cache purge" */
	ADMIN_CMD_LOWERDOWN,		/* "cache lowerdown" */
	ADMIN_CMD_INTERFACE_SHOW,	/* "interface show" */
	ADMIN_CMD_REDIRECT_PURGE,	/* "redirect purge" */
	ADMIN_CMD_UPDATE_NBMA,		/* "update nbma" */
};

struct admin_out;

/*
 * A reply producer for long replies (a show over 50k entries): each call
 * appends one bounded part (about ADMIN_PART_BYTES) and returns 1 once
 * the reply is complete, 0 while more is to come.
 */
typedef int (*admin_more_fn)(void *ctx, struct admin_out *);

#define ADMIN_PART_BYTES	(64 * 1024)

/* Output buffer handed to handlers. */
struct admin_out {
	char		*buf;
	size_t		 len, cap;
	bool		 oom;
	/* the transport sets this: a producer may run later, part by part */
	bool		 incremental;
	admin_more_fn	 more;		/* pending producer, NULL when none */
	void		(*more_free)(void *ctx);
	void		*more_ctx;
};
void	admin_printf(struct admin_out *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Hands the rest of the reply to a producer.  With out->incremental the
 * transport calls it whenever the client has taken what was produced
 * (one part per writable event, so packets are served in between, and
 * nothing is produced while the client does not read); otherwise it runs
 * to completion here.  free_fn (may be NULL) releases ctx in every case:
 * reply complete, client gone, timeout, shutdown, admin_out_free().
 */
void	admin_out_defer(struct admin_out *, admin_more_fn, void (*free_fn)(void *),
	    void *ctx);
/* Runs the pending producer once; returns 1 when the reply is complete. */
int	admin_out_more(struct admin_out *);

/* Selectors (section 3.3 of the behaviour spec) */
#define ADMIN_SEL_IFACE		0x01	/* interface / iface / dev / local-protocol */
#define ADMIN_SEL_HOST		0x02
#define ADMIN_SEL_PROTO		0x04
#define ADMIN_SEL_NBMA		0x08
#define ADMIN_SEL_LOCAL_NBMA	0x10
#define ADMIN_SEL_LOCAL_PROTO	0x20

struct admin_selector {
	unsigned	has;		/* ADMIN_SEL_* */
	int		ifindex_hint;	/* set by the lookup callback */
	void		*iface;		/* daemon's interface object, opaque here */
	char		*hostname;
	struct nhrp_addr proto;
	unsigned	proto_prefix;	/* omitted -> 32; /0 means everything
					   (upstream turned 0 into 32: fixed) */
	struct nhrp_addr nbma;
	struct nhrp_addr local_nbma;
	struct nhrp_addr local_proto;
};

/* Daemon callbacks used while parsing selectors. */
struct admin_lookup {
	/* interface by name; NULL if unknown */
	void	*(*iface_by_name)(void *arg, const char *name);
	/* interface whose protocol address is exactly a; NULL if none */
	void	*(*iface_by_proto)(void *arg, const struct nhrp_addr *a);
	/* the unambiguous interface for a local NBMA (see spec 3.3); NULL ok */
	void	*(*iface_by_local_nbma)(void *arg, const struct nhrp_addr *a);
	void	*arg;
};

/*
 * Matches the command prefix (case-insensitive, table order).  Returns
 * the command and sets *args to what follows the prefix.
 */
enum admin_cmd admin_parse_command(const char *req, const char **args);
/*
 * Parses "KEYWORD VALUE ..." into sel.  Returns 0, or -1 after writing
 * the complete failure reply (Status: failed / Reason: ...) to out.
 */
int	admin_parse_selector(const char *args, const struct admin_lookup *,
	    struct admin_selector *sel, struct admin_out *out);
void	admin_selector_clear(struct admin_selector *);

/*
 * opennhrp-ng additions
 *
 * Selector notes: sel is initialised by admin_parse_selector; call
 * admin_selector_clear() afterwards in every case.  interface/iface/dev,
 * local-protocol and local-nbma all choose the interface, so any two of
 * them (or one twice) is conflicting-keyword.  The daemon filters on
 * sel->iface whenever it is non-NULL: it is set by interface/iface/dev
 * (ADMIN_SEL_IFACE), local-protocol (ADMIN_SEL_IFACE|ADMIN_SEL_LOCAL_PROTO)
 * and, when the callback could infer one, local-nbma (ADMIN_SEL_LOCAL_NBMA
 * only).  ADMIN_SEL_NBMA means shortcut-route entries are not shown.
 */

/* Canonical request prefix of a command ("cache lowerdown"), "" for NONE. */
const char *admin_cmd_name(enum admin_cmd);

/* Output buffer management (a zeroed struct admin_out is empty). */
void	admin_out_reset(struct admin_out *);	/* len = 0, oom = false */
void	admin_out_free(struct admin_out *);
/* "Status: error\nReason: unrecognized command\n" */
void	admin_reply_unrecognized(struct admin_out *);
/* "Status: failed\nReason: <reason>\nNear-Keyword: '<near>'\n" */
void	admin_reply_failed(struct admin_out *, const char *reason,
	    const char *near);
/* "Status: ok\nEntries-Affected: <n>\n" */
void	admin_reply_affected(struct admin_out *, unsigned long n);

/*
 * "update nbma NBMA PROTO": both addresses required (a /len is accepted
 * and ignored).  Returns 0, or -1 after writing the syntax-error reply
 * (Near-Keyword: the last word read, '' when there was none).
 */
int	admin_parse_update_nbma(const char *args, struct nhrp_addr *nbma,
	    struct nhrp_addr *proto, struct admin_out *out);
/*
 * "redirect purge [A[/len]]": returns 0 when no address was given (clear
 * everything), 1 with *a and *plen set (omitted len = 32, /0 = all), or
 * -1 after writing the invalid-address reply (Near-Keyword: the word).
 */
int	admin_parse_redirect_purge(const char *args, struct nhrp_addr *a,
	    unsigned *plen, struct admin_out *out);

/*
 * Socket tuning, for tests (defaults: 10 s timeout, 64 connections, 1 s
 * accept pause after EMFILE).  The timeout covers the request (from
 * accept to the newline); while replying it restarts on each write that
 * makes progress.  Call before or after admin_init.
 */
void	admin_set_timeout(double seconds);
void	admin_set_max_conns(unsigned);
void	admin_set_accept_pause(double seconds);
unsigned admin_nconns(void);		/* connections currently open */
bool	admin_accept_paused(void);	/* EMFILE back-off in progress */

/*
 * Handler: writes the reply to out (the transport sends it afterwards),
 * the whole reply or a first part and a producer (admin_out_defer).  It
 * must not call admin_shutdown().
 */
typedef void (*admin_handler_fn)(void *arg, enum admin_cmd,
	    const char *args, struct admin_out *out);

/*
 * Binds the socket (never unlinking one a live daemon listens on) and
 * starts accepting.  Returns 0 or -errno.
 */
int	admin_init(struct ev_loop *, const char *path, admin_handler_fn, void *arg);
void	admin_shutdown(void);

#endif
