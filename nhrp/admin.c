/*
 * admin.c - the admin (control) socket: request language and transport.
 *
 * The request language (commands, selectors, reply texts) is that of
 * OpenNHRP 0.14.1 (behaviour spec section 3).  The transport is rewritten:
 * replies are buffered per connection and written without blocking, a
 * request may arrive in any number of segments, and neither a stalled nor
 * a vanished client can block or kill the daemon.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "addr.h"
#include "admin.h"
#include "log.h"

#define ADMIN_REQ_MAX		512	/* buffer; a request is < this */
#define ADMIN_BACKLOG		16
#define ADMIN_DRAIN_MAX		(64 * 1024)

/*
 * Command table.  Order matters: the first entry whose prefix matches the
 * start of the request (ignoring case, no word boundary) wins.  New
 * commands are new rows; nothing else changes.
 */
static const struct admin_cmd_def {
	const char	*prefix;
	enum admin_cmd	 cmd;
} admin_cmds[] = {
	{ "route show",		ADMIN_CMD_ROUTE_SHOW },
	{ "show",		ADMIN_CMD_SHOW },
	{ "cache show",		ADMIN_CMD_SHOW },
	{ "flush",		ADMIN_CMD_FLUSH },
	{ "cache flush",	ADMIN_CMD_FLUSH },
	{ "purge",		ADMIN_CMD_PURGE },
	{ "cache purge",	ADMIN_CMD_PURGE },
	{ "cache lowerdown",	ADMIN_CMD_LOWERDOWN },
	{ "interface show",	ADMIN_CMD_INTERFACE_SHOW },
	{ "redirect purge",	ADMIN_CMD_REDIRECT_PURGE },
	{ "update nbma",	ADMIN_CMD_UPDATE_NBMA },
};

/* Selector keywords (case-sensitive). */
enum sel_kw {
	KW_IFACE,
	KW_HOST,
	KW_PROTO,
	KW_NBMA,
	KW_LOCAL_PROTO,
	KW_LOCAL_NBMA,
};

static const struct sel_kw_def {
	const char	*word;
	enum sel_kw	 kw;
} sel_kws[] = {
	{ "interface",		KW_IFACE },
	{ "iface",		KW_IFACE },
	{ "dev",		KW_IFACE },
	{ "host",		KW_HOST },
	{ "hostname",		KW_HOST },
	{ "protocol",		KW_PROTO },
	{ "nbma",		KW_NBMA },
	{ "local-protocol",	KW_LOCAL_PROTO },
	{ "local-nbma",		KW_LOCAL_NBMA },
};

/* Everything that chooses the interface. */
#define SEL_IFACE_GROUP	(ADMIN_SEL_IFACE | ADMIN_SEL_LOCAL_PROTO | \
			    ADMIN_SEL_LOCAL_NBMA)

static const char admin_oom_reply[] =
    "Status: error\nReason: out of memory\n";

/* ------------------------------------------------------------------ */
/* Output buffer */

static bool
out_reserve(struct admin_out *out, size_t need)
{
	size_t ncap;
	char *nbuf;

	if (out->oom)
		return false;
	if (out->cap - out->len > need)
		return true;
	ncap = out->cap ? out->cap : 256;
	while (ncap - out->len <= need) {
		if (ncap > ((size_t)-1) / 2) {
			out->oom = true;
			return false;
		}
		ncap *= 2;
	}
	if ((nbuf = realloc(out->buf, ncap)) == NULL) {
		out->oom = true;
		return false;
	}
	out->buf = nbuf;
	out->cap = ncap;
	return true;
}

void
admin_printf(struct admin_out *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (out->oom)
		return;
	if (!out_reserve(out, 128))
		return;
	va_start(ap, fmt);
	n = vsnprintf(out->buf + out->len, out->cap - out->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		out->buf[out->len] = '\0';
		return;
	}
	if ((size_t)n >= out->cap - out->len) {
		if (!out_reserve(out, (size_t)n)) {
			out->buf[out->len] = '\0';
			return;
		}
		va_start(ap, fmt);
		n = vsnprintf(out->buf + out->len, out->cap - out->len, fmt,
		    ap);
		va_end(ap);
		if (n < 0) {
			out->buf[out->len] = '\0';
			return;
		}
	}
	out->len += (size_t)n;
}

