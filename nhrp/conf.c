/*
 * conf.c - opennhrp.conf: a stream of words parsed into a tree.
 *
 * The parser never stops at the first error when it can go on safely:
 * every error is reported as "FILE:LINE: message near word 'WORD'" and
 * counted, and a tree with an error is never returned.  An unknown word
 * skips the rest of its line; an error in a keyword's arguments or
 * context consumes the arguments and carries on.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"

#define ERRBUF_SIZE	512
#define WORD_SHOWN	64	/* bytes of a word quoted in a message */

enum peer_ctx {
	PC_NONE,
	PC_MAP,			/* modifiers go to p->map */
	PC_DYNMAP,		/* modifiers go to p->dynmap */
	PC_TARGET,		/* holding-time goes to p->target */
	PC_VOID_MAP,		/* a map with an error: modifiers ignored */
	PC_VOID_TARGET		/* a shortcut-target with an error */
};

struct parser {
	const char		*name;
	const char		*buf;
	size_t			 len;
	size_t			 pos;
	int			 line;		/* line of buf[pos] */

	char			*word;		/* the last word read */
	size_t			 wlen;
	size_t			 wcap;
	int			 wline;

	struct nhrp_conf	*conf;
	struct conf_iface	*iface;		/* NULL in the global context */
	struct conf_iface	*sink;		/* takes keywords after an error */
	enum peer_ctx		 pctx;
	struct conf_map		*map;
	struct conf_dynmap	*dynmap;
	struct conf_target	*target;

	int			 errors;
	int			 nomem;
	conf_err_fn		 fn;
	void			*arg;
};

/* keyword contexts */
#define K_GLOBAL	0	/* anywhere; clears the peer context */
#define K_IFACE		1	/* interface; clears or sets the peer context */
#define K_PEER		2	/* modifier of the peer context */
#define K_ANY		3	/* "interface", "holding-time": own rules */

struct keyword {
	const char	*name;
	int		 ctx;
	int		 nargs;
	void		(*fn)(struct parser *, const struct keyword *, int,
			    char **);
};

static void	kw_interface(struct parser *, const struct keyword *, int, char **);
static void	kw_map(struct parser *, const struct keyword *, int, char **);
static void	kw_dynmap(struct parser *, const struct keyword *, int, char **);
static void	kw_target(struct parser *, const struct keyword *, int, char **);
static void	kw_modifier(struct parser *, const struct keyword *, int, char **);
static void	kw_holding(struct parser *, const struct keyword *, int, char **);
static void	kw_auth(struct parser *, const struct keyword *, int, char **);
static void	kw_table(struct parser *, const struct keyword *, int, char **);
static void	kw_flag(struct parser *, const struct keyword *, int, char **);
static void	kw_multicast(struct parser *, const struct keyword *, int, char **);
static void	kw_global(struct parser *, const struct keyword *, int, char **);

/* Sorted by name (strcmp): looked up with bsearch(). */
static const struct keyword keywords[] = {
	{ "cisco",			K_PEER,		0, kw_modifier },
	{ "cisco-authentication",	K_IFACE,	1, kw_auth },
	{ "dynamic-map",		K_IFACE,	2, kw_dynmap },
	{ "holding-time",		K_ANY,		1, kw_holding },
	{ "interface",			K_ANY,		1, kw_interface },
	{ "map",			K_IFACE,	2, kw_map },
	{ "multicast",			K_IFACE,	1, kw_multicast },
	{ "no-shutdown-purge",		K_GLOBAL,	0, kw_global },
	{ "no-unique",			K_PEER,		0, kw_modifier },
	{ "non-caching",		K_IFACE,	0, kw_flag },
	{ "redirect",			K_IFACE,	0, kw_flag },
	{ "register",			K_PEER,		0, kw_modifier },
	{ "route-table",		K_IFACE,	1, kw_table },
	{ "script-max-running",		K_GLOBAL,	1, kw_global },
	{ "script-timeout",		K_GLOBAL,	1, kw_global },
	{ "shortcut",			K_IFACE,	0, kw_flag },
	{ "shortcut-destination",	K_IFACE,	0, kw_flag },
	{ "shortcut-target",		K_IFACE,	1, kw_target },
};
#define NKEYWORDS	(sizeof(keywords) / sizeof(keywords[0]))
#define MAXARGS		2

