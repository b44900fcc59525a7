// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh apply: the intent's "pairs", "remote-links" and "external-links"
 * (the node's idmesh links, each with the addresses and routes of its
 * ends, an external link with its peers) and its "hash-key", checked as
 * the rest of the intent is.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <json-c/json.h>
#include <linux/idmesh.h>

#include "intent.h"
#include "intent_impl.h"
#include "parse.h"

int idm_prefix_parse(const char *s, bool route, struct idm_prefix *p,
		     char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash;
	uint32_t bits, i;

	memset(p, 0, sizeof(*p));
	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (idm_parse_addr(buf, &p->a))
		goto bad;
	p->len = p->a.len * 8;
	if (slash && idm_parse_u32("prefix length", slash, 0, p->len, &p->len,
				   err, errlen))
		return -1;
	if (!route)
		return 0;
	/* A destination has no bits past its length, as "ip route" wants. */
	for (i = p->len; i < (uint32_t)p->a.len * 8; i++) {
		bits = p->a.bytes[i / 8] & (0x80 >> (i % 8));
		if (bits) {
			snprintf(err, errlen, "\"%s\" has bits set past /%u", s, p->len);
			return -1;
		}
	}
	return 0;
bad:
	snprintf(err, errlen, "\"%s\" is not an IPv4 or IPv6 %s", s,
		 route ? "prefix" : "address");
	return -1;
}

void idm_prefix_format(const struct idm_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->a.family, p->a.bytes, a, sizeof(a));
	snprintf(buf, len, "%s/%u", a, p->len);
}

void idm_prefix_clear_host(struct idm_prefix *p)
{
	uint32_t i;

	for (i = p->len; i < (uint32_t)p->a.len * 8; i++)
		p->a.bytes[i / 8] &= ~(0x80 >> (i % 8));
}

void idm_prefixes_push(struct idm_prefixes *ps, const struct idm_prefix *p)
{
	ps->v = xrealloc(ps->v, ps->n + 1, sizeof(*ps->v));
	ps->v[ps->n++] = *p;
}

bool idm_prefix_in(const struct idm_prefix *q, const struct idm_prefix *p)
{
	uint32_t i;

	if (q->a.family != p->a.family || q->len < p->len)
		return false;
	for (i = 0; i < p->len; i++)
		if ((q->a.bytes[i / 8] ^ p->a.bytes[i / 8]) & (0x80 >> (i % 8)))
			return false;
	return true;
}

bool idm_prefix_eq(const struct idm_prefix *a, const struct idm_prefix *b)
{
	return a->a.family == b->a.family && a->len == b->len &&
	       !memcmp(a->a.bytes, b->a.bytes, a->a.len);
}

static int parse_prefixes(struct ctx *c, const char *path, json_object *o,
			  bool route, struct idm_prefixes *ps)
{
	char sub[PATH_MAX_LEN], why[160];
	const char *s;
	size_t i, k;

	if (idm_want_type(c, path, o, json_type_array, "an array"))
		return -1;
	ps->n = json_object_array_length(o);
	ps->v = xrealloc(NULL, ps->n, sizeof(*ps->v));
	for (i = 0; i < ps->n; i++) {
		idm_subidx(sub, path, i);
		if (idm_get_string(c, sub, json_object_array_get_idx(o, i), &s))
			return -1;
		if (idm_prefix_parse(s, route, &ps->v[i], why, sizeof(why)))
			return idm_intent_fail(c, sub, "%s", why);
		for (k = 0; k < i; k++)
			if (route ? idm_prefix_eq(&ps->v[k], &ps->v[i]) :
			    !memcmp(&ps->v[k].a, &ps->v[i].a, sizeof(ps->v[i].a)))
				return idm_intent_fail(c, sub, "the same %s as [%zu]",
						       route ? "route" : "address", k);
	}
	return 0;
}

static int get_name(struct ctx *c, const char *path, json_object *o, char **out)
{
	const char *s;

	if (idm_get_string(c, path, o, &s))
		return -1;
	if (!s[0] || strlen(s) >= IFNAMSIZ || strchr(s, '/') || strchr(s, ' ') ||
	    !strcmp(s, ".") || !strcmp(s, ".."))
		return idm_intent_fail(c, path, "\"%s\" is not a device name (1..%d characters, no '/' or space)",
				       s, IFNAMSIZ - 1);
	*out = xstrdup(s);
	return 0;
}