void
admin_out_reset(struct admin_out *out)
{
	out->len = 0;
	out->oom = false;
	if (out->buf != NULL)
		out->buf[0] = '\0';
}

static void
out_more_end(struct admin_out *out)
{
	void (*fn)(void *) = out->more_free;
	void *ctx = out->more_ctx;

	out->more = NULL;
	out->more_free = NULL;
	out->more_ctx = NULL;
	if (fn != NULL)
		fn(ctx);
}

int
admin_out_more(struct admin_out *out)
{
	if (out->more == NULL)
		return 1;
	if (out->oom || out->more(out->more_ctx, out) != 0 || out->oom) {
		out_more_end(out);
		return 1;
	}
	return 0;
}

void
admin_out_defer(struct admin_out *out, admin_more_fn fn,
    void (*free_fn)(void *), void *ctx)
{
	out_more_end(out);
	out->more = fn;
	out->more_free = free_fn;
	out->more_ctx = ctx;
	if (!out->incremental)
		while (admin_out_more(out) == 0)
			;
}

void
admin_out_free(struct admin_out *out)
{
	out_more_end(out);
	free(out->buf);
	out->buf = NULL;
	out->len = out->cap = 0;
	out->oom = false;
}

void
admin_reply_unrecognized(struct admin_out *out)
{
	admin_printf(out, "Status: error\nReason: unrecognized command\n");
}

void
admin_reply_failed(struct admin_out *out, const char *reason,
    const char *near)
{
	admin_printf(out, "Status: failed\nReason: %s\nNear-Keyword: '%s'\n",
	    reason, near);
}

void
admin_reply_affected(struct admin_out *out, unsigned long n)
{
	admin_printf(out, "Status: ok\nEntries-Affected: %lu\n", n);
}

/* ------------------------------------------------------------------ */
/* Request language */

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool
prefix_match(const char *req, const char *prefix)
{
	for (; *prefix != '\0'; req++, prefix++)
		if (*req == '\0' || lower((unsigned char)*req) != *prefix)
			return false;
	return true;
}

enum admin_cmd
admin_parse_command(const char *req, const char **args)
{
	size_t i;

	if (args != NULL)
		*args = NULL;
	if (req == NULL)
		return ADMIN_CMD_NONE;
	for (i = 0; i < sizeof(admin_cmds) / sizeof(admin_cmds[0]); i++) {
		if (prefix_match(req, admin_cmds[i].prefix)) {
			if (args != NULL)
				*args = req + strlen(admin_cmds[i].prefix);
			return admin_cmds[i].cmd;
		}
	}
	return ADMIN_CMD_NONE;
}

const char *
admin_cmd_name(enum admin_cmd cmd)
{
	size_t i;

	for (i = 0; i < sizeof(admin_cmds) / sizeof(admin_cmds[0]); i++)
		if (admin_cmds[i].cmd == cmd)
			return admin_cmds[i].prefix;
	return "";
}

static bool
is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

/*
 * Cuts the next whitespace-separated word out of the writable string at
 * *pp (NUL-terminating it in place).  Returns NULL at the end.
 */