static const char msg_syntax[] = "syntax error";
static const char msg_missing[] = "missing keyword";
static const char msg_iface[] = "keyword valid only for 'interface' definition";
static const char msg_map[] = "keyword valid only for 'map' definition";
static const char msg_addr[] = "invalid address";
static const char msg_dynmap[] = "dynamic-map requires a network address";
static const char msg_mcast[] = "bad multicast destination";
static const char msg_holding[] =
    "keyword valid only for 'interface' and 'shortcut-target' definition";
static const char msg_number[] = "invalid number";

const char *
conf_keyword(unsigned i)
{
	return i < NKEYWORDS ? keywords[i].name : NULL;
}

/* ------------------------------------------------------------------ */
/* errors */

/* Appends s[0..n) to out, escaping what is not printable ASCII. */
static void
quote_word(char *out, size_t outsz, const char *s, size_t n)
{
	size_t o = strlen(out), i, shown = n > WORD_SHOWN ? WORD_SHOWN : n;

	for (i = 0; i < shown && o + 5 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
	}
	out[o] = '\0';
	if (shown < n && o + 4 < outsz)
		memcpy(out + o, "...", 4);
}

static void
report(struct parser *p, const char *msg)
{
	p->errors++;
	if (p->fn != NULL)
		p->fn(p->arg, msg);
}

static void
error_at(struct parser *p, int line, const char *word, size_t wlen,
    const char *msg)
{
	char buf[ERRBUF_SIZE];

	snprintf(buf, sizeof(buf), "%s:%d: %s near word '", p->name, line, msg);
	quote_word(buf, sizeof(buf) - 2, word, wlen);
	strncat(buf, "'", sizeof(buf) - strlen(buf) - 1);
	report(p, buf);
}

static void
error_word(struct parser *p, int line, const char *word, const char *msg)
{
	error_at(p, line, word, strlen(word), msg);
}

static void
error_nomem(struct parser *p)
{
	char buf[ERRBUF_SIZE];

	if (p->nomem++)
		return;
	snprintf(buf, sizeof(buf), "%s: out of memory", p->name);
	report(p, buf);
}

/* ------------------------------------------------------------------ */
/* words */

static int
is_space(int c)
{
	/* isspace() in the C locale, whatever the daemon's locale */
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
	    c == '\f' || c == '\r';
}

/* Reads the next word into p->word; 0 at end of input. */
static int
next_word(struct parser *p)
{
	size_t start;

	for (;;) {
		while (p->pos < p->len && is_space(p->buf[p->pos])) {
			if (p->buf[p->pos] == '\n')
				p->line++;
			p->pos++;
		}
		if (p->pos < p->len && p->buf[p->pos] == '#') {
			while (p->pos < p->len && p->buf[p->pos] != '\n')
				p->pos++;
			continue;
		}
		break;
	}
	if (p->pos >= p->len)
		return 0;
	start = p->pos;
	while (p->pos < p->len && !is_space(p->buf[p->pos]))
		p->pos++;
	p->wlen = p->pos - start;
	p->wline = p->line;
	if (p->wlen + 1 > p->wcap) {
		size_t ncap = p->wlen + 64;
		char *n = realloc(p->word, ncap);

		if (n == NULL) {
			error_nomem(p);
			p->pos = p->len;
			return 0;
		}
		p->word = n;
		p->wcap = ncap;
	}
	memcpy(p->word, p->buf + start, p->wlen);
	p->word[p->wlen] = '\0';
	if (memchr(p->word, '\0', p->wlen) != NULL)
		error_at(p, p->wline, p->word, p->wlen, "invalid NUL byte");
	return 1;
}

/* Skips the rest of the current line (after a syntax error). */
static void
skip_line(struct parser *p)
{
	while (p->pos < p->len && p->buf[p->pos] != '\n')
		p->pos++;
}

/* ------------------------------------------------------------------ */
/* values */

/* Strict IPv4 "a.b.c.d" or, with allow_prefix, "a.b.c.d/N". */
static int
parse_ipv4(const char *s, int allow_prefix, struct nhrp_addr *a,
    unsigned *plen)
{
	unsigned len = 32;

	if (nhrp_addr_parse(s, a, allow_prefix, &len) != 0 ||
	    a->afn != NHRP_AFN_IPV4) {
		nhrp_addr_clear(a);
		return -1;
	}
	if (plen != NULL)
		*plen = len;
	return 0;
}

