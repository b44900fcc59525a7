// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh-cni: a CNI plugin (specification 1.1.0, and 0.3.0 to 1.0.0)
 * that puts a pod on an idmesh local pair: CNI_IFNAME in the pod's
 * namespace, the other end on the node, the pod's addresses from the IPAM
 * plugin the network config names (spoken to in the newest version both
 * speak), routes on both ends, and with ipMasq its egress masqueraded
 * (masq.h). The netlink code is the tool's (apply_link.c, sacl_nl.c).
 * Documentation/cni.rst.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <json-c/json.h>
#include <linux/idmesh.h>

#include "apply_link.h"
#include "util.h"
#include "cni.h"
#include "intent.h"
#include "k8s.h"
#include "link.h"
#include "masq.h"
#include "nl.h"
#include "sacl.h"

static const char *const versions[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0", NULL };

/* The spec's error object on standard output; the exit status. */
static int print_err(const char *version, const struct idm_cni_err *e)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "cniVersion", json_object_new_string(version));
	json_object_object_add(o, "code", json_object_new_int(e->code));
	json_object_object_add(o, "msg", json_object_new_string(e->msg));
	if (e->details[0])
		json_object_object_add(o, "details", json_object_new_string(e->details));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 1;
}

/* What the kernel said when it refused, for an error's details. */
static void kernel_details(const struct idm_nl *nl, struct idm_cni_err *e)
{
	if (nl->extack.msg[0])
		snprintf(e->details, sizeof(e->details), "%s", nl->extack.msg);
	else if (nl->error)
		snprintf(e->details, sizeof(e->details), "%s", strerror(-nl->error));
}

struct cni {
	const char *command, *cid, *netns, *ifname, *args;
	char *text;			/* the network config */
	char *ipam_text;		/* the same, in the IPAM plugin's version */
	const char *ipam_version;	/* NULL: not asked yet */
	json_object *conf, *ipam, *prev;
	const char *version, *name;
	uint32_t mtu;
	bool sacl, masq;
	char dev[IFNAMSIZ];		/* the node's end */
	char alias[512];		/* "idmesh-cni NETWORK CONTAINERID IFNAME [POD-TAG]" */
	char tag[20];			/* a Kubernetes pod's (idm_k8s_pod_tag) or "" */
};

static json_object *get(json_object *o, const char *key)
{
	json_object *x;

	return o && json_object_object_get_ex(o, key, &x) ? x : NULL;
}

/* One value of CNI_ARGS ("K=V;K=V"), or "". */
static void cni_arg(const char *args, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	const char *p = args;

	out[0] = '\0';
	while (p && *p) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > kl && !strncmp(p, key, kl) && p[kl] == '=') {
			snprintf(out, len, "%.*s", (int)(n - kl - 1), p + kl + 1);
			return;
		}
		p = end ? end + 1 : NULL;
	}
}

/*
 * The spec's character set of a network name and a container ID:
 * [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most max bytes (the alias has 255),
 * so that the alias "idmesh-cni NAME CID IFNAME" splits back on spaces.
 */
static bool cni_id_ok(const char *s, size_t max)
{
	size_t i;

	if (!isalnum((unsigned char)s[0]) || strlen(s) > max)
		return false;
	for (i = 1; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i]))
			return false;
	return true;
}

static int result_shape(json_object *r, const char *what, struct idm_cni_err *e);