static char *
next_word(char **pp)
{
	char *p = *pp, *w;

	while (is_space((unsigned char)*p))
		p++;
	if (*p == '\0') {
		*pp = p;
		return NULL;
	}
	w = p;
	while (*p != '\0' && !is_space((unsigned char)*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	*pp = p;
	return w;
}

void
admin_selector_clear(struct admin_selector *sel)
{
	free(sel->hostname);
	memset(sel, 0, sizeof(*sel));
}

static int
sel_fail(struct admin_selector *sel, char *copy, struct admin_out *out,
    const char *reason, const char *kw)
{
	admin_reply_failed(out, reason, kw);
	free(copy);
	admin_selector_clear(sel);
	return -1;
}

static int
sel_noiface(struct admin_selector *sel, char *copy, struct admin_out *out,
    const char *kw, const char *value)
{
	admin_printf(out, "Status: failed\nReason: interface-not-found\n"
	    "Near-Keyword: '%s'\nArgument: '%s'\n", kw, value);
	free(copy);
	admin_selector_clear(sel);
	return -1;
}

int
admin_parse_selector(const char *args, const struct admin_lookup *lk,
    struct admin_selector *sel, struct admin_out *out)
{
	const struct sel_kw_def *def;
	struct nhrp_addr a;
	char *copy, *p, *kw, *val;
	unsigned plen;
	size_t i;
	void *ifp;

	memset(sel, 0, sizeof(*sel));
	if (args == NULL)
		return 0;
	if ((copy = strdup(args)) == NULL) {
		out->oom = true;
		return -1;
	}
	p = copy;
	while ((kw = next_word(&p)) != NULL) {
		if ((val = next_word(&p)) == NULL)
			return sel_fail(sel, copy, out, "missing-argument", kw);

		def = NULL;
		for (i = 0; i < sizeof(sel_kws) / sizeof(sel_kws[0]); i++)
			if (strcmp(kw, sel_kws[i].word) == 0) {
				def = &sel_kws[i];
				break;
			}

		if (def != NULL && def->kw == KW_IFACE) {
			if (sel->has & SEL_IFACE_GROUP)
				return sel_fail(sel, copy, out,
				    "conflicting-keyword", kw);
			ifp = NULL;
			if (lk != NULL && lk->iface_by_name != NULL)
				ifp = lk->iface_by_name(lk->arg, val);
			if (ifp == NULL)
				return sel_noiface(sel, copy, out, kw, val);
			sel->iface = ifp;
			sel->has |= ADMIN_SEL_IFACE;
			continue;
		}
		if (def != NULL && def->kw == KW_HOST) {
			if (sel->has & ADMIN_SEL_HOST)
				return sel_fail(sel, copy, out,
				    "conflicting-keyword", kw);
			if ((sel->hostname = strdup(val)) == NULL) {
				out->oom = true;
				free(copy);
				admin_selector_clear(sel);
				return -1;
			}
			sel->has |= ADMIN_SEL_HOST;
			continue;
		}

		/* Every other word, known or not, takes an address. */
		if (nhrp_addr_parse(val, &a, 1, &plen) != 0)
			return sel_fail(sel, copy, out, "invalid-address", kw);
		if (def == NULL)
			return sel_fail(sel, copy, out, "syntax-error", kw);

		switch (def->kw) {
		case KW_PROTO:
			if (sel->has & ADMIN_SEL_PROTO)
				return sel_fail(sel, copy, out,
				    "conflicting-keyword", kw);
			sel->proto = a;
			sel->proto_prefix = plen;
			sel->has |= ADMIN_SEL_PROTO;
			break;
		case KW_NBMA:
			if (sel->has & ADMIN_SEL_NBMA)
				return sel_fail(sel, copy, out,
				    "conflicting-keyword", kw);
			sel->nbma = a;
			sel->has |= ADMIN_SEL_NBMA;
			break;
		case KW_LOCAL_PROTO:
			if (sel->has & SEL_IFACE_GROUP)
				return sel_fail(sel, copy, out,
				    "conflicting-keyword", kw);
			ifp = NULL;
			if (lk != NULL && lk->iface_by_proto != NULL)
				ifp = lk->iface_by_proto(lk->arg, &a);
			if (ifp == NULL)
				return sel_noiface(sel, copy, out, kw, val);
			sel->iface = ifp;
			sel->local_proto = a;
			sel->has |= ADMIN_SEL_IFACE | ADMIN_SEL_LOCAL_PROTO;
			break;
		case KW_LOCAL_NBMA:
			if (sel->has & SEL_IFACE_GROUP)
				return sel_fail(sel, copy, out,
				    "conflicting-keyword", kw);
			sel->local_nbma = a;
			sel->has |= ADMIN_SEL_LOCAL_NBMA;
			if (lk != NULL && lk->iface_by_local_nbma != NULL)
				sel->iface = lk->iface_by_local_nbma(lk->arg,
				    &a);
			break;
		default:
			return sel_fail(sel, copy, out, "syntax-error", kw);
		}
	}
	free(copy);
	return 0;
}

int
admin_parse_update_nbma(const char *args, struct nhrp_addr *nbma,
    struct nhrp_addr *proto, struct admin_out *out)
{
	char *copy, *p, *w, *last = NULL;
	unsigned plen;
	int rc = -1;

	nhrp_addr_clear(nbma);
	nhrp_addr_clear(proto);
	if ((copy = strdup(args != NULL ? args : "")) == NULL) {
		out->oom = true;
		return -1;
	}
	p = copy;
	if ((w = next_word(&p)) == NULL)
		goto fail;
	last = w;
	if (nhrp_addr_parse(w, nbma, 1, &plen) != 0)
		goto fail;
	if ((w = next_word(&p)) == NULL)
		goto fail;
	last = w;
	if (nhrp_addr_parse(w, proto, 1, &plen) != 0)
		goto fail;
	rc = 0;
	goto done;
fail:
	nhrp_addr_clear(nbma);
	nhrp_addr_clear(proto);
	admin_reply_failed(out, "syntax-error", last != NULL ? last : "");
done:
	free(copy);
	return rc;
}

int
admin_parse_redirect_purge(const char *args, struct nhrp_addr *a,
    unsigned *plen, struct admin_out *out)
{
	char *copy, *p, *w;
	int rc;

	nhrp_addr_clear(a);
	*plen = 0;
	if ((copy = strdup(args != NULL ? args : "")) == NULL) {
		out->oom = true;
		return -1;
	}
	p = copy;
	if ((w = next_word(&p)) == NULL)
		rc = 0;
	else if (nhrp_addr_parse(w, a, 1, plen) != 0) {
		admin_reply_failed(out, "invalid-address", w);
		*plen = 0;
		rc = -1;
	} else
		rc = 1;
	free(copy);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Transport */

enum conn_state {
	CONN_READ,
	CONN_WRITE,
};

struct admin_conn {
	LIST_ENTRY(admin_conn)	 entry;
	ev_io			 io;
	ev_timer		 timer;
	int			 fd;
	enum conn_state		 state;
	size_t			 len;
	char			 req[ADMIN_REQ_MAX + 1];
	struct admin_out	 out;
	const char		*wbuf;
	size_t			 wlen, woff;
};

static struct {
	struct ev_loop		*loop;
	int			 fd;
	ev_io			 io;
	ev_timer		 pause;
	char			*path;
	dev_t			 dev;
	ino_t			 ino;
	admin_handler_fn	 handler;
	void			*arg;
	LIST_HEAD(, admin_conn)	 conns;
	unsigned		 nconns;
	bool			 paused;
} admin = { .fd = -1 };

static double admin_timeout = 10.0;
static double admin_pause_time = 1.0;
static unsigned admin_max_conns = 64;

void
admin_set_timeout(double s)
{
	admin_timeout = s > 0 ? s : 10.0;
}

void
admin_set_max_conns(unsigned n)
{
	admin_max_conns = n > 0 ? n : 1;
}

void
admin_set_accept_pause(double s)
{
	admin_pause_time = s > 0 ? s : 1.0;
}

unsigned
admin_nconns(void)
{
	return admin.nconns;
}

bool
admin_accept_paused(void)
{
	return admin.paused;
}

/* Starts or stops the listening watcher to match the current state. */
static void
accept_update(void)
{
	if (admin.fd < 0)
		return;
	if (!admin.paused && admin.nconns < admin_max_conns)
		ev_io_start(admin.loop, &admin.io);
	else
		ev_io_stop(admin.loop, &admin.io);
}

static void
conn_free(struct admin_conn *c)
{
	ev_io_stop(admin.loop, &c->io);
	ev_timer_stop(admin.loop, &c->timer);
	if (c->fd >= 0)
		close(c->fd);
	LIST_REMOVE(c, entry);
	admin_out_free(&c->out);
	free(c);
	admin.nconns--;
	accept_update();
}

/* Reply sent: half-close, discard anything unread (so the client sees a
 * clean EOF rather than a reset), close. */
static void
conn_finish(struct admin_conn *c)
{
	char junk[4096];
	size_t total = 0;
	ssize_t n;

	shutdown(c->fd, SHUT_WR);
	while (total < ADMIN_DRAIN_MAX) {
		n = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	conn_free(c);
}

/*
 * Long replies: the next part is produced when fewer than this many bytes
 * wait to be sent, so a connection holds at most this plus one part
 * however slowly the client reads.
 */
#define ADMIN_OUT_LOWAT		(16 * 1024)

/* Produces the next part of a deferred reply; false when it failed. */
static bool
conn_produce(struct admin_conn *c)
{
	struct admin_out *out = &c->out;
	size_t unsent = c->wlen - c->woff;

	if (out->more == NULL || unsent >= ADMIN_OUT_LOWAT ||
	    c->wbuf == admin_oom_reply)
		return true;
	if (c->woff > 0) {
		memmove(out->buf, out->buf + c->woff, unsent);
		out->len = unsent;
		out->buf[unsent] = '\0';
		c->woff = 0;
	}
	admin_out_more(out);
	if (out->oom) {
		log_debug("Admin: out of memory: reply aborted");
		return false;
	}
	c->wbuf = out->buf;
	c->wlen = out->len;
	return true;
}

static void
conn_write(struct admin_conn *c)
{
	ssize_t n;
	bool progress = false;

	/* one part per writable event: the loop serves packets in between */
	if (!conn_produce(c)) {
		conn_free(c);
		return;
	}
	while (c->woff < c->wlen) {
		n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			log_debug("Admin: reply aborted: %s", strerror(errno));
			conn_free(c);
			return;
		}
		c->woff += (size_t)n;
		progress = true;
	}
	if (c->woff >= c->wlen && c->out.more == NULL) {
		conn_finish(c);
		return;
	}
	if (progress)
		ev_timer_again(admin.loop, &c->timer);
}

static void
conn_dispatch(struct admin_conn *c)
{
	enum admin_cmd cmd;
	const char *args;

	c->req[c->len - 1] = '\0';
	log_debug("Admin: %s", c->req);
	cmd = admin_parse_command(c->req, &args);
	c->out.incremental = true;
	if (cmd == ADMIN_CMD_NONE)
		admin_reply_unrecognized(&c->out);
	else if (admin.handler != NULL)
		admin.handler(admin.arg, cmd, args, &c->out);
	if (c->out.oom) {
		admin_out_more(&c->out);	/* drops a producer */
		c->wbuf = admin_oom_reply;
		c->wlen = sizeof(admin_oom_reply) - 1;
	} else {
		c->wbuf = c->out.buf != NULL ? c->out.buf : "";
		c->wlen = c->out.len;
	}
	c->woff = 0;
	c->state = CONN_WRITE;
	ev_io_stop(admin.loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_WRITE);
	ev_io_start(admin.loop, &c->io);
	/*
	 * The handler may have run for a while (a large show): the reply
	 * timeout measures the client, so restart it from the real time.
	 */
	ev_now_update(admin.loop);
	ev_timer_again(admin.loop, &c->timer);
	conn_write(c);
}

static void
conn_read(struct admin_conn *c)
{
	char *nl;
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->req + c->len, ADMIN_REQ_MAX - c->len,
		    MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			conn_free(c);
			return;
		}
		if (n == 0) {
			/* EOF before the newline: no reply */
			conn_free(c);
			return;
		}
		nl = memchr(c->req + c->len, '\n', (size_t)n);
		c->len += (size_t)n;
		if (nl != NULL && nl - c->req < ADMIN_REQ_MAX - 1) {
			/* anything after the newline is ignored */
			c->len = (size_t)(nl - c->req) + 1;
			conn_dispatch(c);
			return;
		}
		if (c->len >= ADMIN_REQ_MAX) {
			log_debug("Admin: request too long, dropped");
			conn_free(c);
			return;
		}
	}
}

static void
conn_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct admin_conn *c = w->data;

	if (c->state == CONN_READ)
		conn_read(c);
	else
		conn_write(c);
}