/*
 * A word that looks like an address (digits, dots and '/' only, or any
 * ':') must be a valid IPv4 address; anything else is a host name.
 */
static int
looks_like_address(const char *s)
{
	const char *c;

	if (strchr(s, ':') != NULL)
		return 1;
	for (c = s; *c != '\0'; c++)
		if ((*c < '0' || *c > '9') && *c != '.' && *c != '/')
			return 0;
	return 1;
}

/* Decimal, no sign, no trailing garbage, within [min, max]. */
static int
parse_number(struct parser *p, const char *s, int line, unsigned long min,
    unsigned long max, unsigned *out)
{
	unsigned long long v = 0;
	const char *c;
	char msg[96];

	if (*s == '\0')
		goto bad;
	for (c = s; *c != '\0'; c++) {
		if (*c < '0' || *c > '9')
			goto bad;
		v = v * 10 + (unsigned)(*c - '0');
		if (v > 0xffffffffULL)
			v = 0xffffffffULL + 1;	/* sticky overflow */
	}
	if (v < min || v > max) {
		snprintf(msg, sizeof(msg), "number out of range %lu..%lu",
		    min, max);
		error_word(p, line, s, msg);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
bad:
	error_word(p, line, s, msg_number);
	return -1;
}

/* ------------------------------------------------------------------ */
/* tree */

static struct conf_iface *
iface_new(const char *name, int line)
{
	struct conf_iface *ifc;

	if ((ifc = calloc(1, sizeof(*ifc))) == NULL)
		return NULL;
	snprintf(ifc->name, sizeof(ifc->name), "%s", name);
	ifc->holding_time = CONF_DEFAULT_HOLDING;
	ifc->route_table = CONF_DEFAULT_TABLE;
	ifc->mcast_mode = CONF_MCAST_NONE;
	TAILQ_INIT(&ifc->mcast_addrs);
	TAILQ_INIT(&ifc->maps);
	TAILQ_INIT(&ifc->dynmaps);
	TAILQ_INIT(&ifc->targets);
	ifc->line = line;
	return ifc;
}

static void
iface_free(struct conf_iface *ifc)
{
	struct conf_mcast_addr *ma;
	struct conf_map *m;
	struct conf_dynmap *d;
	struct conf_target *t;

	if (ifc == NULL)
		return;
	while ((ma = TAILQ_FIRST(&ifc->mcast_addrs)) != NULL) {
		TAILQ_REMOVE(&ifc->mcast_addrs, ma, entry);
		free(ma);
	}
	while ((m = TAILQ_FIRST(&ifc->maps)) != NULL) {
		TAILQ_REMOVE(&ifc->maps, m, entry);
		free(m->hostname);
		free(m);
	}
	while ((d = TAILQ_FIRST(&ifc->dynmaps)) != NULL) {
		TAILQ_REMOVE(&ifc->dynmaps, d, entry);
		free(d->hostname);
		free(d);
	}
	while ((t = TAILQ_FIRST(&ifc->targets)) != NULL) {
		TAILQ_REMOVE(&ifc->targets, t, entry);
		free(t);
	}
	explicit_bzero(ifc->auth, sizeof(ifc->auth));
	free(ifc);
}

void
conf_free(struct nhrp_conf *conf)
{
	struct conf_iface *ifc;

	if (conf == NULL)
		return;
	while ((ifc = TAILQ_FIRST(&conf->ifaces)) != NULL) {
		TAILQ_REMOVE(&conf->ifaces, ifc, entry);
		iface_free(ifc);
	}
	free(conf->source);
	free(conf);
}

struct conf_iface *
conf_iface_find(const struct nhrp_conf *conf, const char *name)
{
	struct conf_iface *ifc;

	TAILQ_FOREACH(ifc, &conf->ifaces, entry)
		if (strcmp(ifc->name, name) == 0)
			return ifc;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* keywords */

static struct conf_iface *
cur_iface(struct parser *p)
{
	return p->iface != NULL ? p->iface : p->sink;
}

static int
valid_ifname(const char *s)
{
	if (*s == '\0' || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (; *s != '\0'; s++)
		if (*s == '/' || *s == ':')
			return 0;
	return 1;
}

static void
kw_interface(struct parser *p, const struct keyword *kw, int line,
    char **av)
{
	struct conf_iface *ifc;

	p->pctx = PC_NONE;
	if (strlen(av[0]) >= CONF_IFNAMSIZ) {
		error_word(p, p->wline, av[0], "interface name too long");
		/* keywords that follow go to the sink, without error 2 */
		p->iface = p->sink;
		return;
	}
	if (!valid_ifname(av[0])) {
		error_word(p, p->wline, av[0], "invalid interface name");
		p->iface = p->sink;
		return;
	}
	if ((ifc = conf_iface_find(p->conf, av[0])) == NULL) {
		if ((ifc = iface_new(av[0], line)) == NULL) {
			error_nomem(p);
			p->iface = p->sink;
			return;
		}
		TAILQ_INSERT_TAIL(&p->conf->ifaces, ifc, entry);
	}
	p->iface = ifc;
}

/* Parses "PROTO[/LEN]"; reports "invalid address" near the keyword. */
static int
parse_proto(struct parser *p, const struct keyword *kw, int line,
    const char *s, struct nhrp_addr *a, unsigned *plen)
{
	if (parse_ipv4(s, 1, a, plen) == 0)
		return 0;
	error_word(p, line, kw->name, msg_addr);
	return -1;
}

/* Parses an NBMA word: an IPv4 address or a host name. */
static int
parse_nbma(struct parser *p, const struct keyword *kw, int line,
    const char *s, struct nhrp_addr *a, char **host)
{
	*host = NULL;
	nhrp_addr_clear(a);
	if (parse_ipv4(s, 0, a, NULL) == 0)
		return 0;
	if (looks_like_address(s)) {
		error_word(p, line, kw->name, msg_addr);
		return -1;
	}
	if ((*host = strdup(s)) == NULL) {
		error_nomem(p);
		return -1;
	}
	return 0;
}

static void
kw_map(struct parser *p, const struct keyword *kw, int line, char **av)
{
	struct conf_map *m;
	struct nhrp_addr proto, nbma;
	unsigned plen;
	char *host = NULL;

	p->pctx = PC_VOID_MAP;
	/* one "invalid address" per map, whichever word is wrong */
	if (parse_proto(p, kw, line, av[0], &proto, &plen) != 0 ||
	    parse_nbma(p, kw, line, av[1], &nbma, &host) != 0)
		goto fail;
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		error_nomem(p);
		goto fail;
	}
	m->proto = proto;
	m->prefix = plen;
	m->nbma = nbma;
	m->hostname = host;
	m->line = line;
	TAILQ_INSERT_TAIL(&cur_iface(p)->maps, m, entry);
	p->map = m;
	p->pctx = PC_MAP;
	return;
fail:
	free(host);
}

static void
kw_dynmap(struct parser *p, const struct keyword *kw, int line, char **av)
{
	struct conf_dynmap *d;
	struct nhrp_addr proto, host_addr;
	unsigned plen;
	char *host;

	p->pctx = PC_VOID_MAP;
	if (parse_proto(p, kw, line, av[0], &proto, &plen) != 0)
		return;
	if (nhrp_addr_has_host_bits(&proto, plen)) {
		error_word(p, line, kw->name, msg_dynmap);
		return;
	}
	/* a numeric host name is resolved too, but must be an address */
	if (looks_like_address(av[1]) &&
	    parse_ipv4(av[1], 0, &host_addr, NULL) != 0) {
		error_word(p, line, kw->name, msg_addr);
		return;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (host = strdup(av[1])) == NULL) {
		free(d);
		error_nomem(p);
		return;
	}
	d->proto = proto;
	d->prefix = plen;
	d->hostname = host;
	d->line = line;
	TAILQ_INSERT_TAIL(&cur_iface(p)->dynmaps, d, entry);
	p->dynmap = d;
	p->pctx = PC_DYNMAP;
}

static void
kw_target(struct parser *p, const struct keyword *kw, int line, char **av)
{
	struct conf_target *t;
	struct nhrp_addr proto;
	unsigned plen;

	p->pctx = PC_VOID_TARGET;
	if (parse_proto(p, kw, line, av[0], &proto, &plen) != 0)
		return;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		error_nomem(p);
		return;
	}
	t->proto = proto;
	t->prefix = plen;
	t->line = line;
	TAILQ_INSERT_TAIL(&cur_iface(p)->targets, t, entry);
	p->target = t;
	p->pctx = PC_TARGET;
}

static unsigned
modifier_flag(const char *name)
{
	if (strcmp(name, "register") == 0)
		return CONF_PEER_REGISTER;
	if (strcmp(name, "cisco") == 0)
		return CONF_PEER_CISCO;
	return CONF_PEER_NO_UNIQUE;
}

static void
kw_modifier(struct parser *p, const struct keyword *kw, int line, char **av)
{
	switch (p->pctx) {
	case PC_MAP:
		p->map->flags |= modifier_flag(kw->name);
		break;
	case PC_DYNMAP:
		p->dynmap->flags |= modifier_flag(kw->name);
		break;
	case PC_VOID_MAP:
		break;
	default:
		error_word(p, line, kw->name, msg_map);
		break;
	}
}

static void
kw_holding(struct parser *p, const struct keyword *kw, int line, char **av)
{
	unsigned v;

	if (p->pctx == PC_TARGET || p->pctx == PC_VOID_TARGET) {
		if (parse_number(p, av[0], p->wline, 1, 65535, &v) == 0 &&
		    p->pctx == PC_TARGET)
			p->target->holding_time = v;
		return;
	}
	if (p->iface == NULL) {
		error_word(p, line, kw->name, msg_holding);
		return;
	}
	p->pctx = PC_NONE;
	if (parse_number(p, av[0], p->wline, 1, 65535, &v) == 0)
		p->iface->holding_time = v;
}

static void
kw_auth(struct parser *p, const struct keyword *kw, int line, char **av)
{
	struct conf_iface *ifc = cur_iface(p);
	size_t n = strlen(av[0]);
	char msg[96];

	if (n > CONF_AUTH_MAX) {
		/* the secret itself is never echoed */
		snprintf(msg, sizeof(msg), "cisco-authentication secret "
		    "longer than %d bytes", CONF_AUTH_MAX);
		error_word(p, line, kw->name, msg);
		return;
	}
	explicit_bzero(ifc->auth, sizeof(ifc->auth));
	memcpy(ifc->auth, av[0], n);
	ifc->auth_len = n;
	ifc->auth_line = line;
}

static void
kw_table(struct parser *p, const struct keyword *kw, int line, char **av)
{
	unsigned v;

	if (parse_number(p, av[0], p->wline, 0, 0xffffffffUL, &v) == 0)
		cur_iface(p)->route_table = v;
}

static void
kw_flag(struct parser *p, const struct keyword *kw, int line, char **av)
{
	struct conf_iface *ifc = cur_iface(p);

	if (strcmp(kw->name, "shortcut") == 0)
		ifc->flags |= CONF_IF_SHORTCUT;
	else if (strcmp(kw->name, "redirect") == 0)
		ifc->flags |= CONF_IF_REDIRECT;
	else if (strcmp(kw->name, "non-caching") == 0)
		ifc->flags |= CONF_IF_NON_CACHING;
	else
		ifc->flags |= CONF_IF_SHORTCUT_DEST;
}

static void
kw_multicast(struct parser *p, const struct keyword *kw, int line,
    char **av)
{
	struct conf_iface *ifc = cur_iface(p);
	struct conf_mcast_addr *ma;
	struct nhrp_addr a;

	if (strcmp(av[0], "dynamic") == 0) {
		ifc->mcast_mode = CONF_MCAST_DYNAMIC;
		return;
	}
	if (strcmp(av[0], "nhs") == 0) {
		ifc->mcast_mode = CONF_MCAST_NHS;
		return;
	}
	if (parse_ipv4(av[0], 0, &a, NULL) != 0) {
		error_word(p, p->wline, av[0], msg_mcast);
		return;
	}
	TAILQ_FOREACH(ma, &ifc->mcast_addrs, entry)
		if (nhrp_addr_equal(&ma->addr, &a))
			return;
	if ((ma = calloc(1, sizeof(*ma))) == NULL) {
		error_nomem(p);
		return;
	}
	ma->addr = a;
	TAILQ_INSERT_TAIL(&ifc->mcast_addrs, ma, entry);
}

static void
kw_global(struct parser *p, const struct keyword *kw, int line, char **av)
{
	unsigned v;

	if (strcmp(kw->name, "no-shutdown-purge") == 0)
		p->conf->shutdown_purge = 0;
	else if (strcmp(kw->name, "script-timeout") == 0) {
		if (parse_number(p, av[0], p->wline, 1, 3600, &v) == 0)
			p->conf->script_timeout = v;
	} else if (parse_number(p, av[0], p->wline, 1, 4096, &v) == 0)
		p->conf->script_max_running = v;
}

static int
kw_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct keyword *)elem)->name);
}

