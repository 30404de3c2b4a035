/*
 * resolver.c - asynchronous IPv4 name resolution with c-ares on libev.
 *
 * One channel for the whole daemon.  c-ares reports the sockets it
 * wants polled through its socket state callback, which starts, changes
 * or stops one ev_io watcher per descriptor; one ev_timer is re-armed
 * from ares_timeout() after every call into c-ares.
 *
 * c-ares can only cancel every query of a channel at once, so a query
 * is cancelled on its own by detaching its handle: the answer is
 * ignored when it arrives and the handle freed then.  Answers that
 * c-ares produces synchronously (numeric names, hosts file) are
 * delivered from the loop, never from inside resolver_lookup().
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <ev.h>

#include "addr.h"
#include "log.h"
#include "resolver.h"

#define RESOLVER_TIMEOUT_MS	2000
#define RESOLVER_TRIES		3
#define RESOLVER_MIN_WAIT	1e-6	/* ares_timeout() of 0 */

struct resolver_io {
	LIST_ENTRY(resolver_io)	 entry;
	ev_io			 w;
};

struct resolver_query {
	LIST_ENTRY(resolver_query) deferred;	/* while answered */
	resolver_cb		 cb;	/* NULL once cancelled */
	void			*ctx;
	int			 in_lookup;	/* in ares call */
	int			 answered;	/* delivery pending */
	int			 status;
	size_t			 n;
	struct nhrp_addr	 addrs[RESOLVER_MAX_ADDRS];
	ev_timer		 defer_w;	/* synchronous answers */
};

static struct ev_loop	*resolver_loop;
static ares_channel	 resolver_channel;
static int		 resolver_ready;
static int		 resolver_libinit;
static int		 resolver_closing;
static ev_timer		 resolver_timer_w;
static LIST_HEAD(, resolver_io) resolver_ios =
    LIST_HEAD_INITIALIZER(resolver_ios);
static LIST_HEAD(, resolver_query) resolver_deferred =
    LIST_HEAD_INITIALIZER(resolver_deferred);
static unsigned		 resolver_timeout_ms = RESOLVER_TIMEOUT_MS;
static unsigned		 resolver_tries = RESOLVER_TRIES;

static void
resolver_update_timer(void)
{
	struct timeval tv, *tvp;
	double after;

	if (!resolver_ready)
		return;
	ev_timer_stop(resolver_loop, &resolver_timer_w);
	tvp = ares_timeout(resolver_channel, NULL, &tv);
	if (tvp == NULL)
		return;		/* nothing pending */
	after = tvp->tv_sec + tvp->tv_usec / 1e6;
	if (after <= 0.)
		after = RESOLVER_MIN_WAIT;
	ev_timer_set(&resolver_timer_w, after, 0.);
	ev_timer_start(resolver_loop, &resolver_timer_w);
}

static void
resolver_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	ares_process_fd(resolver_channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	resolver_update_timer();
}

static void
resolver_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	ares_socket_t fd = w->fd;

	ares_process_fd(resolver_channel,
	    (revents & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (revents & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	resolver_update_timer();
}

static void
resolver_sock_state_cb(void *data, ares_socket_t fd, int readable,
    int writable)
{
	struct resolver_io *io;
	int events = (readable ? EV_READ : 0) | (writable ? EV_WRITE : 0);

	LIST_FOREACH(io, &resolver_ios, entry)
		if (io->w.fd == fd)
			break;
	if (events == 0) {
		if (io != NULL) {
			ev_io_stop(resolver_loop, &io->w);
			LIST_REMOVE(io, entry);
			free(io);
		}
		return;
	}
	if (io == NULL) {
		if ((io = calloc(1, sizeof(*io))) == NULL) {
			/* the query on this socket will time out */
			log_warn("%s", __func__);
			return;
		}
		ev_io_init(&io->w, resolver_io_cb, fd, events);
		LIST_INSERT_HEAD(&resolver_ios, io, entry);
	} else {
		ev_io_stop(resolver_loop, &io->w);
		ev_io_set(&io->w, fd, events);
	}
	ev_io_start(resolver_loop, &io->w);
}

/* c-ares sockets must not leak into hook scripts. */
static int
resolver_sock_config_cb(ares_socket_t fd, int type, void *data)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFD)) != -1)
		(void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	return 0;
}

static void
resolver_deliver(struct resolver_query *q)
{
	resolver_cb cb = q->cb;

	q->cb = NULL;
	if (cb != NULL)
		cb(q->ctx, q->status, q->n ? q->addrs : NULL, q->n);
	free(q);
}

static void
resolver_defer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct resolver_query *q = w->data;

	LIST_REMOVE(q, deferred);
	resolver_deliver(q);
}