/* An optional key: 0 if absent or good, -1 with a message if bad. */
#define OPT(key) (idm_subpath(sub, path, key), json_object_object_get_ex(o, key, &x))

/* An external link's "peers": [{"prefix": P, "remote": A}, ...]. */
static int parse_xpeers(struct ctx *c, const char *path, json_object *o,
			struct idm_intent_link *l)
{
	static const char *const keys[] = { "prefix", "remote", NULL };
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN], why[160];
	const char *s;
	json_object *e, *x;
	size_t i, k, n;

	if (idm_want_type(c, path, o, json_type_array, "an array"))
		return -1;
	n = json_object_array_length(o);
	if (n > IDMESH_LINK_PEERS_MAX)
		return idm_intent_fail(c, path, "has %zu peers; a link takes at most %d",
				       n, IDMESH_LINK_PEERS_MAX);
	l->xpeers = xrealloc(NULL, n ? n : 1, sizeof(*l->xpeers));
	for (i = 0; i < n; i++) {
		struct idm_intent_xpeer *xp = &l->xpeers[i];

		idm_subidx(sub, path, i);
		e = json_object_array_get_idx(o, i);
		if (idm_want_type(c, sub, e, json_type_object, "an object") ||
		    idm_known_keys(c, sub, e, keys))
			return -1;
		idm_subpath(sub2, sub, "prefix");
		if (!json_object_object_get_ex(e, "prefix", &x))
			return idm_intent_fail(c, sub, "needs a prefix (the pod CIDR behind the peer)");
		if (idm_get_string(c, sub2, x, &s))
			return -1;
		if (idm_prefix_parse(s, true, &xp->p, why, sizeof(why)))
			return idm_intent_fail(c, sub2, "%s", why);
		idm_subpath(sub2, sub, "remote");
		if (!json_object_object_get_ex(e, "remote", &x))
			return idm_intent_fail(c, sub, "needs a remote (the peer node's address)");
		if (idm_get_addr(c, sub2, x, &xp->remote))
			return -1;
		if (xp->remote.family != (l->external == 6 ? AF_INET6 : AF_INET))
			return idm_intent_fail(c, sub2, "is not of the link's underlay family (%s)",
					       l->external == 6 ? "inet6" : "inet");
		l->nxpeers++;
		for (k = 0; k < i; k++)
			if (idm_prefix_eq(&l->xpeers[k].p, &xp->p))
				return idm_intent_fail(c, sub, "the same prefix as [%zu]",
						       k);
	}
	return 0;
}