static void
parse_words(struct parser *p)
{
	const struct keyword *kw;
	char *av[MAXARGS];
	int i, line;

	while (next_word(p)) {
		kw = bsearch(p->word, keywords, NKEYWORDS, sizeof(keywords[0]),
		    kw_cmp);
		if (kw == NULL) {
			error_at(p, p->wline, p->word, p->wlen, msg_syntax);
			skip_line(p);
			continue;
		}
		line = p->wline;
		for (i = 0; i < kw->nargs; i++) {
			if (!next_word(p) || (av[i] = strdup(p->word)) == NULL) {
				if (!p->nomem)
					error_word(p, line, kw->name,
					    msg_missing);
				while (--i >= 0)
					free(av[i]);
				return;
			}
		}
		/* context checks that still let the keyword be parsed */
		if (kw->ctx == K_IFACE && p->iface == NULL)
			error_word(p, line, kw->name, msg_iface);
		if (kw->ctx == K_IFACE || kw->ctx == K_GLOBAL)
			p->pctx = PC_NONE;
		kw->fn(p, kw, line, av);
		for (i = 0; i < kw->nargs; i++) {
			explicit_bzero(av[i], strlen(av[i]));
			free(av[i]);
		}
	}
}

struct nhrp_conf *
conf_parse_buffer(const char *name, const char *buf, size_t len,
    conf_err_fn fn, void *arg)
{
	struct parser p;
	struct nhrp_conf *conf;

	memset(&p, 0, sizeof(p));
	p.name = name != NULL ? name : "(config)";
	p.buf = buf;
	p.len = buf != NULL ? len : 0;
	p.line = 1;
	p.fn = fn;
	p.arg = arg;
	if ((conf = calloc(1, sizeof(*conf))) == NULL ||
	    (conf->source = strdup(p.name)) == NULL ||
	    (p.sink = iface_new("(none)", 0)) == NULL) {
		error_nomem(&p);
		conf_free(conf);
		return NULL;
	}
	TAILQ_INIT(&conf->ifaces);
	conf->script_timeout = CONF_DEFAULT_SCRIPT_TIMEOUT;
	conf->script_max_running = CONF_DEFAULT_SCRIPT_MAX;
	conf->shutdown_purge = 1;
	p.conf = conf;

	parse_words(&p);

	iface_free(p.sink);
	if (p.word != NULL) {
		explicit_bzero(p.word, p.wcap);
		free(p.word);
	}
	if (p.errors > 0) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}