static int read_conf(struct cni *c, struct idm_cni_err *e)
{
	static const char *const known[] = { "cniVersion", "cniVersions", "name", "type",
		"mtu", "sacl", "ipMasq", "ipMasqBackend",
		"ipam", "prevResult", "args", "runtimeConfig", "capabilities", "dns",
		"cni.dev/valid-attachments", "cni.dev/attachments", NULL };
	json_object *x;
	size_t len, i;

	c->text = idm_read_file("-", &len);
	if (!c->text) {
		idm_cni_set_err(e, IDM_CNI_ERR_IO, "cannot read the network config: %s",
				strerror(errno));
		return -1;
	}
	c->conf = json_tokener_parse(c->text);
	if (!c->conf || !json_object_is_type(c->conf, json_type_object)) {
		idm_cni_set_err(e, IDM_CNI_ERR_DECODE, "the network config is not a JSON object");
		return -1;
	}
	x = get(c->conf, "cniVersion");
	c->version = x && json_object_is_type(x, json_type_string) ?
		     json_object_get_string(x) : NULL;
	if (!c->version) {
		c->version = "1.0.0";
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "cniVersion: missing");
		return -1;
	}
	for (i = 0; versions[i] && strcmp(versions[i], c->version); i++)
		;
	if (!versions[i]) {
		idm_cni_set_err(e, IDM_CNI_ERR_VERSION, "cniVersion \"%s\" is not one of 0.3.0 .. 1.1.0",
				c->version);
		return -1;
	}
	json_object_object_foreach(c->conf, key, val) {
		(void)val;
		for (i = 0; known[i] && strcmp(known[i], key); i++)
			;
		if (!known[i]) {
			idm_cni_set_err(e, IDM_CNI_ERR_FIELD, "unknown field \"%s\" in the network config",
					key);
			return -1;
		}
	}
	x = get(c->conf, "name");
	if (!x || !json_object_is_type(x, json_type_string) || !json_object_get_string(x)[0]) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "name: missing");
		return -1;
	}
	c->name = json_object_get_string(x);
	if (!cni_id_ok(c->name, 64)) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG,
				"name \"%s\": at most 64 letters, digits, _ . -, starting with a letter or digit",
				c->name);
		return -1;
	}
	x = get(c->conf, "mtu");
	if (x && (!json_object_is_type(x, json_type_int) || json_object_get_int64(x) < 68 ||
		  json_object_get_int64(x) > 65535)) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "mtu: a number 68..65535");
		return -1;
	}
	c->mtu = x ? (uint32_t)json_object_get_int64(x) : 0;
	x = get(c->conf, "sacl");
	if (x && !json_object_is_type(x, json_type_boolean)) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "sacl: true or false");
		return -1;
	}
	c->sacl = x && json_object_get_boolean(x);
	x = get(c->conf, "ipMasq");
	if (x && !json_object_is_type(x, json_type_boolean)) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "ipMasq: true or false");
		return -1;
	}
	c->masq = x && json_object_get_boolean(x);
	/* The reference plugins' choice of backend: here, nftables only. */
	x = get(c->conf, "ipMasqBackend");
	if (x && (!json_object_is_type(x, json_type_string) ||
		  strcmp(json_object_get_string(x), "nftables"))) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG,
				"ipMasqBackend: \"nftables\" (idmesh-cni masquerades with nftables only)");
		return -1;
	}
	c->ipam = get(c->conf, "ipam");
	if (c->ipam && (!json_object_is_type(c->ipam, json_type_object) ||
			!get(c->ipam, "type") ||
			!json_object_is_type(get(c->ipam, "type"), json_type_string))) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "ipam: an object with a type");
		return -1;
	}
	c->prev = get(c->conf, "prevResult");
	if (c->prev && result_shape(c->prev, "prevResult", e))
		return -1;
	return 0;
}

/*
 * A result's lists are what the spec says they are (arrays of objects,
 * dns an object): checked before anything reads them.
 */
static int result_shape(json_object *r, const char *what, struct idm_cni_err *e)
{
	static const char *const lists[] = { "interfaces", "ips", "routes", NULL };
	json_object *x;
	size_t i, j;

	if (!json_object_is_type(r, json_type_object)) {
		idm_cni_set_err(e, IDM_CNI_ERR_DECODE, "%s: not an object", what);
		return -1;
	}
	for (i = 0; lists[i]; i++) {
		x = get(r, lists[i]);
		if (!x)
			continue;
		if (!json_object_is_type(x, json_type_array)) {
			idm_cni_set_err(e, IDM_CNI_ERR_DECODE, "%s.%s: not an array", what,
					lists[i]);
			return -1;
		}
		for (j = 0; j < json_object_array_length(x); j++)
			if (!json_object_is_type(json_object_array_get_idx(x, j),
						 json_type_object)) {
				idm_cni_set_err(e, IDM_CNI_ERR_DECODE,
						"%s.%s[%zu]: not an object", what, lists[i], j);
				return -1;
			}
	}
	x = get(r, "dns");
	if (x && !json_object_is_type(x, json_type_object)) {
		idm_cni_set_err(e, IDM_CNI_ERR_DECODE, "%s.dns: not an object", what);
		return -1;
	}
	return 0;
}

/* The environment a command needs, and the names of the attachment. */
static int read_env(struct cni *c, bool need_netns, struct idm_cni_err *e)
{
	char ns[256], pod[256];

	c->cid = getenv("CNI_CONTAINERID");
	c->netns = getenv("CNI_NETNS");
	c->ifname = getenv("CNI_IFNAME");
	c->args = getenv("CNI_ARGS");
	if (!c->cid || !c->cid[0] || !c->ifname || !c->ifname[0] ||
	    (need_netns && (!c->netns || !c->netns[0]))) {
		idm_cni_set_err(e, IDM_CNI_ERR_ENV, "CNI_CONTAINERID, CNI_IFNAME%s must be set",
				need_netns ? " and CNI_NETNS" : "");
		return -1;
	}
	if (!cni_id_ok(c->cid, 160)) {
		idm_cni_set_err(e, IDM_CNI_ERR_ENV,
				"CNI_CONTAINERID \"%s\": at most 160 letters, digits, _ . -, starting with a letter or digit",
				c->cid);
		return -1;
	}
	if (strlen(c->ifname) >= IFNAMSIZ || strchr(c->ifname, '/') ||
	    strpbrk(c->ifname, " \t\n:")) {
		idm_cni_set_err(e, IDM_CNI_ERR_ENV, "CNI_IFNAME \"%s\" is not a device name",
				c->ifname);
		return -1;
	}
	/* A Kubernetes pod's link has the name "idmesh k8s" gives it. */
	cni_arg(c->args, "K8S_POD_NAMESPACE", ns, sizeof(ns));
	cni_arg(c->args, "K8S_POD_NAME", pod, sizeof(pod));
	if (ns[0] && pod[0]) {
		idm_k8s_attach_dev(ns, pod, c->ifname, c->name, c->dev, sizeof(c->dev));
		idm_k8s_pod_tag(ns, pod, c->tag, sizeof(c->tag));
	} else {
		idm_k8s_pod_dev(c->cid, c->ifname, c->dev, sizeof(c->dev));
	}
	/* The tag only where it fits an alias (IFALIASZ 256, 255 bytes). */
	if (snprintf(c->alias, sizeof(c->alias), "idmesh-cni %s %s %s%s%s", c->name, c->cid,
		     c->ifname, c->tag[0] ? " " : "", c->tag) > 255) {
		c->tag[0] = '\0';
		snprintf(c->alias, sizeof(c->alias), "idmesh-cni %s %s %s", c->name, c->cid,
			 c->ifname);
	}
	return 0;
}

