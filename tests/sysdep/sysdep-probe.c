/*
 * sysdep-probe - runs the kernel glue (nhrp/sysdep_*.c) on a libev loop
 * and prints every event it delivers as one line, for the real-kernel
 * tests in tests/netns/1[0-9]-sysdep-*.sh.
 *
 * usage: sysdep-probe [-b rcvbuf] command ...
 * Commands run in order after sysdep_init (whose dump events are printed
 * first, then "init done"); after each one the loop runs until idle:
 *   run CMD                    system(CMD)
 *   sleep SECS                 run the loop for SECS
 *   neigh-set IF PROTO NBMA|-  sysdep_neigh_set; prints "neigh-set ret=N"
 *                              then "ack err=N" once the kernel answered
 *                              (IF is a name or a number)
 *   neigh-burst IF PREFIX N NBMA|-
 *                              N neighbour sets PREFIX.y.x -> 192.0.y.x
 *                              (or FAILED with "-") in one go, without
 *                              waiting; prints "burst acks=A errors=E"
 *   cancel-set IF PROTO NBMA   set then cancel at once: no ack line
 *   route-get DST              "route-get prefsrc=A mtu=N" or "err=N"
 *   configure IF               sysdep_iface_configure: "configure err=N"
 *   global-configure           "global-configure err=N"
 *   gc-thresh                  "gc-thresh T1 T2 T3"
 *   send IF NBMA HEX           sysdep_nhrp_send: "send err=N"
 *   recv N SECS                wait for N NHRP packets (or SECS)
 *   echo TEXT                  prints TEXT
 */
#include "config.h"

#include <net/if.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ev.h>

#include "addr.h"
#include "nhrp/log.h"
#include "nhrp/sysdep.h"
#include "nhrp/sysdep_nl.h"

static struct ev_loop *loop;
static int acks_pending, burst_acks, burst_errors, packets;

static const char *
fmt(const struct nhrp_addr *a, char *buf, size_t len)
{
	if (a->afn == NHRP_AFN_NONE)
		return "-";
	return nhrp_addr_format(a, buf, len);
}

static void
on_link(void *arg, const struct sysdep_link *l)
{
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];

	printf("link %s ifindex=%d name=%s type=%u mtu=%u flags=0x%x",
	    l->deleted ? "del" : "new", l->ifindex, l->name, l->type, l->mtu,
	    l->flags);
	if (l->is_gre)
		printf(" gre ikey=%u okey=%u local=%s remote=%s link=%d",
		    l->gre_ikey, l->gre_okey, fmt(&l->gre_local, b1, sizeof(b1)),
		    fmt(&l->gre_remote, b2, sizeof(b2)), l->gre_link);
	printf("\n");
	fflush(stdout);
}

static void
on_addr(void *arg, const struct sysdep_addr *a)
{
	char b[NHRP_ADDRSTRLEN];

	printf("addr %s ifindex=%d addr=%s/%u%s\n", a->deleted ? "del" : "new",
	    a->ifindex, fmt(&a->addr, b, sizeof(b)), a->prefix,
	    a->secondary ? " secondary" : "");
	fflush(stdout);
}

static void
on_route(void *arg, const struct sysdep_route *r)
{
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];

	printf("route %s dst=%s/%u gw=%s oif=%d table=%u proto=%u type=%u\n",
	    r->deleted ? "del" : "new", fmt(&r->dst, b1, sizeof(b1)),
	    r->prefix, fmt(&r->gateway, b2, sizeof(b2)), r->oif, r->table,
	    r->protocol, r->type);
	fflush(stdout);
}

static void
on_neigh(void *arg, const struct sysdep_neigh *n)
{
	char b1[NHRP_ADDRSTRLEN], b2[NHRP_ADDRSTRLEN];
	const char *kind = n->kind == SYSDEP_NEIGH_REQUEST ? "request" :
	    n->kind == SYSDEP_NEIGH_NEW ? "new" : "del";

	printf("neigh %s ifindex=%d dst=%s lladdr=%s state=0x%x\n", kind,
	    n->ifindex, fmt(&n->dst, b1, sizeof(b1)),
	    fmt(&n->lladdr, b2, sizeof(b2)), n->state);
	fflush(stdout);
}