struct nhrp_conf *
conf_parse_file(const char *path, conf_err_fn fn, void *arg)
{
	struct nhrp_conf *conf = NULL;
	char msg[ERRBUF_SIZE], *buf = NULL, *n;
	size_t len = 0, cap = 0;
	ssize_t r;
	int fd, err = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(msg, sizeof(msg), "%s: Unable to open configuration "
		    "file: %s", path, strerror(errno));
		if (fn != NULL)
			fn(arg, msg);
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			if ((n = realloc(buf, cap)) == NULL) {
				err = ENOMEM;
				break;
			}
			buf = n;
		}
		r = read(fd, buf + len, cap - len);
		if (r == 0)
			break;
		if (r == -1) {
			if (errno == EINTR)
				continue;
			err = errno;
			break;
		}
		len += (size_t)r;
	}
	close(fd);
	if (err == 0)
		conf = conf_parse_buffer(path, buf, len, fn, arg);
	else {
		snprintf(msg, sizeof(msg), "%s: Unable to read configuration "
		    "file: %s", path, strerror(err));
		if (fn != NULL)
			fn(arg, msg);
	}
	if (buf != NULL)
		explicit_bzero(buf, len);
	free(buf);
	return conf;
}

/* ------------------------------------------------------------------ */
/* printing, comparing, warnings */

