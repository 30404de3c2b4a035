/*
 * resolve.c - DNS for "map ... HOSTNAME" (first A record, retried after
 * rand[60,180] s on failure) and "dynamic-map" (every A record becomes a
 * dynamic-nhs entry; refreshed every holding time, 10 s after failure).
 */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "core.h"
#include "iface.h"
#include "log.h"
#include "peer.h"
#include "resolver.h"

/* a failed "map ... HOSTNAME": start the entry again in rand[60,180] s */
static void
peer_dns_retry(struct nhrp_peer *p)
{
	double delay = rand_between(60, 180);

	log_error("Failed to resolve '%s'", p->hostname);
	log_info("Retrying '%s' in %.0f s", p->hostname, delay);
	peer_restart(p, delay);
}

static void
peer_dns_cb(void *ctx, int status, const struct nhrp_addr *addrs, size_t n)
{
	struct nhrp_peer *p = ctx;
	char b[NHRP_ADDRSTRLEN];

	p->dnsq = NULL;
	if (status != 0 || n == 0) {
		peer_dns_retry(p);
		return;
	}
	log_info("Resolved '%s' as %s", p->hostname,
	    nhrp_addr_format(&addrs[0], b, sizeof(b)));
	cache_nbma_changed(p, &addrs[0]);
	peer_start(p);
}

void
resolve_peer(struct nhrp_peer *p)
{
	if (p->hostname == NULL || p->dnsq != NULL)
		return;
	p->dnsq = resolver_lookup(p->hostname, peer_dns_cb, p);
	if (p->dnsq == NULL)
		peer_dns_retry(p);
}

static void
dynmap_refresh(struct nhrp_peer *p)
{
	resolve_dynmap(p);
}

static void
dynmap_dns_cb(void *ctx, int status, const struct nhrp_addr *addrs, size_t n)
{
	struct nhrp_peer *p = ctx, *c;
	struct peer_vec kids = { 0 };
	unsigned char seen[RESOLVER_MAX_ADDRS];
	size_t i, k;
	unsigned h;

	p->dnsq = NULL;
	if (status != 0 || n == 0) {
		log_error("Failed to resolve '%s'", p->hostname);
		peer_schedule(p, 10.0, dynmap_refresh);
		return;
	}
	if (n > RESOLVER_MAX_ADDRS)
		n = RESOLVER_MAX_ADDRS;
	memset(seen, 0, sizeof(seen));
	/* its children: the dynamic-nhs entries of its prefix */
	cache_foreach_prefix(p->iface, &p->proto, p->prefix,
	    PT(PEER_DYNAMIC_NHS), peer_vec_add_cb, &kids);
	for (k = 0; k < kids.n; k++) {
		c = kids.v[k];
		if (c->flags & PEER_F_REMOVED)
			continue;
		for (i = 0; i < n; i++)
			if (nhrp_addr_equal(&c->nbma, &addrs[i]))
				break;
		if (i < n) {
			seen[i] = 1;
			continue;
		}
		peer_remove(c, "expired");
	}
	peer_vec_release(&kids);
	for (i = 0; i < n; i++) {
		if (seen[i])
			continue;
		if ((c = peer_new(p->iface, PEER_DYNAMIC_NHS)) == NULL)
			break;
		c->proto = p->proto;
		c->prefix = p->prefix;
		c->nbma = addrs[i];
		c->flags = PEER_F_REGISTER | (p->flags &
		    (PEER_F_CISCO | PEER_F_NO_UNIQUE));
		peer_insert(c);
		peer_start(c);
	}
	h = p->iface != NULL ? p->iface->holding_time : CONF_DEFAULT_HOLDING;
	peer_schedule(p, h, dynmap_refresh);
}

void
resolve_dynmap(struct nhrp_peer *p)
{
	if (p->hostname == NULL || p->dnsq != NULL)
		return;
	p->dnsq = resolver_lookup(p->hostname, dynmap_dns_cb, p);
	if (p->dnsq == NULL) {
		log_error("Failed to resolve '%s'", p->hostname);
		peer_schedule(p, 10.0, dynmap_refresh);
	}
}
