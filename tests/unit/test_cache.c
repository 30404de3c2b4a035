/*
 * test_cache.c - the peer cache indexes, the route decision (5.5), the
 * admin match rules and show output, with fake time and no kernel.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <ev.h>

#include "nhrp/admin.h"
#include "nhrp/cache.h"
#include "nhrp/core.h"
#include "nhrp/ctl.h"
#include "nhrp/iface.h"
#include "nhrp/peer.h"
#include "tests/tap.h"

static struct nhrp_addr
A(const char *s)
{
	struct nhrp_addr a;

	if (nhrp_addr_parse(s, &a, 0, NULL) != 0)
		memset(&a, 0, sizeof(a));
	return a;
}

static struct nhrp_peer *
mk(struct nhrp_iface *ifp, unsigned type, const char *proto, unsigned prefix,
    const char *nbma, unsigned flags)
{
	struct nhrp_peer *p = peer_new(ifp, type);

	p->proto = A(proto);
	if (type != PEER_STATIC && type != PEER_DYNAMIC_NHS)
		nhrp_addr_mask(&p->proto, prefix);
	p->prefix = prefix;
	if (nbma != NULL)
		p->nbma = A(nbma);
	p->flags = flags;
	peer_insert(p);
	return p;
}

static char *
addrstr(const struct nhrp_peer *p)
{
	static char buf[NHRP_ADDRSTRLEN];

	if (p == NULL)
		return strcpy(buf, "(none)");
	return nhrp_addr_format(&p->proto, buf, sizeof(buf));
}

static struct nhrp_peer *
route(struct nhrp_iface *ifp, const char *dst, unsigned mask)
{
	struct nhrp_addr d = A(dst);

	return cache_route(ifp, &d, mask, NULL, core_now());
}

static char *
ctl(enum admin_cmd cmd, const char *args)
{
	static struct admin_out out;

	free(out.buf);
	memset(&out, 0, sizeof(out));
	ctl_handler(NULL, cmd, args, &out);
	admin_printf(&out, "%s", "");
	return out.buf != NULL ? out.buf : "";
}

static void
test_route(struct nhrp_iface *gre)
{
	struct nhrp_peer *s1, *s2, *d2, *p;
	struct nhrp_addr src;
	struct cache_route_excl ex;

	s1 = mk(gre, PEER_STATIC, "10.255.255.1", 24, "198.51.100.1",
	    PEER_F_UP | PEER_F_LOWER_UP | PEER_F_REGISTER);
	d2 = mk(gre, PEER_DYNAMIC, "10.255.255.2", 32, "198.51.100.2",
	    PEER_F_UP | PEER_F_LOWER_UP);
	mk(gre, PEER_LOCAL, "10.255.255.5", 32, NULL, PEER_F_UP);

	p = route(gre, "10.255.255.2", PEER_MASK_ROUTE_VIA_NHS);
	OK(p == d2, "longest prefix: 10.255.255.2 -> dynamic /32 (%s)",
	    addrstr(p));
	p = route(gre, "10.255.255.9", PEER_MASK_ROUTE_VIA_NHS);
	OK(p == s1, "10.255.255.9 -> static /24 (%s)", addrstr(p));
	p = route(gre, "10.255.255.5", PEER_MASK_ROUTE_VIA_NHS);
	OK(p != NULL && p->type == PEER_LOCAL, "own address -> local");
	p = route(gre, "192.0.2.1", PEER_MASK_ROUTE_VIA_NHS);
	OK(p == NULL, "no route outside every prefix");

	/* exact static beats a longer not-exact entry */
	p = mk(gre, PEER_CACHED, "10.255.255.1", 32, "198.51.100.77",
	    PEER_F_UP);
	OK(route(gre, "10.255.255.1", PEER_MASK_ALL) == s1,
	    "exact static beats a /32 cached entry");
	peer_remove(p, NULL);

	/* up beats not up; then round robin between equal NHSs */
	s2 = mk(gre, PEER_STATIC, "10.255.255.11", 24, "198.51.100.11",
	    PEER_F_REGISTER);
	OK(route(gre, "10.255.255.20", PEER_MASK_ROUTE_VIA_NHS) == s1,
	    "up NHS beats a not-up NHS");
	s2->flags |= PEER_F_UP;
	core_fake_now += 1;
	p = route(gre, "10.255.255.20", PEER_MASK_ROUTE_VIA_NHS);
	core_fake_now += 1;
	OK(p != NULL && route(gre, "10.255.255.20", PEER_MASK_ROUTE_VIA_NHS) !=
	    p, "equal NHSs alternate (least recently chosen wins)");
	core_fake_now += 1;

	/* exclusions: the packet source */
	src = A("10.255.255.2");
	memset(&ex, 0, sizeof(ex));
	ex.src = &src;
	p = cache_route(gre, &src, PEER_MASK_ROUTE_VIA_NHS, &ex, core_now());
	OK(p != d2, "the packet source is excluded");
	peer_remove(s2, NULL);
}