static void
print_prefix(FILE *f, const struct nhrp_addr *a, unsigned plen)
{
	char buf[NHRP_ADDRSTRLEN];

	fputs(nhrp_addr_format(a, buf, sizeof(buf)), f);
	if (plen != nhrp_afn_maxprefix(a->afn))
		fprintf(f, "/%u", plen);
}

static void
print_modifiers(FILE *f, unsigned flags)
{
	if (flags & CONF_PEER_REGISTER)
		fputs(" register", f);
	if (flags & CONF_PEER_CISCO)
		fputs(" cisco", f);
	if (flags & CONF_PEER_NO_UNIQUE)
		fputs(" no-unique", f);
}

/*
 * Canonical order: global extensions that differ from their defaults,
 * then each interface in file order, separated by a blank line:
 * holding-time, route-table, cisco-authentication, shortcut, redirect,
 * non-caching, shortcut-destination, multicast mode, multicast
 * addresses, map, dynamic-map, shortcut-target.  Defaults are omitted,
 * and so is a /32 prefix.
 */
void
conf_print(FILE *f, const struct nhrp_conf *conf)
{
	const struct conf_iface *ifc;
	const struct conf_mcast_addr *ma;
	const struct conf_map *m;
	const struct conf_dynmap *d;
	const struct conf_target *t;
	char buf[NHRP_ADDRSTRLEN];
	int blank = 0;

	if (conf->script_timeout != CONF_DEFAULT_SCRIPT_TIMEOUT) {
		fprintf(f, "script-timeout %u\n", conf->script_timeout);
		blank = 1;
	}
	if (conf->script_max_running != CONF_DEFAULT_SCRIPT_MAX) {
		fprintf(f, "script-max-running %u\n", conf->script_max_running);
		blank = 1;
	}
	if (!conf->shutdown_purge) {
		fputs("no-shutdown-purge\n", f);
		blank = 1;
	}
	TAILQ_FOREACH(ifc, &conf->ifaces, entry) {
		if (blank)
			fputc('\n', f);
		blank = 1;
		fprintf(f, "interface %s\n", ifc->name);
		if (ifc->holding_time != CONF_DEFAULT_HOLDING)
			fprintf(f, "\tholding-time %u\n", ifc->holding_time);
		if (ifc->route_table != CONF_DEFAULT_TABLE)
			fprintf(f, "\troute-table %u\n", ifc->route_table);
		if (ifc->auth_len > 0) {
			fputs("\tcisco-authentication ", f);
			fwrite(ifc->auth, 1, ifc->auth_len, f);
			fputc('\n', f);
		}
		if (ifc->flags & CONF_IF_SHORTCUT)
			fputs("\tshortcut\n", f);
		if (ifc->flags & CONF_IF_REDIRECT)
			fputs("\tredirect\n", f);
		if (ifc->flags & CONF_IF_NON_CACHING)
			fputs("\tnon-caching\n", f);
		if (ifc->flags & CONF_IF_SHORTCUT_DEST)
			fputs("\tshortcut-destination\n", f);
		if (ifc->mcast_mode == CONF_MCAST_DYNAMIC)
			fputs("\tmulticast dynamic\n", f);
		else if (ifc->mcast_mode == CONF_MCAST_NHS)
			fputs("\tmulticast nhs\n", f);
		TAILQ_FOREACH(ma, &ifc->mcast_addrs, entry)
			fprintf(f, "\tmulticast %s\n",
			    nhrp_addr_format(&ma->addr, buf, sizeof(buf)));
		TAILQ_FOREACH(m, &ifc->maps, entry) {
			fputs("\tmap ", f);
			print_prefix(f, &m->proto, m->prefix);
			fprintf(f, " %s", m->hostname != NULL ? m->hostname :
			    nhrp_addr_format(&m->nbma, buf, sizeof(buf)));
			print_modifiers(f, m->flags);
			fputc('\n', f);
		}
		TAILQ_FOREACH(d, &ifc->dynmaps, entry) {
			fputs("\tdynamic-map ", f);
			print_prefix(f, &d->proto, d->prefix);
			fprintf(f, " %s", d->hostname);
			print_modifiers(f, d->flags);
			fputc('\n', f);
		}
		TAILQ_FOREACH(t, &ifc->targets, entry) {
			fputs("\tshortcut-target ", f);
			print_prefix(f, &t->proto, t->prefix);
			if (t->holding_time != 0)
				fprintf(f, " holding-time %u", t->holding_time);
			fputc('\n', f);
		}
	}
}