/* The index of a version in versions[], or -1. */
static int version_idx(const char *v)
{
	int i;

	for (i = 0; versions[i]; i++)
		if (!strcmp(versions[i], v))
			return i;
	return -1;
}

/*
 * The version the IPAM plugin is spoken to in, as libcni finds a
 * plugin's: its VERSION answer. The config's version if it speaks it,
 * else the newest one both speak below it (Debian 12's host-local speaks
 * up to 1.0.0); the config goes to it with that cniVersion, and its
 * result is converted back by result().
 */
static int ipam_negotiate(struct cni *c, struct idm_cni_err *e)
{
	char ask[64];
	struct idm_cni_call call = {
		.type = json_object_get_string(get(c->ipam, "type")),
		.command = "VERSION", .conf = ask,
	};
	json_object *o, *sv, *conf = NULL;
	int i, best = -1;
	size_t k;

	if (c->ipam_version)
		return 0;
	snprintf(ask, sizeof(ask), "{\"cniVersion\": \"%s\"}", c->version);
	o = idm_cni_exec(&call, e);
	if (!o)
		return -1;
	sv = get(o, "supportedVersions");
	if (!json_object_is_type(sv, json_type_array))
		sv = NULL;
	for (i = 0; sv && i <= version_idx(c->version); i++)
		for (k = 0; k < json_object_array_length(sv); k++) {
			const char *v = json_object_get_string(json_object_array_get_idx(sv, k));

			if (v && !strcmp(versions[i], v))
				best = i;
		}
	if (best < 0) {
		idm_cni_set_err(e, IDM_CNI_ERR_VERSION,
				"the IPAM plugin \"%s\" speaks none of 0.3.0 .. %s", call.type,
				c->version);
		snprintf(e->details, sizeof(e->details), "it speaks %s",
			 sv ? json_object_to_json_string_ext(sv, JSON_C_TO_STRING_PLAIN) :
			 "no version it says");
		json_object_put(o);
		return -1;
	}
	json_object_put(o);
	json_object_deep_copy(c->conf, &conf, NULL);
	if (conf)
		json_object_object_add(conf, "cniVersion", json_object_new_string(versions[best]));
	c->ipam_text = conf ? strdup(json_object_to_json_string_ext(conf, JSON_C_TO_STRING_PLAIN))
			    : NULL;
	json_object_put(conf);
	if (!c->ipam_text) {
		idm_cni_set_err(e, IDM_CNI_ERR_IO, "out of memory");
		return -1;
	}
	c->ipam_version = versions[best];
	return 0;
}

/* Does the IPAM plugin speak version v (GC and STATUS: 1.1.0)? */
static bool ipam_speaks(const struct cni *c, const char *v)
{
	return version_idx(c->ipam_version) >= version_idx(v);
}

static int ipam_call(struct cni *c, const char *cmd, const char *cid,
		     const char *ifname, json_object **res, struct idm_cni_err *e)
{
	struct idm_cni_call call = {
		.type = json_object_get_string(get(c->ipam, "type")),
		.command = cmd, .container_id = cid, .ifname = ifname,
	};
	json_object *r;

	if (ipam_negotiate(c, e))
		return -1;
	call.conf = c->ipam_text;
	r = idm_cni_exec(&call, e);

	if (!r)
		return -1;
	if (res && result_shape(r, "the IPAM result", e)) {
		json_object_put(r);
		return -1;
	}
	if (res)
		*res = r;
	else
		json_object_put(r);
	return 0;
}

