/*
 * ctl-driver.c - builds a peer cache through the real iface/cache/peer
 * code from a small script, with a fixed clock, and prints the admin
 * replies of its requests byte for byte (tests/golden/run-ctl.sh diffs
 * them against tests/golden/ctl/NAME.out).
 *
 * Script lines (words separated by spaces; '#' starts a comment line):
 *   conf TEXT                   a configuration line (applied at the first
 *                               line of another kind)
 *   include FILE                another script, relative to this one
 *   now SECONDS                 the clock
 *   link IFINDEX NAME MTU [gre KEY] [local A] [dev IFINDEX]
 *   addr IFINDEX A/LEN          an own address (local entries follow)
 *   route IFINDEX A/LEN [via GW] [table T] [proto P]   a kernel route
 *   peer IFNAME TYPE A/LEN [nbma A] [nat-oa A] [host NAME] [used]
 *        [up] [lower-up] [expire T]                   a cache entry
 *   flow IFINDEX NBMA SRC DST   a redirect sample (one rate-limit flow)
 *   nat IFNAME A                the interface's NAT address (NBMA-NAT-OA)
 *   ctl REQUEST                 prints the reply to REQUEST (the rest of
 *                               the line after "ctl ", verbatim)
 */
#include <arpa/inet.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "nhrp/conf.h"
#include "nhrp/core.h"
#include "nhrp/iface.h"
#include "nhrp/peer.h"
#include "nhrp/redirect.h"
#include "nhrp/sysdep.h"
#include "tests/unit/fake_sysdep.h"
#include "tests/unit/fixture.h"

static char	 cfg[8192];
static size_t	 cfglen;
static int	 started;
static struct nhrp_conf *conf;

static int
die(const char *file, int line, const char *msg)
{
	fprintf(stderr, "%s:%d: %s\n", file, line, msg);
	exit(2);
}

static void
start(const char *file, int line)
{
	if (started)
		return;
	started = 1;
	if ((conf = fx_init(cfg, core_fake_now)) == NULL)
		die(file, line, "configuration does not parse");
}

static int
type_of(const char *s)
{
	unsigned t;

	for (t = 0; t < PEER_NTYPES; t++)
		if (strcmp(peer_type_name(t), s) == 0)
			return (int)t;
	return -1;
}

static struct nhrp_addr
addr_len(const char *s, unsigned *len)
{
	char buf[64], *sl;

	snprintf(buf, sizeof(buf), "%s", s);
	*len = 32;
	if ((sl = strchr(buf, '/')) != NULL) {
		*sl++ = '\0';
		*len = (unsigned)atoi(sl);
	}
	return fx_a(buf);
}

static void
do_peer(const char *file, int line, char **w, int n)
{
	struct nhrp_iface *ifp;
	struct nhrp_peer *p;
	unsigned len;
	int t, i;

	if (n < 4 || (ifp = iface_by_name(w[1])) == NULL ||
	    (t = type_of(w[2])) < 0)
		die(file, line, "bad peer line");
	if ((p = peer_new(ifp, (unsigned)t)) == NULL)
		die(file, line, "out of memory");
	p->proto = addr_len(w[3], &len);
	p->prefix = len;
	for (i = 4; i < n; i++) {
		if (strcmp(w[i], "used") == 0)
			p->flags |= PEER_F_USED;
		else if (strcmp(w[i], "up") == 0)
			p->flags |= PEER_F_UP | PEER_F_LOWER_UP;
		else if (strcmp(w[i], "lower-up") == 0)
			p->flags |= PEER_F_LOWER_UP;
		else if (strcmp(w[i], "unique") == 0)
			p->flags |= PEER_F_UNIQUE;
		else if (i + 1 < n && strcmp(w[i], "nbma") == 0)
			p->nbma = fx_a(w[++i]);
		else if (i + 1 < n && strcmp(w[i], "nat-oa") == 0) {
			p->nat_oa = fx_a(w[++i]);
			p->flags |= PEER_F_NAT;
		} else if (i + 1 < n && strcmp(w[i], "host") == 0)
			p->hostname = strdup(w[++i]);
		else if (i + 1 < n && strcmp(w[i], "expire") == 0)
			p->expire = atof(w[++i]);
		else
			die(file, line, "bad peer option");
	}
	peer_insert(p);
}

static void
do_route(const char *file, int line, char **w, int n)
{
	struct sysdep_route r;
	int i;

	if (n < 3)
		die(file, line, "bad route line");
	memset(&r, 0, sizeof(r));
	r.oif = atoi(w[1]);
	r.dst = addr_len(w[2], &r.prefix);
	r.table = 254;
	r.protocol = 3;		/* boot */
	r.type = 1;		/* unicast */
	for (i = 3; i + 1 < n; i += 2) {
		if (strcmp(w[i], "via") == 0)
			r.gateway = fx_a(w[i + 1]);
		else if (strcmp(w[i], "table") == 0)
			r.table = (uint32_t)atoi(w[i + 1]);
		else if (strcmp(w[i], "proto") == 0)
			r.protocol = (uint8_t)atoi(w[i + 1]);
		else
			die(file, line, "bad route option");
	}
	iface_route_event(&r);
}