static int
str_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int
iface_equal(const struct conf_iface *a, const struct conf_iface *b)
{
	const struct conf_mcast_addr *ma, *mb;
	const struct conf_map *m, *n;
	const struct conf_dynmap *d, *e;
	const struct conf_target *t, *u;

	if (strcmp(a->name, b->name) != 0 || a->flags != b->flags ||
	    a->holding_time != b->holding_time ||
	    a->route_table != b->route_table || a->auth_len != b->auth_len ||
	    memcmp(a->auth, b->auth, a->auth_len) != 0 ||
	    a->mcast_mode != b->mcast_mode)
		return 0;
	for (ma = TAILQ_FIRST(&a->mcast_addrs), mb = TAILQ_FIRST(&b->mcast_addrs);
	    ma != NULL && mb != NULL;
	    ma = TAILQ_NEXT(ma, entry), mb = TAILQ_NEXT(mb, entry))
		if (!nhrp_addr_equal(&ma->addr, &mb->addr))
			return 0;
	if (ma != NULL || mb != NULL)
		return 0;
	for (m = TAILQ_FIRST(&a->maps), n = TAILQ_FIRST(&b->maps);
	    m != NULL && n != NULL;
	    m = TAILQ_NEXT(m, entry), n = TAILQ_NEXT(n, entry))
		if (!nhrp_addr_equal(&m->proto, &n->proto) ||
		    m->prefix != n->prefix ||
		    !nhrp_addr_equal(&m->nbma, &n->nbma) ||
		    !str_equal(m->hostname, n->hostname) ||
		    m->flags != n->flags)
			return 0;
	if (m != NULL || n != NULL)
		return 0;
	for (d = TAILQ_FIRST(&a->dynmaps), e = TAILQ_FIRST(&b->dynmaps);
	    d != NULL && e != NULL;
	    d = TAILQ_NEXT(d, entry), e = TAILQ_NEXT(e, entry))
		if (!nhrp_addr_equal(&d->proto, &e->proto) ||
		    d->prefix != e->prefix ||
		    !str_equal(d->hostname, e->hostname) ||
		    d->flags != e->flags)
			return 0;
	if (d != NULL || e != NULL)
		return 0;
	for (t = TAILQ_FIRST(&a->targets), u = TAILQ_FIRST(&b->targets);
	    t != NULL && u != NULL;
	    t = TAILQ_NEXT(t, entry), u = TAILQ_NEXT(u, entry))
		if (!nhrp_addr_equal(&t->proto, &u->proto) ||
		    t->prefix != u->prefix ||
		    t->holding_time != u->holding_time)
			return 0;
	return t == NULL && u == NULL;
}