/* The smallest MTU of the node's remote links, or 0 if it has none. */
static uint32_t remote_mtu(struct idm_nl *rt)
{
	struct idm_link_list l = { 0 };
	uint32_t mtu = 0;
	int i;

	if (idm_link_dump(rt, NULL, &l))
		return 0;
	for (i = 0; i < l.n; i++)
		if (l.links[i].mode == IDMESH_LINK_MODE_REMOTE &&
		    (!mtu || l.links[i].mtu < mtu))
			mtu = l.links[i].mtu;
	free(l.links);
	return mtu;
}

/* The pair from the IPAM result: the pod's addresses and routes, the node's routes. */
static int pair_of(struct cni *c, json_object *res, struct idm_intent_link *l,
		   struct idm_cni_err *e)
{
	json_object *ips = get(res, "ips"), *routes = get(res, "routes");
	bool fam[2] = { false, false };
	char why[160];
	size_t i, k;

	memset(l, 0, sizeof(*l));
	l->name = c->dev;
	l->peer = (char *)c->ifname;
	l->netns = (char *)c->netns;
	l->mtu = c->mtu;
	if (!ips || !json_object_is_type(ips, json_type_array) ||
	    !json_object_array_length(ips)) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "the IPAM plugin gave no ips");
		return -1;
	}
	for (i = 0; i < json_object_array_length(ips); i++) {
		const char *a = json_object_get_string(get(json_object_array_get_idx(ips, i),
							   "address")), *g;
		struct idm_prefix p, host;

		if (!a || idm_prefix_parse(a, false, &p, why, sizeof(why))) {
			idm_cni_set_err(e, IDM_CNI_ERR_DECODE, "IPAM ips[%zu].address: %s", i,
					a ? why : "missing");
			return -1;
		}
		idm_prefixes_push(&l->addrs[IDM_END_PEER], &p);
		host = p;
		host.len = p.a.len * 8;
		idm_prefixes_push(&l->routes[IDM_END_NODE], &host);
		fam[p.a.family == AF_INET6] = true;
		/*
		 * The IPAM's gateway is an address of the node's end (a host
		 * prefix, as the ptp plugin does), so that the result names
		 * an address that answers; each pod's pair has it.
		 */
		g = json_object_get_string(get(json_object_array_get_idx(ips, i), "gateway"));
		if (!g)
			continue;
		if (idm_prefix_parse(g, false, &host, why, sizeof(why)) || strchr(g, '/')) {
			idm_cni_set_err(e, IDM_CNI_ERR_DECODE, "IPAM ips[%zu].gateway: %s", i,
					strchr(g, '/') ? "an address, without a length" : why);
			return -1;
		}
		for (k = 0; k < l->addrs[IDM_END_NODE].n; k++)
			if (idm_prefix_eq(&l->addrs[IDM_END_NODE].v[k], &host))
				break;
		if (k == l->addrs[IDM_END_NODE].n)
			idm_prefixes_push(&l->addrs[IDM_END_NODE], &host);
	}
	for (i = 0; routes && i < json_object_array_length(routes); i++) {
		const char *d = json_object_get_string(get(json_object_array_get_idx(routes, i),
							   "dst"));
		struct idm_prefix p;

		if (!d || idm_prefix_parse(d, true, &p, why, sizeof(why))) {
			idm_cni_set_err(e, IDM_CNI_ERR_DECODE, "IPAM routes[%zu].dst: %s", i,
					d ? why : "missing");
			return -1;
		}
		idm_prefixes_push(&l->routes[IDM_END_PEER], &p);
	}
	/* No routes from IPAM: the pod's default routes go through the link. */
	for (i = 0; !l->routes[IDM_END_PEER].n && i < 2; i++) {
		struct idm_prefix p;

		if (fam[0] && !i) {
			idm_prefix_parse("0.0.0.0/0", true, &p, why, sizeof(why));
			idm_prefixes_push(&l->routes[IDM_END_PEER], &p);
		}
		if (fam[1] && i) {
			idm_prefix_parse("::/0", true, &p, why, sizeof(why));
			idm_prefixes_push(&l->routes[IDM_END_PEER], &p);
		}
	}
	if (fam[0] && fam[1] && l->routes[IDM_END_PEER].n == 1) {
		struct idm_prefix p;

		idm_prefix_parse("::/0", true, &p, why, sizeof(why));
		idm_prefixes_push(&l->routes[IDM_END_PEER], &p);
	}
	return 0;
}

static void pair_free(struct idm_intent_link *l)
{
	int end;

	for (end = 0; end < 2; end++) {
		free(l->addrs[end].v);
		free(l->routes[end].v);
	}
}

/* The node's SACL port for the pod's link. */
static int sacl_port(const char *dev, struct idm_cni_err *e)
{
	struct idm_sacl_row port = { .kind = IDMESH_SACL_KIND_PORT };
	struct idm_nl nl;
	int rc;

	snprintf(port.dev, sizeof(port.dev), "%s", dev);
	if (idm_nl_open(&nl, NULL)) {
		idm_cni_set_err(e, IDM_CNI_ERR_LINK, "sacl: the idmesh module is not loaded");
		return -1;
	}
	rc = idm_sacl_change(&nl, 1, &port);
	if (rc) {
		idm_cni_set_err(e, IDM_CNI_ERR_LINK, "sacl: the port %s was refused", dev);
		kernel_details(&nl, e);
	}
	idm_nl_close(&nl);
	return rc;
}