static void
conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct admin_conn *c = w->data;

	log_debug("Admin: connection timed out");
	conn_free(c);
}

static void
pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	admin.paused = false;
	accept_update();
}

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct admin_conn *c;
	int fd;

	while (admin.nconns < admin_max_conns) {
		fd = accept4(admin.fd, NULL, NULL,
		    SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			switch (errno) {
			case EINTR:
			case ECONNABORTED:
				continue;
			case EMFILE:
			case ENFILE:
			case ENOBUFS:
			case ENOMEM:
				log_warn("Admin: accept");
				admin.paused = true;
				ev_timer_set(&admin.pause, admin_pause_time,
				    0.);
				ev_timer_start(admin.loop, &admin.pause);
				accept_update();
				return;
			default:
				/* EAGAIN, or a transient error */
				return;
			}
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(fd);
			return;
		}
		c->fd = fd;
		c->state = CONN_READ;
		ev_io_init(&c->io, conn_io_cb, fd, EV_READ);
		c->io.data = c;
		ev_timer_init(&c->timer, conn_timer_cb, admin_timeout,
		    admin_timeout);
		c->timer.data = c;
		LIST_INSERT_HEAD(&admin.conns, c, entry);
		admin.nconns++;
		ev_io_start(admin.loop, &c->io);
		ev_timer_start(admin.loop, &c->timer);
	}
	accept_update();
}