static int parse_link(struct ctx *c, const char *path, json_object *o,
		      int kind, struct idm_intent_link *l)
{
	static const char *const pkeys[] = { "name", "peer", "netns", "mtu",
		"addresses", "routes", "peer-addresses", "peer-routes", NULL };
	static const char *const rkeys[] = { "name", "remote", "local", "id", "port",
		"dev", "mtu", "addresses", "routes", "encrypt", NULL };
	static const char *const xkeys[] = { "name", "family", "local", "id", "port",
		"dev", "mtu", "addresses", "routes", "peers", "encrypt", NULL };
	static const char *const *const keys[] = { pkeys, rkeys, xkeys };
	char sub[PATH_MAX_LEN];
	bool remote = kind != IDM_ILINK_PAIR;
	const char *s;
	json_object *x;

	l->remote = remote;
	if (idm_want_type(c, path, o, json_type_object, "an object") ||
	    idm_known_keys(c, path, o, keys[kind]))
		return -1;
	if (!OPT("name"))
		return idm_intent_fail(c, path, "needs a name");
	if (get_name(c, sub, x, &l->name))
		return -1;
	if (OPT("mtu") && idm_get_uint(c, sub, x, 68, 65535, &l->mtu))
		return -1;
	if (OPT("addresses") &&
	    parse_prefixes(c, sub, x, false, &l->addrs[IDM_END_NODE]))
		return -1;
	if (OPT("routes") && parse_prefixes(c, sub, x, true, &l->routes[IDM_END_NODE]))
		return -1;
	if (!remote) {
		if (!OPT("peer"))
			return idm_intent_fail(c, path, "needs a peer (the device's name in the pod)");
		if (get_name(c, sub, x, &l->peer))
			return -1;
		if (OPT("netns") && get_name(c, sub, x, &l->netns))
			return -1;
		if (OPT("peer-addresses") &&
		    parse_prefixes(c, sub, x, false, &l->addrs[IDM_END_PEER]))
			return -1;
		if (OPT("peer-routes") &&
		    parse_prefixes(c, sub, x, true, &l->routes[IDM_END_PEER]))
			return -1;
		if (!l->netns && !strcmp(l->peer, l->name))
			return idm_intent_fail(c, path, "the peer has the link's name in the same namespace");
		return 0;
	}
	if (kind == IDM_ILINK_EXTERNAL) {
		/* The underlay family: "inet" unless said, or a local address says. */
		l->external = 4;
		if (OPT("family")) {
			if (idm_get_string(c, sub, x, &s))
				return -1;
			if (strcmp(s, "inet") && strcmp(s, "inet6"))
				return idm_intent_fail(c, sub, "\"%s\" is not inet or inet6", s);
			l->external = strcmp(s, "inet") ? 6 : 4;
		}
		if (OPT("local")) {
			if (idm_get_addr(c, sub, x, &l->laddr))
				return -1;
			if (l->laddr.family != (l->external == 6 ? AF_INET6 : AF_INET))
				return idm_intent_fail(c, sub, "is not of the link's family");
		}
		if (OPT("peers") && parse_xpeers(c, sub, x, l))
			return -1;
	} else {
		if (!OPT("remote"))
			return idm_intent_fail(c, path, "needs a remote address");
		if (idm_get_addr(c, sub, x, &l->raddr))
			return -1;
		if (OPT("local")) {
			if (idm_get_addr(c, sub, x, &l->laddr))
				return -1;
			if (l->laddr.family != l->raddr.family)
				return idm_intent_fail(c, sub, "is not of the remote's family");
		}
	}
	if (!OPT("id"))
		return idm_intent_fail(c, path, "needs an id (1..%d)", IDMESH_ID_MAX);
	if (idm_get_uint(c, sub, x, 1, IDMESH_ID_MAX, &l->id))
		return -1;
	if (OPT("port") && idm_get_uint(c, sub, x, 1, 65535, &l->port))
		return -1;
	if (OPT("dev") && get_name(c, sub, x, &l->dev))
		return -1;
	if (OPT("encrypt")) {
		if (idm_want_type(c, sub, x, json_type_boolean, "true or false"))
			return -1;
		l->encrypt = json_object_get_boolean(x);
		/* Both ends derive the keys from the addresses they see. */
		if (l->encrypt && !l->laddr.family)
			return idm_intent_fail(c, sub, "needs a local address (the keys are derived from both ends' addresses)");
	}
	return 0;
}

int idm_intent_parse_links(struct ctx *c, const char *key, json_object *o,
			   struct idm_intent *in)
{
	int kind = !strcmp(key, "pairs") ? IDM_ILINK_PAIR :
		   !strcmp(key, "remote-links") ? IDM_ILINK_REMOTE : IDM_ILINK_EXTERNAL;
	char sub[PATH_MAX_LEN];
	size_t i, k, n, base;

	if (idm_want_type(c, key, o, json_type_array, "an array"))
		return -1;
	n = json_object_array_length(o);
	base = in->nlinks;
	in->links = xrealloc(in->links, base + n, sizeof(*in->links));
	for (i = 0; i < n; i++) {
		struct idm_intent_link *l = &in->links[base + i];

		memset(l, 0, sizeof(*l));
		in->nlinks++;
		idm_subidx(sub, key, i);
		if (parse_link(c, sub, json_object_array_get_idx(o, i), kind, l))
			return -1;
		for (k = 0; k + 1 < in->nlinks; k++) {
			const struct idm_intent_link *m = &in->links[k];

			if (!strcmp(m->name, l->name))
				return idm_intent_fail(c, sub, "the name \"%s\" is taken by %s %s",
						       l->name, m->external ? "external link" :
						       m->remote ? "remote link" : "pair", m->name);
			if (l->remote && m->remote && m->id == l->id &&
			    !memcmp(&m->raddr, &l->raddr, sizeof(l->raddr)) &&
			    m->external == l->external)
				return idm_intent_fail(c, sub, "the same %s and id as %s",
						       l->external ? "family" : "remote", m->name);
		}
	}
	if (kind == IDM_ILINK_PAIR)
		in->has_pairs = true;
	else if (kind == IDM_ILINK_REMOTE)
		in->has_remotes = true;
	else
		in->has_externals = true;
	return 0;
}