static void
on_resync_begin(void *arg)
{
	printf("resync begin\n");
	fflush(stdout);
}

static void
on_resync_end(void *arg)
{
	printf("resync end\n");
	fflush(stdout);
}

static void
on_packet(void *arg, int ifindex, const struct nhrp_addr *src,
    const uint8_t *buf, size_t len)
{
	char b[NHRP_ADDRSTRLEN];
	size_t i;

	printf("packet ifindex=%d src=%s len=%zu data=", ifindex,
	    fmt(src, b, sizeof(b)), len);
	for (i = 0; i < len && i < 64; i++)
		printf("%02x", buf[i]);
	printf("\n");
	fflush(stdout);
	packets++;
}

static const struct sysdep_ops ops = {
	.link = on_link,
	.addr = on_addr,
	.route = on_route,
	.neigh = on_neigh,
	.resync_begin = on_resync_begin,
	.resync_end = on_resync_end,
	.nhrp_packet = on_packet,
};

static void
on_ack(void *ctx, int err)
{
	printf("ack %s err=%d%s%s\n", (const char *)ctx, err,
	    err != 0 ? " " : "", err != 0 ? strerror(-err) : "");
	fflush(stdout);
	acks_pending--;
}

static void
on_burst_ack(void *ctx, int err)
{
	if (err == 0)
		burst_acks++;
	else
		burst_errors++;
	acks_pending--;
}

static void
timeout_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	*(bool *)w->data = true;
}

/* Runs the loop until cond() holds (or for secs when cond is NULL). */
static void
run_loop(double secs, bool (*cond)(void))
{
	ev_timer t;
	bool expired = false;

	ev_timer_init(&t, timeout_cb, secs, 0.);
	t.data = &expired;
	ev_timer_start(loop, &t);
	while (!expired && (cond == NULL || !cond()))
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &t);
}

static bool
acks_done(void)
{
	return acks_pending <= 0;
}

static int recv_want;

static bool
recv_done(void)
{
	return packets >= recv_want;
}

static int
ifindex_of(const char *s)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (*s != '\0' && *end == '\0')
		return (int)v;
	return (int)if_nametoindex(s);
}

static int
parse_addr(const char *s, struct nhrp_addr *a)
{
	if (nhrp_addr_parse(s, a, 0, NULL) != 0) {
		fprintf(stderr, "bad address %s\n", s);
		exit(2);
	}
	return 0;
}

static void
need(int argc, int i, int n)
{
	if (i + n >= argc) {
		fprintf(stderr, "missing arguments\n");
		exit(2);
	}
}