/*
 * A socket file already at path: connect to it.  A live daemon answering
 * means we must not take over (its socket file stays); nobody listening
 * means a stale file that we may remove.  Anything that is not a socket is
 * left alone.
 */
static int
admin_check_existing(const char *path, const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	rc = connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	if (rc == 0 || errno == EAGAIN || errno == EINPROGRESS) {
		close(fd);
		return -EADDRINUSE;
	}
	rc = errno;
	close(fd);
	if (rc != ECONNREFUSED)
		return -rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int
admin_init(struct ev_loop *loop, const char *path, admin_handler_fn fn,
    void *arg)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc;

	if (admin.fd >= 0)
		return -EALREADY;
	if (path == NULL || *path == '\0')
		return -EINVAL;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));

	if ((rc = admin_check_existing(path, &sun)) < 0)
		return rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	if (listen(fd, ADMIN_BACKLOG) < 0 || stat(path, &st) < 0) {
		rc = -errno;
		unlink(path);
		close(fd);
		return rc;
	}
	if ((admin.path = strdup(path)) == NULL) {
		unlink(path);
		close(fd);
		return -ENOMEM;
	}
	admin.loop = loop;
	admin.fd = fd;
	admin.dev = st.st_dev;
	admin.ino = st.st_ino;
	admin.handler = fn;
	admin.arg = arg;
	admin.nconns = 0;
	admin.paused = false;
	LIST_INIT(&admin.conns);
	ev_io_init(&admin.io, accept_cb, fd, EV_READ);
	ev_init(&admin.pause, pause_cb);
	accept_update();
	return 0;
}

void
admin_shutdown(void)
{
	struct stat st;

	if (admin.fd < 0)
		return;
	while (!LIST_EMPTY(&admin.conns))
		conn_free(LIST_FIRST(&admin.conns));
	ev_io_stop(admin.loop, &admin.io);
	ev_timer_stop(admin.loop, &admin.pause);
	close(admin.fd);
	admin.fd = -1;
	/* Only remove the file if it is still the one we bound. */
	if (lstat(admin.path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == admin.dev && st.st_ino == admin.ino)
		unlink(admin.path);
	free(admin.path);
	admin.path = NULL;
	admin.paused = false;
	admin.handler = NULL;
	admin.arg = NULL;
}