static int
count_cb(struct nhrp_peer *p, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void
test_indexes(struct nhrp_iface *gre)
{
	struct nhrp_addr a;
	struct nhrp_peer *c1, *c2, *sc1, *sc2, *sc3, *p;
	int n;

	a = A("198.51.100.2");
	n = 0;
	cache_foreach_nbma(gre, &a, PEER_MASK_ALL, count_cb, &n);
	INT_EQ(n, 1, "NBMA index finds the dynamic entry");

	/* insertion removes a removable duplicate */
	c1 = mk(gre, PEER_CACHED, "10.255.255.40", 32, "198.51.100.40", 0);
	peer_get(c1);
	c2 = mk(gre, PEER_CACHED, "10.255.255.40", 32, "198.51.100.41", 0);
	OK(c1->flags & PEER_F_REMOVED, "duplicate cached entry replaced");
	peer_put(c1);
	a = A("10.255.255.40");
	p = cache_find_exact(gre, &a, 32, PEER_MASK_ALL);
	OK(p == c2, "find_exact gets the new entry");
	a = A("198.51.100.40");
	n = 0;
	cache_foreach_nbma(gre, &a, PEER_MASK_ALL, count_cb, &n);
	INT_EQ(n, 0, "the old NBMA left the index");

	/* a shortcut removes more specific shortcuts */
	sc1 = mk(gre, PEER_SHORTCUT_ROUTE, "192.168.3.0", 25, "10.255.255.40", 0);
	sc2 = mk(gre, PEER_SHORTCUT_ROUTE, "192.168.3.128", 25, "10.255.255.40",
	    0);
	peer_get(sc1);
	peer_get(sc2);
	sc3 = mk(gre, PEER_SHORTCUT_ROUTE, "192.168.3.0", 24, "10.255.255.40", 0);
	OK((sc1->flags & PEER_F_REMOVED) && (sc2->flags & PEER_F_REMOVED),
	    "a /24 shortcut removes the /25 ones");
	peer_put(sc1);
	peer_put(sc2);
	a = A("10.255.255.40");
	n = 0;
	cache_foreach_nbma(gre, &a, PT(PEER_SHORTCUT_ROUTE), count_cb, &n);
	INT_EQ(n, 1, "shortcut indexed by its next hop");

	/* removing the next hop removes its shortcuts */
	c2->flags |= PEER_F_UP;
	peer_get(sc3);
	peer_remove(c2, "user-request");
	OK(sc3->flags & PEER_F_REMOVED, "next hop removal removes the shortcut");
	peer_put(sc3);

	/* covering walk, longest first */
	a = A("10.255.255.2");
	n = 0;
	cache_foreach_covering(gre, &a, PEER_MASK_ALL, count_cb, &n);
	INT_EQ(n, 2, "two entries cover 10.255.255.2 (/32 and /24)");
}

static const char show_expect[] =
"Status: ok\n"
"\n"
"Interface: gre1\n"
"Type: local\n"
"Protocol-Address: 10.255.255.5/32\n"
"Flags: up\n"
"\n"
"Interface: gre1\n"
"Type: negative\n"
"Protocol-Address: 10.255.255.66/32\n"
"Flags: up\n"
"Expires-In: 3:00\n"
"\n"
"Interface: gre1\n"
"Type: dynamic\n"
"Protocol-Address: 10.255.255.7/32\n"
"NBMA-Address: 198.51.100.10\n"
"NBMA-NAT-OA-Address: 192.168.1.10\n"
"Flags: used up\n"
"Expires-In: 120:00\n"
"\n"
"Interface: gre1\n"
"Type: dynamic\n"
"Protocol-Address: 10.255.255.2/32\n"
"NBMA-Address: 198.51.100.2\n"
"Flags: up\n"
"\n"
"Interface: gre1\n"
"Type: static\n"
"Protocol-Address: 10.255.255.1/24\n"
"NBMA-Address: 198.51.100.1\n"
"Flags: up\n"
"\n";

static void
test_show(struct nhrp_iface *gre)
{
	struct nhrp_peer *p, *n;
	char *out;

	p = mk(gre, PEER_DYNAMIC, "10.255.255.7", 32, "198.51.100.10",
	    PEER_F_UP | PEER_F_LOWER_UP | PEER_F_USED | PEER_F_NAT);
	p->nat_oa = A("192.168.1.10");
	p->expire = core_now() + 7200.4;
	n = peer_new(gre, PEER_NEGATIVE);
	n->proto = A("10.255.255.66");
	n->prefix = 32;
	n->flags = PEER_F_UP;
	n->expire = core_now() + 180;
	peer_insert(n);
	out = ctl(ADMIN_CMD_SHOW, "");
	STR_EQ(out, show_expect, "show: blocks, labels, flags, order");

	out = ctl(ADMIN_CMD_SHOW, " nbma 198.51.100.10");
	OK(strstr(out, "10.255.255.7/32") != NULL &&
	    strstr(out, "10.255.255.2/32") == NULL, "nbma selector");
	out = ctl(ADMIN_CMD_SHOW, " protocol 10.255.255.1");
	OK(strstr(out, "Type: static") != NULL &&
	    strstr(out, "Type: dynamic") == NULL,
	    "protocol A matches a static map with that host address");
	out = ctl(ADMIN_CMD_SHOW, " protocol 10.0.0.0/8");
	OK(strstr(out, "10.255.255.1/24") != NULL &&
	    strstr(out, "10.255.255.66/32") != NULL, "protocol 10/8");
	out = ctl(ADMIN_CMD_SHOW, " protocol 0.0.0.0/0");
	STR_EQ(out, show_expect, "protocol 0.0.0.0/0 matches everything");
	out = ctl(ADMIN_CMD_SHOW, " interface nosuch");
	STR_EQ(out, "Status: failed\nReason: interface-not-found\n"
	    "Near-Keyword: 'interface'\nArgument: 'nosuch'\n",
	    "unknown interface selector");
	out = ctl(ADMIN_CMD_ROUTE_SHOW, "");
	STR_EQ(out, "Status: ok\n\n", "route show: no local-route entries");
	out = ctl(ADMIN_CMD_FLUSH, " protocol 10.255.255.66");
	STR_EQ(out, "Status: ok\nEntries-Affected: 1\n", "flush one entry");
	out = ctl(ADMIN_CMD_FLUSH, " protocol 10.255.255.1");
	STR_EQ(out, "Status: ok\nEntries-Affected: 0\n",
	    "flush never removes a static entry");
	out = ctl(ADMIN_CMD_NONE, "");
	STR_EQ(out, "Status: error\nReason: unrecognized command\n",
	    "unrecognized command");
	out = ctl(ADMIN_CMD_UPDATE_NBMA, "");
	STR_EQ(out, "Status: failed\nReason: syntax-error\nNear-Keyword: ''\n",
	    "update nbma without arguments");
	out = ctl(ADMIN_CMD_REDIRECT_PURGE, " 1.2.3");
	STR_EQ(out, "Status: failed\nReason: invalid-address\n"
	    "Near-Keyword: '1.2.3'\n", "redirect purge with a bad address");
}

/* a dynamic-map's children are the dynamic-nhs entries of its prefix */
static void
test_dynmap_children(struct nhrp_iface *gre)
{
	struct nhrp_peer *map, *c1, *c2, *other;
	struct nhrp_addr a = A("10.77.0.0");

	map = mk(gre, PEER_DYNAMIC_MAP, "10.77.0.0", 16, NULL, 0);
	c1 = mk(gre, PEER_DYNAMIC_NHS, "10.77.0.0", 16, "192.0.2.71", 0);
	c2 = mk(gre, PEER_DYNAMIC_NHS, "10.77.0.0", 16, "192.0.2.72", 0);
	other = mk(gre, PEER_DYNAMIC_NHS, "10.78.0.0", 16, "192.0.2.73", 0);
	peer_get(c1);
	peer_get(c2);
	peer_get(other);
	peer_remove(map, "user-request");
	OK((c1->flags & PEER_F_REMOVED) && (c2->flags & PEER_F_REMOVED),
	    "removing a dynamic-map removes its dynamic-nhs entries");
	OK((other->flags & PEER_F_REMOVED) == 0,
	    "a dynamic-nhs entry of another prefix stays");
	OK(cache_find_exact(gre, &a, 16, PT(PEER_DYNAMIC_NHS)) == NULL,
	    "no child left in the cache");
	peer_put(c1);
	peer_put(c2);
	peer_remove(other, "user-request");
	peer_put(other);
}

static void
test_scale(void)
{
	struct nhrp_iface *hub = iface_get("hub1");
	struct nhrp_addr a;
	struct nhrp_peer *p;
	clock_t t0;
	double secs;
	unsigned i, ok = 0;
	const unsigned N = 50000;

	hub->flags |= IFACE_CONFIGURED;
	mk(hub, PEER_LOCAL, "10.0.0.1", 32, NULL, PEER_F_UP);
	t0 = clock();
	for (i = 0; i < N; i++) {
		p = peer_new(hub, PEER_DYNAMIC);
		nhrp_addr_set_ipv4(&p->proto, htonl(0x0a000002 + i));
		p->prefix = 32;
		nhrp_addr_set_ipv4(&p->nbma, htonl(0xc6000002 + i));
		p->flags = PEER_F_UP;
		peer_insert(p);
	}
	for (i = 0; i < N; i++) {
		nhrp_addr_set_ipv4(&a, htonl(0x0a000002 + (i * 7919) % N));
		p = cache_route(hub, &a, PEER_MASK_ROUTE_VIA_NHS, NULL,
		    core_now());
		if (p != NULL && nhrp_addr_equal(&p->proto, &a))
			ok++;
	}
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	INT_EQ(ok, N, "50000 route lookups find their /32");
	INT_EQ(hub->npeers, N, "50000 dynamic entries");
	OK(secs < 5.0, "50000 inserts + lookups in %.2f s", secs);
	peer_flush_all(PEER_MASK_REMOVABLE, "user-request");
	INT_EQ(hub->npeers, 0, "flush empties the interface");
}

/* --- show over the socket, part by part ------------------------------- */

struct reader {
	int	 fd;
	char	*buf;
	size_t	 len, cap;
	bool	 eof;
};

static int
show_connect(const char *path, struct reader *r)
{
	struct sockaddr_un sun;
	static const char req[] = "show\n";

	memset(r, 0, sizeof(*r));
	if ((r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)) < 0)
		return -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (connect(r->fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 &&
	    errno != EAGAIN && errno != EINPROGRESS)
		return -1;
	if (send(r->fd, req, sizeof(req) - 1, MSG_NOSIGNAL) !=
	    (ssize_t)sizeof(req) - 1)
		return -1;
	return 0;
}

/* reads what is there; 0, or -1 on an error */
static int
show_read(struct reader *r)
{
	char *nb;
	ssize_t n;

	while (!r->eof) {
		if (r->cap - r->len < 65536) {
			if ((nb = realloc(r->buf, r->cap + 1048576)) == NULL)
				return -1;
			r->buf = nb;
			r->cap += 1048576;
		}
		n = recv(r->fd, r->buf + r->len, r->cap - r->len - 1, 0);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (n == 0)
			r->eof = true;
		r->len += (size_t)n;
		r->buf[r->len] = '\0';
	}
	return 0;
}

/* loop iterations until EOF (bounded), or -1 */
static long
show_drain(struct reader *r)
{
	long iter = 0;

	while (!r->eof && iter < 10000000) {
		ev_run(nhrp_loop, EVRUN_NOWAIT);
		iter++;
		if (show_read(r) < 0)
			return -1;
	}
	return r->eof ? iter : -1;
}

static size_t
heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void
test_show_stream(void)
{
	struct nhrp_iface *hub = iface_get("hub2");
	struct nhrp_peer *p, **all;
	struct reader r;
	char dir[] = "/tmp/nhrp-show-XXXXXX", path[64];
	const char *expect, *last;
	size_t elen, heap0, i, removed = 0;
	long iter;
	const unsigned N = 50000;
	int ok;

	hub->flags |= IFACE_CONFIGURED;
	if ((all = calloc(N, sizeof(*all))) == NULL ||
	    mkdtemp(dir) == NULL) {
		OK(0, "test setup");
		free(all);
		return;
	}
	for (i = 0; i < N; i++) {
		p = peer_new(hub, PEER_DYNAMIC);
		nhrp_addr_set_ipv4(&p->proto, htonl(0x0b000002 + (uint32_t)i));
		p->prefix = 32;
		nhrp_addr_set_ipv4(&p->nbma, htonl(0xc7000002 + (uint32_t)i));
		p->flags = PEER_F_UP | (i % 3 ? PEER_F_USED : 0);
		p->expire = core_now() + 60 + (double)(i % 7000);
		peer_insert(p);
		all[i] = p;
	}
	expect = ctl(ADMIN_CMD_SHOW, "");
	elen = strlen(expect);
	OK(elen > (size_t)N * 80, "synchronous show of %u entries: %zu bytes",
	    N + 0, elen);

	snprintf(path, sizeof(path), "%s/sock", dir);
	OK(admin_init(nhrp_loop, path, ctl_handler, NULL) == 0,
	    "admin socket for the show tests");

	/* a reading client gets the same bytes, in many loop iterations */
	ok = show_connect(path, &r) == 0;
	iter = ok ? show_drain(&r) : -1;
	OK(iter > 0 && r.len == elen && memcmp(r.buf, expect, elen) == 0,
	    "show over the socket: complete and identical (%zu bytes)", r.len);
	OK(iter >= 20, "produced part by part (%ld loop iterations)", iter);
	if (r.fd >= 0)
		close(r.fd);
	free(r.buf);

	/* a client that stops reading: bounded memory, cache changes */
	ok = show_connect(path, &r) == 0;
	for (i = 0; i < 20; i++)
		ev_run(nhrp_loop, EVRUN_NOWAIT);
	heap0 = heap_in_use();
	for (i = 0; i < 500; i++)
		ev_run(nhrp_loop, EVRUN_NOWAIT);
	OK(ok && heap_in_use() < heap0 + 256 * 1024,
	    "stalled client: nothing produced meanwhile (%zd bytes grown)",
	    (ssize_t)(heap_in_use() - heap0));
	for (i = 0; i < N; i += 2) {
		peer_remove(all[i], "user-request");
		removed++;
	}
	for (i = 0; i < 1000; i++) {
		p = peer_new(hub, PEER_DYNAMIC);
		nhrp_addr_set_ipv4(&p->proto, htonl(0x0c000002 + (uint32_t)i));
		p->prefix = 32;
		p->flags = PEER_F_UP;
		peer_insert(p);
	}
	iter = ok ? show_drain(&r) : -1;
	last = r.len >= 2 ? r.buf + r.len - 2 : "";
	OK(iter > 0 && r.len > 0 && r.len < elen &&
	    strncmp(r.buf, "Status: ok\n\n", 12) == 0 && strcmp(last, "\n\n") == 0,
	    "show with %zu entries removed and 1000 added meanwhile: "
	    "a complete snapshot (%zu bytes)", removed, r.len);
	OK(strstr(r.buf, "Protocol-Address: 11.0.0.2/32\n") == NULL &&
	    strstr(r.buf, "Protocol-Address: 11.0.0.3/32\n") != NULL,
	    "removed entries left out, the others shown");
	if (r.fd >= 0)
		close(r.fd);
	free(r.buf);

	/* a client that goes away in the middle: references released */
	ok = show_connect(path, &r) == 0;
	for (i = 0; i < 5; i++)
		ev_run(nhrp_loop, EVRUN_NOWAIT);
	close(r.fd);
	for (i = 0; i < 50 && admin_nconns() > 0; i++)
		ev_run(nhrp_loop, EVRUN_NOWAIT);
	INT_EQ(admin_nconns(), 0, "vanished client: connection freed");
	peer_flush_all(PEER_MASK_REMOVABLE, "user-request");
	INT_EQ(peer_allocated() - peer_count(), 0,
	    "no entry left referenced by a show");
	admin_shutdown();
	rmdir(dir);
	free(all);
}

int
main(void)
{
	struct nhrp_iface *gre;

	core_fake_time = true;
	nhrp_loop = ev_default_loop(0);
	iface_init();
	cache_init();
	gre = iface_get("gre1");
	gre->flags |= IFACE_CONFIGURED | CONF_IF_REDIRECT;
	gre->index = 5;
	gre->proto = A("10.255.255.5");
	gre->prefix = 24;

	test_route(gre);
	test_indexes(gre);
	test_show(gre);
	test_dynmap_children(gre);
	test_scale();
	test_show_stream();
	return tap_done();
}
