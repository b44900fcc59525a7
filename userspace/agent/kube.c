// SPDX-License-Identifier: GPL-2.0
/*
 * The node agent's API client: a kubeconfig read as kubectl reads it
 * (clusters, users and contexts by name; paths relative to the file;
 * "-data" fields in base64), or the in-cluster configuration client-go's
 * rest.InClusterConfig() uses; then libcurl handles carrying it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "kube.h"
#include "util.h"
#include "yaml.h"

#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

static int cfg_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cfg_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The entry of list (clusters, users, contexts) named name: its "what". */
static json_object *named(json_object *root, const char *list, const char *name,
			  const char *what)
{
	json_object *l = idm_json_at(root, list);
	size_t i;

	if (!l || !json_object_is_type(l, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(l); i++) {
		json_object *e = json_object_array_get_idx(l, i);
		const char *n = idm_json_str(e, "name");

		if (n && !strcmp(n, name))
			return idm_json_at(e, what);
	}
	return NULL;
}

static int b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Standard base64 (whitespace ignored); 0, or -1 when it is not. */
static int b64_decode(const char *s, struct kube_blob *b)
{
	size_t n = strlen(s), o = 0;
	unsigned int acc = 0;
	int bits = 0, pad = 0;

	b->data = xrealloc(NULL, n / 4 * 3 + 4, 1);
	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
			continue;
		if (*s == '=') {
			pad++;
			continue;
		}
		v = b64_val((unsigned char)*s);
		if (v < 0 || pad)
			return -1;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			b->data[o++] = (char)(acc >> bits);
		}
	}
	b->data[o] = '\0';
	b->len = o;
	return pad > 2 ? -1 : 0;
}

/* A path of the kubeconfig: relative ones are to the file's directory. */
static char *rel_path(const char *kubeconfig, const char *p)
{
	const char *slash = strrchr(kubeconfig, '/');
	size_t n;
	char *s;

	if (p[0] == '/' || !slash)
		return xstrdup(p);
	n = (size_t)(slash - kubeconfig) + 1;
	s = xrealloc(NULL, n + strlen(p) + 1, 1);
	memcpy(s, kubeconfig, n);
	strcpy(s + n, p);
	return s;
}

/* A file field, or its "-data" twin in base64. */
static int file_or_data(json_object *o, const char *key, const char *kubeconfig,
			char **file, struct kube_blob *b, char *err, size_t errlen)
{
	char dkey[64];
	const char *v;

	snprintf(dkey, sizeof(dkey), "%s-data", key);
	v = idm_json_str(o, dkey);
	if (v) {
		if (b64_decode(v, b))
			return cfg_fail(err, errlen, "%s: %s: not base64", kubeconfig, dkey);
		return 0;
	}
	v = idm_json_str(o, key);
	if (v)
		*file = rel_path(kubeconfig, v);
	return 0;
}