static void
do_flow(const char *file, int line, char **w, int n)
{
	struct nhrp_addr o;
	uint8_t ip[84];
	size_t i;

	if (n != 5)
		die(file, line, "bad flow line");
	o = fx_a(w[2]);
	memset(ip, 0, sizeof(ip));
	ip[0] = 0x45;
	ip[3] = sizeof(ip);
	ip[8] = 63;
	ip[9] = 1;
	if (inet_pton(AF_INET, w[3], ip + 12) != 1 ||
	    inet_pton(AF_INET, w[4], ip + 16) != 1)
		die(file, line, "bad flow address");
	for (i = 20; i < sizeof(ip); i++)
		ip[i] = (uint8_t)i;
	redirect_sample(atoi(w[1]), &o, ip, sizeof(ip));
}

static void run(const char *path);

static void
do_line(const char *file, int line, char *s)
{
	char *w[32], *save = NULL, *t, copy[1024];
	struct nhrp_iface *ifp;
	int n = 0, i;

	s[strcspn(s, "\n")] = '\0';
	if (s[0] == '#' || s[0] == '\0')
		return;
	if (strncmp(s, "conf ", 5) == 0 || strcmp(s, "conf") == 0) {
		if (started)
			die(file, line, "conf after the start");
		cfglen += (size_t)snprintf(cfg + cfglen, sizeof(cfg) - cfglen,
		    "%s\n", s + (s[4] ? 5 : 4));
		return;
	}
	if (strncmp(s, "now ", 4) == 0) {
		core_fake_now = atof(s + 4);
		return;
	}
	if (strncmp(s, "include ", 8) == 0) {
		snprintf(copy, sizeof(copy), "%s", file);
		char path[1200];
		snprintf(path, sizeof(path), "%s/%s", dirname(copy), s + 8);
		run(path);
		return;
	}
	start(file, line);
	if (strncmp(s, "ctl ", 4) == 0 || strcmp(s, "ctl") == 0) {
		fputs(fx_ctl(s + (s[3] ? 4 : 3)), stdout);
		return;
	}
	snprintf(copy, sizeof(copy), "%s", s);
	for (t = strtok_r(copy, " ", &save); t != NULL && n < 32;
	    t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	if (n == 0)
		return;
	if (strcmp(w[0], "link") == 0 && n >= 4) {
		int gre = 0, dev = 0;
		uint32_t key = 0;
		const char *local = NULL;

		for (i = 4; i + 1 < n; i += 2) {
			if (strcmp(w[i], "gre") == 0) {
				gre = 1;
				key = (uint32_t)strtoul(w[i + 1], NULL, 10);
			} else if (strcmp(w[i], "local") == 0) {
				gre = 1;
				local = w[i + 1];
			} else if (strcmp(w[i], "dev") == 0)
				dev = atoi(w[i + 1]);
			else
				die(file, line, "bad link option");
		}
		fx_link(atoi(w[1]), w[2], (unsigned)atoi(w[3]), gre, key,
		    local, dev);
	} else if (strcmp(w[0], "addr") == 0 && n == 3) {
		unsigned len;
		struct nhrp_addr a = addr_len(w[2], &len);
		char b[NHRP_ADDRSTRLEN];

		fx_addr(atoi(w[1]), nhrp_addr_format(&a, b, sizeof(b)), len);
	} else if (strcmp(w[0], "route") == 0)
		do_route(file, line, w, n);
	else if (strcmp(w[0], "peer") == 0)
		do_peer(file, line, w, n);
	else if (strcmp(w[0], "flow") == 0)
		do_flow(file, line, w, n);
	else if (strcmp(w[0], "nat") == 0 && n == 3 &&
	    (ifp = iface_by_name(w[1])) != NULL)
		ifp->nat_oa = fx_a(w[2]);
	else
		die(file, line, "unknown line");
}

static void
run(const char *path)
{
	char buf[1024];
	FILE *f;
	int line = 0;

	if ((f = fopen(path, "r")) == NULL)
		die(path, 0, "cannot open");
	while (fgets(buf, sizeof(buf), f) != NULL)
		do_line(path, ++line, buf);
	fclose(f);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ctl-driver SCRIPT\n");
		return 2;
	}
	core_fake_now = 1000.0;
	run(argv[1]);
	fflush(stdout);
	if (conf != NULL)
		conf_free(conf);
	return 0;
}