static size_t
parse_hex(const char *s, uint8_t *buf, size_t max)
{
	size_t n = 0;
	unsigned v;

	while (s[0] != '\0' && s[1] != '\0' && n < max) {
		if (sscanf(s, "%2x", &v) != 1)
			break;
		buf[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct nhrp_addr a, b, *nb;
	char buf[NHRP_ADDRSTRLEN], name[64];
	static uint8_t pkt[65536];
	unsigned t1, t2, t3, mtu;
	int i, j, n, err, ifindex;

	log_init(1, 0);
	loop = EV_DEFAULT;
	i = 1;
	if (argc > 2 && strcmp(argv[1], "-b") == 0) {
		sysdep_nl_ev_rcvbuf = atoi(argv[2]);
		i = 3;
	}
	if ((err = sysdep_init(loop, &ops, NULL)) != 0) {
		printf("init err=%d %s\n", err, strerror(-err));
		return 1;
	}
	printf("init done\n");
	fflush(stdout);

	for (; i < argc; i++) {
		if (strcmp(argv[i], "run") == 0) {
			need(argc, i, 1);
			fflush(stdout);
			err = system(argv[++i]);
			if (err != 0)
				printf("run status=%d\n", err);
		} else if (strcmp(argv[i], "sleep") == 0) {
			need(argc, i, 1);
			run_loop(atof(argv[++i]), NULL);
			continue;
		} else if (strcmp(argv[i], "neigh-set") == 0 ||
		    strcmp(argv[i], "cancel-set") == 0) {
			bool cancel = argv[i][0] == 'c';

			need(argc, i, 3);
			ifindex = ifindex_of(argv[i + 1]);
			parse_addr(argv[i + 2], &a);
			nb = NULL;
			if (strcmp(argv[i + 3], "-") != 0) {
				parse_addr(argv[i + 3], &b);
				nb = &b;
			}
			snprintf(name, sizeof(name), "%s", argv[i + 2]);
			err = sysdep_neigh_set(ifindex, &a, nb, on_ack, name);
			printf("neigh-set ret=%d\n", err);
			if (err == 0 && !cancel)
				acks_pending++;
			if (cancel)
				sysdep_cancel(name);
			i += 3;
			run_loop(3., acks_done);
		} else if (strcmp(argv[i], "neigh-burst") == 0) {
			bool failed;

			need(argc, i, 4);
			ifindex = ifindex_of(argv[i + 1]);
			n = atoi(argv[i + 3]);
			failed = strcmp(argv[i + 4], "-") == 0;
			burst_acks = burst_errors = 0;
			for (j = 0; j < n; j++) {
				snprintf(buf, sizeof(buf), "%s.%d.%d",
				    argv[i + 2], j / 250, j % 250 + 1);
				parse_addr(buf, &a);
				snprintf(buf, sizeof(buf), "192.0.%d.%d",
				    j / 250, j % 250 + 1);
				parse_addr(buf, &b);
				if (sysdep_neigh_set(ifindex, &a,
				    failed ? NULL : &b, on_burst_ack, NULL) == 0)
					acks_pending++;
				else
					burst_errors++;
			}
			i += 4;
			run_loop(30., acks_done);
			printf("burst acks=%d errors=%d\n", burst_acks,
			    burst_errors);
		} else if (strcmp(argv[i], "route-get") == 0) {
			need(argc, i, 1);
			parse_addr(argv[++i], &a);
			mtu = 0;
			nhrp_addr_clear(&b);
			if ((err = sysdep_route_get(&a, &b, &mtu)) == 0)
				printf("route-get prefsrc=%s mtu=%u\n",
				    fmt(&b, buf, sizeof(buf)), mtu);
			else
				printf("route-get err=%d %s\n", err,
				    strerror(-err));
		} else if (strcmp(argv[i], "configure") == 0) {
			need(argc, i, 1);
			i++;
			err = sysdep_iface_configure(ifindex_of(argv[i]),
			    argv[i]);
			printf("configure err=%d\n", err);
		} else if (strcmp(argv[i], "global-configure") == 0) {
			printf("global-configure err=%d\n",
			    sysdep_global_configure());
		} else if (strcmp(argv[i], "gc-thresh") == 0) {
			if ((err = sysdep_neigh_gc_thresh(&t1, &t2, &t3)) == 0)
				printf("gc-thresh %u %u %u\n", t1, t2, t3);
			else
				printf("gc-thresh err=%d\n", err);
		} else if (strcmp(argv[i], "send") == 0) {
			need(argc, i, 3);
			ifindex = ifindex_of(argv[i + 1]);
			parse_addr(argv[i + 2], &a);
			n = (int)parse_hex(argv[i + 3], pkt, sizeof(pkt));
			err = sysdep_nhrp_send(ifindex, &a, pkt, (size_t)n);
			printf("send err=%d\n", err);
			i += 3;
		} else if (strcmp(argv[i], "recv") == 0) {
			need(argc, i, 2);
			recv_want = packets + atoi(argv[i + 1]);
			run_loop(atof(argv[i + 2]), recv_done);
			printf("recv packets=%d\n", packets);
			i += 2;
			continue;
		} else if (strcmp(argv[i], "echo") == 0) {
			need(argc, i, 1);
			printf("%s\n", argv[++i]);
		} else {
			fprintf(stderr, "unknown command %s\n", argv[i]);
			return 2;
		}
		fflush(stdout);
		/* let the events caused by the command arrive */
		run_loop(0.2, NULL);
	}
	fflush(stdout);
	sysdep_close();
	return 0;
}