/* The result: prevResult's, with the pair's interfaces and the IPAM's ips. */
static json_object *result(struct cni *c, json_object *ipam)
{
	json_object *r = json_object_new_object(), *ifs, *ips, *routes, *x;
	bool old = c->version[0] == '0';
	int base = 0;
	size_t i;

	json_object_object_add(r, "cniVersion", json_object_new_string(c->version));
	ifs = json_object_new_array();
	ips = json_object_new_array();
	routes = json_object_new_array();
	/* Chained after another plugin: what it gave comes first. */
	x = get(c->prev, "interfaces");
	for (i = 0; x && i < json_object_array_length(x); i++, base++)
		json_object_array_add(ifs, json_object_get(json_object_array_get_idx(x, i)));
	x = get(c->prev, "ips");
	for (i = 0; x && i < json_object_array_length(x); i++)
		json_object_array_add(ips, json_object_get(json_object_array_get_idx(x, i)));
	x = get(c->prev, "routes");
	for (i = 0; x && i < json_object_array_length(x); i++)
		json_object_array_add(routes, json_object_get(json_object_array_get_idx(x, i)));
	/*
	 * An L3 link has no hardware address; runtimes that parse one
	 * (podman 4) get the all-zero one.
	 */
	x = json_object_new_object();
	json_object_object_add(x, "name", json_object_new_string(c->dev));
	json_object_object_add(x, "mac", json_object_new_string("00:00:00:00:00:00"));
	json_object_array_add(ifs, x);
	x = json_object_new_object();
	json_object_object_add(x, "name", json_object_new_string(c->ifname));
	json_object_object_add(x, "mac", json_object_new_string("00:00:00:00:00:00"));
	json_object_object_add(x, "sandbox", json_object_new_string(c->netns));
	json_object_array_add(ifs, x);
	x = get(ipam, "ips");
	for (i = 0; x && i < json_object_array_length(x); i++) {
		json_object *ip = json_object_array_get_idx(x, i), *o = json_object_new_object();
		const char *a = json_object_get_string(get(ip, "address"));

		if (old)
			json_object_object_add(o, "version",
					       json_object_new_string(strchr(a, ':') ? "6" : "4"));
		json_object_object_add(o, "interface", json_object_new_int(base + 1));
		json_object_object_add(o, "address", json_object_new_string(a));
		if (get(ip, "gateway"))
			json_object_object_add(o, "gateway", json_object_get(get(ip, "gateway")));
		json_object_array_add(ips, o);
	}
	json_object_object_add(r, "interfaces", ifs);
	json_object_object_add(r, "ips", ips);
	x = get(ipam, "routes");
	for (i = 0; x && i < json_object_array_length(x); i++)
		json_object_array_add(routes, json_object_get(json_object_array_get_idx(x, i)));
	if (!get(ipam, "routes")) {
		/* The default routes made above. */
		bool v4 = false, v6 = false;

		x = get(ipam, "ips");
		for (i = 0; x && i < json_object_array_length(x); i++) {
			const char *a = json_object_get_string(get(json_object_array_get_idx(x, i),
								   "address"));

			if (strchr(a, ':'))
				v6 = true;
			else
				v4 = true;
		}
		if (v4) {
			x = json_object_new_object();
			json_object_object_add(x, "dst", json_object_new_string("0.0.0.0/0"));
			json_object_array_add(routes, x);
		}
		if (v6) {
			x = json_object_new_object();
			json_object_object_add(x, "dst", json_object_new_string("::/0"));
			json_object_array_add(routes, x);
		}
	}
	json_object_object_add(r, "routes", routes);
	x = get(ipam, "dns");
	if (x && json_object_is_type(x, json_type_object) && json_object_object_length(x))
		json_object_object_add(r, "dns", json_object_get(x));
	else if (get(c->prev, "dns"))
		json_object_object_add(r, "dns", json_object_get(get(c->prev, "dns")));
	return r;
}

/*
 * ipMasq: the network's chain (masq.h) masquerades the subnets of add
 * besides those it has (ADD); or, with add NULL, nothing more (GC: its
 * last attachment gone, or ipMasq off). Runtimes run plugins for other
 * containers at once: the read and the write are one under a lock.
 */