static char *read_trimmed(const char *path)
{
	size_t len;
	char *s = idm_read_file(path, &len);

	while (s && len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
		s[--len] = '\0';
	return s;
}

void kube_token_reload(struct kube_cfg *c)
{
	char *t;

	if (!c->token_file)
		return;
	t = read_trimmed(c->token_file);
	if (t) {
		free(c->token);
		c->token = t;
	}
}

static int from_kubeconfig(struct kube_cfg *c, const char *path, const char *context,
			   char *err, size_t errlen)
{
	json_object *docs, *root, *ctx, *cl, *user;
	const char *cur, *cname, *uname, *v;
	char yerr[256];
	size_t len;
	char *text;
	int ret = -1;

	text = idm_read_file(path, &len);
	if (!text)
		return cfg_fail(err, errlen, "cannot read \"%s\": %s", path, strerror(errno));
	docs = idm_yaml_parse_stream(text, len, yerr, sizeof(yerr));
	free(text);
	if (!docs)
		return cfg_fail(err, errlen, "%s: %s", path, yerr);
	if (json_object_array_length(docs) != 1) {
		cfg_fail(err, errlen, "%s: expected one document, not %zu", path,
			 json_object_array_length(docs));
		goto out;
	}
	root = json_object_array_get_idx(docs, 0);
	cur = context ? context : idm_json_str(root, "current-context");
	if (!cur) {
		cfg_fail(err, errlen, "%s: no current-context, and no --context", path);
		goto out;
	}
	ctx = named(root, "contexts", cur, "context");
	if (!ctx) {
		cfg_fail(err, errlen, "%s: no context \"%s\"", path, cur);
		goto out;
	}
	cname = idm_json_str(ctx, "cluster");
	uname = idm_json_str(ctx, "user");
	cl = cname ? named(root, "clusters", cname, "cluster") : NULL;
	if (!cl) {
		cfg_fail(err, errlen, "%s: context \"%s\": no cluster \"%s\"", path, cur,
			 cname ? cname : "");
		goto out;
	}
	v = idm_json_str(cl, "server");
	if (!v || (strncmp(v, "https://", 8) && strncmp(v, "http://", 7))) {
		cfg_fail(err, errlen, "%s: cluster \"%s\": server: expected an https:// URL",
			 path, cname);
		goto out;
	}
	c->server = xstrdup(v);
	len = strlen(c->server);
	while (len && c->server[len - 1] == '/')
		c->server[--len] = '\0';
	c->insecure = idm_json_at(cl, "insecure-skip-tls-verify") &&
		      json_object_get_boolean(idm_json_at(cl, "insecure-skip-tls-verify"));
	if (file_or_data(cl, "certificate-authority", path, &c->ca_file, &c->ca,
			 err, errlen))
		goto out;
	user = uname ? named(root, "users", uname, "user") : NULL;
	if (uname && !user) {
		cfg_fail(err, errlen, "%s: context \"%s\": no user \"%s\"", path, cur, uname);
		goto out;
	}
	if (idm_json_at(user, "exec") || idm_json_at(user, "auth-provider")) {
		cfg_fail(err, errlen, "%s: user \"%s\": exec and auth-provider plugins are not supported; give a token or a client certificate",
			 path, uname);
		goto out;
	}
	v = idm_json_str(user, "token");
	if (v)
		c->token = xstrdup(v);
	v = idm_json_str(user, "tokenFile");
	if (v && !c->token) {
		c->token_file = rel_path(path, v);
		kube_token_reload(c);
		if (!c->token) {
			cfg_fail(err, errlen, "cannot read \"%s\": %s", c->token_file,
				 strerror(errno));
			goto out;
		}
	}
	if (file_or_data(user, "client-certificate", path, &c->cert_file, &c->cert,
			 err, errlen) ||
	    file_or_data(user, "client-key", path, &c->key_file, &c->key, err, errlen))
		goto out;
	c->source = xrealloc(NULL, strlen(path) + strlen(cur) + 32, 1);
	sprintf(c->source, "kubeconfig %s (context %s)", path, cur);
	ret = 0;
out:
	json_object_put(docs);
	return ret;
}

static int in_cluster(struct kube_cfg *c, char *err, size_t errlen)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *dir = getenv("IDMESH_SERVICEACCOUNT_DIR");
	char path[4096];

	if (!host || !port || !*host || !*port)
		return cfg_fail(err, errlen, "not in a cluster (KUBERNETES_SERVICE_HOST and _PORT unset) and no --kubeconfig (or KUBECONFIG)");
	if (!dir)
		dir = SA_DIR;
	c->server = xrealloc(NULL, strlen(host) + strlen(port) + 16, 1);
	sprintf(c->server, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port);
	snprintf(path, sizeof(path), "%s/token", dir);
	c->token_file = xstrdup(path);
	kube_token_reload(c);
	if (!c->token)
		return cfg_fail(err, errlen, "cannot read \"%s\": %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	c->ca_file = xstrdup(path);
	c->source = xstrdup("in-cluster");
	return 0;
}

int kube_config_load(struct kube_cfg *c, const char *kubeconfig,
		     const char *context, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	return kubeconfig ? from_kubeconfig(c, kubeconfig, context, err, errlen) :
			    in_cluster(c, err, errlen);
}

void kube_config_free(struct kube_cfg *c)
{
	free(c->server);
	free(c->token);
	free(c->token_file);
	free(c->ca_file);
	free(c->ca.data);
	free(c->cert_file);
	free(c->key_file);
	free(c->cert.data);
	free(c->key.data);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

CURL *kube_get(const struct kube_cfg *c, const char *path, struct curl_slist **hdrs)
{
	char url[8192], auth[8192];
	CURL *h = curl_easy_init();

	if (!h) {
		fprintf(stderr, "idmesh-agent: out of memory\n");
		exit(1);
	}
	snprintf(url, sizeof(url), "%s%s", c->server, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	*hdrs = curl_slist_append(NULL, "Accept: application/json");
	if (c->token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->token);
		*hdrs = curl_slist_append(*hdrs, auth);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, *hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "idmesh-agent/" IDMESH_VERSION);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	/* A stalled stream is a broken one: no byte for 90 s (bookmarks come every minute). */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 90L);
	if (c->ca.data) {
		struct curl_blob b = { c->ca.data, c->ca.len, CURL_BLOB_COPY };

		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
	} else if (c->ca_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	}
	if (c->cert.data) {
		struct curl_blob b = { c->cert.data, c->cert.len, CURL_BLOB_COPY };

		curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &b);
	} else if (c->cert_file) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->cert_file);
	}
	if (c->key.data) {
		struct curl_blob b = { c->key.data, c->key.len, CURL_BLOB_COPY };

		curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &b);
	} else if (c->key_file) {
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->key_file);
	}
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return h;
}