int
conf_equal(const struct nhrp_conf *a, const struct nhrp_conf *b)
{
	const struct conf_iface *x, *y;

	if (a->script_timeout != b->script_timeout ||
	    a->script_max_running != b->script_max_running ||
	    a->shutdown_purge != b->shutdown_purge)
		return 0;
	for (x = TAILQ_FIRST(&a->ifaces), y = TAILQ_FIRST(&b->ifaces);
	    x != NULL && y != NULL;
	    x = TAILQ_NEXT(x, entry), y = TAILQ_NEXT(y, entry))
		if (!iface_equal(x, y))
			return 0;
	return x == NULL && y == NULL;
}

int
conf_warnings(const struct nhrp_conf *conf, conf_err_fn fn, void *arg)
{
	const struct conf_iface *ifc;
	char msg[ERRBUF_SIZE];
	int n = 0;

	TAILQ_FOREACH(ifc, &conf->ifaces, entry) {
		if (ifc->auth_len <= CONF_CISCO_AUTH_USED)
			continue;
		snprintf(msg, sizeof(msg), "%s:%d: cisco-authentication secret "
		    "longer than %d bytes: Cisco peers use only the first %d",
		    conf->source != NULL ? conf->source : "(config)",
		    ifc->auth_line, CONF_CISCO_AUTH_USED, CONF_CISCO_AUTH_USED);
		if (fn != NULL)
			fn(arg, msg);
		n++;
	}
	return n;
}

static void
to_stderr(void *arg, const char *msg)
{
	fprintf(stderr, "%s\n", msg);
}

int
conf_check_main(const char *path, int print)
{
	struct nhrp_conf *conf;

	if ((conf = conf_parse_file(path, to_stderr, NULL)) == NULL)
		return 4;
	conf_warnings(conf, to_stderr, NULL);
	if (print)
		conf_print(stdout, conf);
	conf_free(conf);
	if (fflush(stdout) == EOF || ferror(stdout))
		return 4;
	return 0;
}