static int masq_update(struct cni *c, const struct idm_prefixes *add, struct idm_cni_err *e)
{
	struct idm_prefixes have = { 0 };
	char chain[160], why[512];
	size_t i, k;
	int fd, rc = -1;

	snprintf(chain, sizeof(chain), "cni-%s", c->name);
	fd = open("/run/idmesh-cni.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		idm_cni_set_err(e, IDM_CNI_ERR_IO, "/run/idmesh-cni.lock: %s", strerror(errno));
		goto out;
	}
	if (idm_masq_get(chain, &have, why, sizeof(why))) {
		/* Without nft, a network without ipMasq has no chain to remove. */
		if (!add && !c->masq) {
			rc = 0;
			goto out;
		}
		goto fail;
	}
	if (!add) {
		rc = 0;
		if (!have.n)
			goto out;	/* no chain: nothing to remove */
		have.n = 0;
	}
	for (i = 0; add && i < add->n; i++) {
		struct idm_prefix p = add->v[i];

		idm_prefix_clear_host(&p);	/* the address's subnet */
		for (k = 0; k < have.n && !idm_prefix_eq(&have.v[k], &p); k++)
			;
		if (k < have.n)
			continue;
		idm_prefixes_push(&have, &p);
		rc = 1;
	}
	if (add && rc != 1) {
		rc = 0;		/* nothing new */
		goto out;
	}
	if (!idm_masq_set(chain, &have, why, sizeof(why))) {
		rc = 0;
		goto out;
	}
fail:
	idm_cni_set_err(e, IDM_CNI_ERR_MASQ, "ipMasq: the masquerade of network %s was refused",
			c->name);
	snprintf(e->details, sizeof(e->details), "%s", why);
	rc = -1;
out:
	if (fd >= 0)
		close(fd);
	free(have.v);
	return rc;
}

/* What ADD needs before it takes a lease: the module. */
static int module_loaded(struct idm_cni_err *e)
{
	if (access("/sys/module/idmesh", F_OK)) {
		idm_cni_set_err(e, IDM_CNI_ERR_UNAVAILABLE, "the idmesh module is not loaded");
		snprintf(e->details, sizeof(e->details), "load it with \"modprobe idmesh\"");
		return -1;
	}
	return 0;
}

/*
 * The node has a device by the name of this attachment. When it is the
 * same pod's attachment (same network, ifname and pod tag) of another
 * sandbox (container ID), the runtime lost it (a crash, a sandbox made
 * again): its lease and its link go, and 0. Otherwise an error.
 */
static int stale(struct cni *c, struct idm_nl *rt, struct idm_cni_err *e)
{
	struct idm_link_list l = { 0 };
	char prefix[128], cid[256] = "", ifname[IFNAMSIZ + 1] = "", tag[20] = "";
	int rc = -1;

	snprintf(prefix, sizeof(prefix), "idmesh-cni %s ", c->name);
	rt->quiet = 1;
	if (!c->tag[0] || idm_link_dump(rt, c->dev, &l) || l.n != 1 ||
	    strncmp(l.links[0].alias, prefix, strlen(prefix)) ||
	    sscanf(l.links[0].alias + strlen(prefix), "%255s %16s %19s", cid, ifname, tag) != 3 ||
	    strcmp(ifname, c->ifname) || strcmp(tag, c->tag) || !strcmp(cid, c->cid)) {
		idm_cni_set_err(e, IDM_CNI_ERR_AGAIN,
				"the node already has a device %s for this attachment", c->dev);
		goto out;
	}
	if (c->ipam && ipam_call(c, "DEL", cid, ifname, NULL, e))
		goto out;
	rt->quiet = 0;
	if (idm_intent_link_del(rt, c->dev) && if_nametoindex(c->dev)) {
		idm_cni_set_err(e, IDM_CNI_ERR_LINK,
				"could not delete %s, the pod's attachment of sandbox %s", c->dev, cid);
		kernel_details(rt, e);
		goto out;
	}
	rc = 0;
out:
	rt->quiet = 0;
	free(l.links);
	return rc;
}