int idm_intent_parse_hash_key(struct ctx *c, json_object *o, struct idm_intent *in)
{
	const char *s;

	if (idm_get_string(c, "hash-key", o, &s))
		return -1;
	if (idm_hex_decode(s, in->hash_key, sizeof(in->hash_key)))
		return idm_intent_fail(c, "hash-key", "is not %d hex digits",
				       2 * IDMESH_HASH_KEY_LEN);
	in->has_hash_key = true;
	return 0;
}

int idm_intent_parse_ipsec(struct ctx *c, json_object *o, struct idm_intent *in)
{
	static const char *const keys[] = { "secrets", NULL };
	char sub[PATH_MAX_LEN], sub2[PATH_MAX_LEN];
	const char *s;
	json_object *x;
	size_t i, k, n;

	if (idm_want_type(c, "ipsec", o, json_type_object, "an object") ||
	    idm_known_keys(c, "ipsec", o, keys))
		return -1;
	idm_subpath(sub, "ipsec", "secrets");
	if (!json_object_object_get_ex(o, "secrets", &x))
		return idm_intent_fail(c, "ipsec", "needs secrets (the first sends, all are accepted)");
	if (idm_want_type(c, sub, x, json_type_array, "an array"))
		return -1;
	n = json_object_array_length(x);
	if (n > IDM_IPSEC_SECRETS_MAX)
		return idm_intent_fail(c, sub, "has %zu secrets; at most %d", n,
				       IDM_IPSEC_SECRETS_MAX);
	for (i = 0; i < n; i++) {
		idm_subidx(sub2, sub, i);
		if (idm_get_string(c, sub2, json_object_array_get_idx(x, i), &s))
			return -1;
		if (idm_ipsec_secret_parse(s, &in->secrets[i]))
			return idm_intent_fail(c, sub2, "is not %d hex digits", 2 * IDM_IPSEC_SECRET_LEN);
		for (k = 0; k < i; k++)
			if (!memcmp(&in->secrets[k], &in->secrets[i], sizeof(in->secrets[i])))
				return idm_intent_fail(c, sub2, "the same secret as [%zu]", k);
		in->nsecrets++;
	}
	in->has_ipsec = true;
	return 0;
}

static void push_pair(struct idm_ipsec_pair **v, size_t *n, const struct idm_addr *local,
		      const struct idm_addr *remote, uint32_t port)
{
	struct idm_ipsec_pair p = { .local = *local, .remote = *remote,
				    .port = port ? port : IDMESH_DEFAULT_PORT };
	size_t i;

	/* Field by field: the struct's tail padding is not initialized. */
	for (i = 0; i < *n; i++)
		if ((*v)[i].port == p.port &&
		    !memcmp(&(*v)[i].local, &p.local, sizeof(p.local)) &&
		    !memcmp(&(*v)[i].remote, &p.remote, sizeof(p.remote)))
			return;
	*v = xrealloc(*v, *n + 1, sizeof(**v));
	(*v)[(*n)++] = p;
}

void idm_intent_ipsec_pairs(const struct idm_intent *in, struct idm_ipsec_pair **out,
			    size_t *n)
{
	size_t i, k;

	*out = NULL;
	*n = 0;
	for (i = 0; i < in->nlinks; i++) {
		const struct idm_intent_link *l = &in->links[i];

		if (!l->encrypt)
			continue;
		if (!l->external)
			push_pair(out, n, &l->laddr, &l->raddr, l->port);
		for (k = 0; k < l->nxpeers; k++)
			push_pair(out, n, &l->laddr, &l->xpeers[k].remote, l->port);
	}
}

int idm_intent_parse_masq(struct ctx *c, json_object *o, struct idm_intent *in)
{
	if (parse_prefixes(c, "masquerade", o, true, &in->masq))
		return -1;
	in->has_masq = true;
	return 0;
}

void idm_intent_link_free(struct idm_intent_link *l)
{
	int e;

	free(l->name);
	free(l->peer);
	free(l->netns);
	free(l->dev);
	free(l->xpeers);
	for (e = 0; e < 2; e++) {
		free(l->addrs[e].v);
		free(l->routes[e].v);
	}
	memset(l, 0, sizeof(*l));
}

void idm_intent_free_links(struct idm_intent *in)
{
	size_t i;

	for (i = 0; i < in->nlinks; i++)
		idm_intent_link_free(&in->links[i]);
	free(in->links);
	in->links = NULL;
	in->nlinks = 0;
}