static void
resolver_host_cb(void *arg, int status, int timeouts, struct hostent *he)
{
	struct resolver_query *q = arg;
	struct nhrp_addr a;
	char **ap;
	size_t i;

	if (q->cb == NULL || resolver_closing) {
		free(q);	/* cancelled, or shutting down */
		return;
	}
	q->n = 0;
	if (status == ARES_SUCCESS && he != NULL && he->h_addrtype == AF_INET &&
	    he->h_length == 4) {
		for (ap = he->h_addr_list; *ap != NULL &&
		    q->n < RESOLVER_MAX_ADDRS; ap++) {
			if (nhrp_addr_set(&a, NHRP_AFN_IPV4, *ap, 4) != 0)
				continue;
			for (i = 0; i < q->n; i++)
				if (nhrp_addr_equal(&q->addrs[i], &a))
					break;
			if (i == q->n)
				q->addrs[q->n++] = a;
		}
	}
	q->status = q->n > 0 ? 0 : -1;
	q->answered = 1;
	if (q->in_lookup) {
		ev_timer_init(&q->defer_w, resolver_defer_cb, 0., 0.);
		q->defer_w.data = q;
		ev_timer_start(resolver_loop, &q->defer_w);
		LIST_INSERT_HEAD(&resolver_deferred, q, deferred);
		return;
	}
	resolver_deliver(q);
}

void
resolver_set_timeout(unsigned timeout_ms, unsigned tries)
{
	resolver_timeout_ms = timeout_ms ? timeout_ms : RESOLVER_TIMEOUT_MS;
	resolver_tries = tries ? tries : RESOLVER_TRIES;
}

int
resolver_init(struct ev_loop *loop)
{
	struct ares_options opts;
	int r;

	if (resolver_ready)
		return 0;
	if (loop == NULL)
		return -1;
	if (!resolver_libinit) {
		r = ares_library_init(ARES_LIB_INIT_ALL);
		if (r != ARES_SUCCESS) {
			log_warnx("c-ares: %s", ares_strerror(r));
			return -1;
		}
		resolver_libinit = 1;
	}
	memset(&opts, 0, sizeof(opts));
	opts.timeout = (int)resolver_timeout_ms;
	opts.tries = (int)resolver_tries;
	opts.sock_state_cb = resolver_sock_state_cb;
	opts.sock_state_cb_data = NULL;
	r = ares_init_options(&resolver_channel, &opts,
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB);
	if (r != ARES_SUCCESS) {
		log_warnx("c-ares: %s", ares_strerror(r));
		return -1;
	}
	ares_set_socket_configure_callback(resolver_channel,
	    resolver_sock_config_cb, NULL);
	resolver_loop = loop;
	ev_timer_init(&resolver_timer_w, resolver_timer_cb, 1., 0.);
	resolver_closing = 0;
	resolver_ready = 1;
	return 0;
}

int
resolver_set_servers(const char *csv)
{
	int r;

	if (!resolver_ready || csv == NULL)
		return -1;
	if ((r = ares_set_servers_ports_csv(resolver_channel, csv)) !=
	    ARES_SUCCESS) {
		log_warnx("c-ares servers '%s': %s", csv, ares_strerror(r));
		return -1;
	}
	return 0;
}

struct resolver_query *
resolver_lookup(const char *name, resolver_cb cb, void *ctx)
{
	struct resolver_query *q;

	if (!resolver_ready || name == NULL || cb == NULL)
		return NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->cb = cb;
	q->ctx = ctx;
	q->in_lookup = 1;
	ares_gethostbyname(resolver_channel, name, AF_INET, resolver_host_cb,
	    q);
	if (q->answered) {
		/* answered synchronously: delivered from the loop */
		q->in_lookup = 0;
		return q;
	}
	q->in_lookup = 0;
	resolver_update_timer();
	return q;
}

void
resolver_cancel(struct resolver_query *q)
{
	if (q == NULL)
		return;
	if (q->answered) {
		/* the deferred delivery has not run yet */
		ev_timer_stop(resolver_loop, &q->defer_w);
		LIST_REMOVE(q, deferred);
		free(q);
		return;
	}
	/* still in c-ares: the answer is ignored and q freed then */
	q->cb = NULL;
	q->ctx = NULL;
}

void
resolver_shutdown(void)
{
	struct resolver_io *io;
	struct resolver_query *q;

	if (!resolver_ready)
		return;
	while ((q = LIST_FIRST(&resolver_deferred)) != NULL) {
		ev_timer_stop(resolver_loop, &q->defer_w);
		LIST_REMOVE(q, deferred);
		free(q);
	}
	/* pending callbacks run with ARES_EDESTRUCTION and only free */
	resolver_closing = 1;
	ares_destroy(resolver_channel);
	ev_timer_stop(resolver_loop, &resolver_timer_w);
	while ((io = LIST_FIRST(&resolver_ios)) != NULL) {
		ev_io_stop(resolver_loop, &io->w);
		LIST_REMOVE(io, entry);
		free(io);
	}
	resolver_ready = 0;
	resolver_closing = 0;
	if (resolver_libinit) {
		ares_library_cleanup();
		resolver_libinit = 0;
	}
	resolver_loop = NULL;
}