static int cmd_add(struct cni *c, struct idm_cni_err *e)
{
	json_object *ipam = NULL, *r;
	struct idm_intent_link l;
	struct idm_nl rt;
	int fd;

	if (read_env(c, true, e))
		return -1;
	if (!c->ipam) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "ipam: missing (the pod's addresses come from it)");
		return -1;
	}
	fd = open(c->netns, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONTAINER, "CNI_NETNS \"%s\": %s", c->netns,
				strerror(errno));
		return -1;
	}
	close(fd);
	/* Not without the module, before a lease is taken for nothing. */
	if (module_loaded(e))
		return -1;
	if (idm_rt_open(&rt, NULL)) {
		idm_cni_set_err(e, IDM_CNI_ERR_IO, "cannot open an rtnetlink socket");
		return -1;
	}
	if (if_nametoindex(c->dev) && stale(c, &rt, e))
		goto out_rt;
	if (!c->mtu)
		c->mtu = remote_mtu(&rt);
	if (ipam_call(c, "ADD", NULL, NULL, &ipam, e))
		goto out_rt;
	if (pair_of(c, ipam, &l, e))
		goto out_ipam;
	if (idm_intent_link_add(NULL, &rt, &l)) {
		idm_cni_set_err(e, IDM_CNI_ERR_LINK, "the pair %s / %s was refused", c->dev,
				c->ifname);
		kernel_details(&rt, e);
		goto out_pair;
	}
	if (idm_link_set_alias(&rt, c->dev, c->alias) || (c->sacl && sacl_port(c->dev, e)) ||
	    (c->masq && masq_update(c, &l.addrs[IDM_END_PEER], e))) {
		if (!e->code) {
			idm_cni_set_err(e, IDM_CNI_ERR_LINK, "could not name the link %s", c->dev);
			kernel_details(&rt, e);
		}
		rt.quiet = 1;
		idm_intent_link_del(&rt, c->dev);
		goto out_pair;
	}
	r = result(c, ipam);
	printf("%s\n", json_object_to_json_string_ext(r, JSON_C_TO_STRING_PRETTY |
						       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(r);
	pair_free(&l);
	json_object_put(ipam);
	idm_nl_close(&rt);
	return 0;
out_pair:
	pair_free(&l);
out_ipam:
	/* Nothing left behind: the lease goes too. */
	{
		struct idm_cni_err e2 = { 0 };

		ipam_call(c, "DEL", NULL, NULL, NULL, &e2);
	}
	json_object_put(ipam);
out_rt:
	idm_nl_close(&rt);
	return -1;
}

/* The node's end of an attachment, if it is there and is ours. */
static bool ours(struct idm_nl *rt, const char *dev, const char *alias)
{
	struct idm_link_list l = { 0 };
	bool yes;

	rt->quiet = 1;
	yes = !idm_link_dump(rt, dev, &l) && l.n == 1 && !strcmp(l.links[0].alias, alias);
	rt->quiet = 0;
	free(l.links);
	return yes;
}

static int cmd_del(struct cni *c, struct idm_cni_err *e)
{
	struct idm_nl rt;
	int rc = 0;

	if (read_env(c, false, e))
		return -1;
	/*
	 * The lease first; when IPAM fails, the link still goes (a DEL is
	 * repeated until it succeeds) and IPAM's error is reported after.
	 */
	if (c->ipam && ipam_call(c, "DEL", NULL, NULL, NULL, e))
		rc = -1;
	if (idm_rt_open(&rt, NULL)) {
		if (!rc)
			idm_cni_set_err(e, IDM_CNI_ERR_IO, "cannot open an rtnetlink socket");
		return -1;
	}
	/* Gone already (a second DEL, or the namespace went with it): done. */
	if (ours(&rt, c->dev, c->alias) && idm_intent_link_del(&rt, c->dev) &&
	    ours(&rt, c->dev, c->alias) && !rc) {
		idm_cni_set_err(e, IDM_CNI_ERR_LINK, "could not delete %s", c->dev);
		kernel_details(&rt, e);
		rc = -1;
	}
	idm_nl_close(&rt);
	return rc;
}

/* Does the device ifname in netns have address a (CIDR)? */
static bool has_addr(const char *netns, const char *ifname, const char *a)
{
	struct idm_prefix p;
	char why[160];

	return !idm_prefix_parse(a, false, &p, why, sizeof(why)) &&
	       idm_end_has_addr(netns, ifname, &p);
}

static int cmd_check(struct cni *c, struct idm_cni_err *e)
{
	json_object *ips;
	struct idm_nl rt;
	size_t i;
	int rc = -1;

	if (read_env(c, true, e))
		return -1;
	if (!c->prev) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "prevResult: missing (CHECK needs ADD's result)");
		return -1;
	}
	/* CHECK came with 0.4.0: an IPAM plugin of 0.3 has none. */
	if (c->ipam && (ipam_negotiate(c, e) ||
			(ipam_speaks(c, "0.4.0") && ipam_call(c, "CHECK", NULL, NULL, NULL, e))))
		return -1;
	if (idm_rt_open(&rt, NULL)) {
		idm_cni_set_err(e, IDM_CNI_ERR_IO, "cannot open an rtnetlink socket");
		return -1;
	}
	if (!ours(&rt, c->dev, c->alias)) {
		idm_cni_set_err(e, IDM_CNI_ERR_CHECK, "the node has no link %s for this attachment",
				c->dev);
		goto out;
	}
	ips = get(c->prev, "ips");
	for (i = 0; ips && i < json_object_array_length(ips); i++) {
		const char *a = json_object_get_string(get(json_object_array_get_idx(ips, i),
							   "address"));

		if (!a || !has_addr(c->netns, c->ifname, a)) {
			idm_cni_set_err(e, IDM_CNI_ERR_CHECK, "%s in the pod has not %s", c->ifname,
					a ? a : "(no address)");
			goto out;
		}
	}
	rc = 0;
out:
	idm_nl_close(&rt);
	return rc;
}

/* GC: the attachments of this network not in cni.dev/valid-attachments. */
static int cmd_gc(struct cni *c, struct idm_cni_err *e)
{
	json_object *valid = get(c->conf, "cni.dev/valid-attachments");
	struct idm_link_list l = { 0 };
	char prefix[300];
	struct idm_nl rt;
	int i, kept = 0, rc = 0;
	bool gc;

	if (valid && !json_object_is_type(valid, json_type_array)) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "cni.dev/valid-attachments: a list");
		return -1;
	}
	if (idm_rt_open(&rt, NULL) || idm_link_dump(&rt, NULL, &l)) {
		idm_cni_set_err(e, IDM_CNI_ERR_IO, "cannot read the node's links");
		return -1;
	}
	snprintf(prefix, sizeof(prefix), "idmesh-cni %s ", c->name);
	/*
	 * An IPAM plugin of 1.1 gets GC with the same list and releases its
	 * own leases; an older one (Debian 12's host-local speaks up to
	 * 1.0.0) a DEL per attachment that goes, as libcni does for plugins
	 * without GC.
	 */
	if (c->ipam && ipam_negotiate(c, e)) {
		rc = -1;
		goto out;
	}
	gc = c->ipam && ipam_speaks(c, "1.1.0");
	if (gc && ipam_call(c, "GC", NULL, NULL, NULL, e)) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		char cid[256] = "", ifname[IFNAMSIZ + 1] = "";
		size_t k;
		bool keep = false;

		if (strncmp(l.links[i].alias, prefix, strlen(prefix)) ||
		    sscanf(l.links[i].alias + strlen(prefix), "%255s %16s", cid, ifname) != 2)
			continue;
		for (k = 0; valid && k < json_object_array_length(valid); k++) {
			json_object *a = json_object_array_get_idx(valid, k);
			const char *vc = json_object_get_string(get(a, "containerID"));
			const char *vi = json_object_get_string(get(a, "ifname"));

			keep |= vc && vi && !strcmp(vc, cid) && !strcmp(vi, ifname);
		}
		if (keep) {
			kept++;
			continue;
		}
		if (c->ipam && !gc && ipam_call(c, "DEL", cid, ifname, NULL, e)) {
			rc = -1;
			continue;
		}
		if (idm_intent_link_del(&rt, l.links[i].name)) {
			idm_cni_set_err(e, IDM_CNI_ERR_LINK, "could not delete %s", l.links[i].name);
			kernel_details(&rt, e);
			rc = -1;
		}
	}
	/* Its masquerade goes with its last attachment, or with ipMasq. */
	if ((!kept || !c->masq) && masq_update(c, NULL, e))
		rc = -1;
out:
	free(l.links);
	idm_nl_close(&rt);
	return rc;
}

/*
 * STATUS: the module, then the IPAM plugin's own STATUS (a plugin of 1.1;
 * an older one has no STATUS to ask), its error passed on.
 */
static int cmd_status(struct cni *c, struct idm_cni_err *e)
{
	if (module_loaded(e))
		return -1;
	if (!c->ipam)
		return 0;
	if (ipam_negotiate(c, e))
		return -1;
	return ipam_speaks(c, "1.1.0") ? ipam_call(c, "STATUS", NULL, NULL, NULL, e) : 0;
}

static void cni_version(void)
{
	json_object *o = json_object_new_object(), *v = json_object_new_array();
	size_t i;

	json_object_object_add(o, "cniVersion", json_object_new_string("1.1.0"));
	for (i = 0; versions[i]; i++)
		json_object_array_add(v, json_object_new_string(versions[i]));
	json_object_object_add(o, "supportedVersions", v);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

int main(int argc, char **argv)
{
	struct idm_cni_err e = { 0 };
	struct cni c = { 0 };
	int rc;

	c.command = getenv("CNI_COMMAND");
	if (!c.command || !c.command[0]) {
		fprintf(stderr, "idmesh-cni: a CNI plugin: run by a container runtime with CNI_COMMAND set (Documentation/cni.rst)\n");
		return 1;
	}
	if (!strcmp(c.command, "VERSION")) {
		cni_version();
		return 0;
	}
	if (read_conf(&c, &e))
		return print_err(c.version ? c.version : "1.0.0", &e);
	if (!strcmp(c.command, "ADD"))
		rc = cmd_add(&c, &e);
	else if (!strcmp(c.command, "DEL"))
		rc = cmd_del(&c, &e);
	else if (!strcmp(c.command, "CHECK"))
		rc = cmd_check(&c, &e);
	else if (!strcmp(c.command, "GC"))
		rc = cmd_gc(&c, &e);
	else if (!strcmp(c.command, "STATUS"))
		rc = cmd_status(&c, &e);
	else {
		idm_cni_set_err(&e, IDM_CNI_ERR_ENV, "CNI_COMMAND \"%s\" is not ADD, DEL, CHECK, GC, STATUS or VERSION",
				c.command);
		rc = -1;
	}
	json_object_put(c.conf);
	free(c.text);
	free(c.ipam_text);
	(void)argc;
	(void)argv;
	return rc ? print_err(c.version, &e) : 0;
}
