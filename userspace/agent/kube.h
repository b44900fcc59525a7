/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node agent's Kubernetes API client (kube.c): where the API server
 * is and how to prove who we are (a kubeconfig, or the Pod's service
 * account), and libcurl handles that carry it. No JSON of objects here.
 */
#ifndef IDMESH_KUBE_H
#define IDMESH_KUBE_H

#include <stdbool.h>
#include <stddef.h>
#include <curl/curl.h>

struct kube_blob {
	char *data;
	size_t len;
};

struct kube_cfg {
	char *server;		/* "https://host:port", no "/" at the end */
	char *token;		/* a bearer token, or NULL */
	char *token_file;	/* read again when the server says 401 */
	char *ca_file;		/* the server's CA: a file, */
	struct kube_blob ca;	/* or PEM in memory; neither: the system's */
	char *cert_file, *key_file;	/* a client certificate, */
	struct kube_blob cert, key;	/* or in memory */
	bool insecure;		/* insecure-skip-tls-verify */
	char *source;		/* "kubeconfig FILE (context C)", "in-cluster" */
};

/*
 * The configuration from a kubeconfig (context NULL: its
 * current-context), or with kubeconfig NULL from inside a Pod
 * (KUBERNETES_SERVICE_HOST and _PORT, the service account's token and
 * CA under /var/run/secrets/kubernetes.io/serviceaccount, or the
 * directory IDMESH_SERVICEACCOUNT_DIR names). 0, or -1 with why in err.
 */
int kube_config_load(struct kube_cfg *c, const char *kubeconfig,
		     const char *context, char *err, size_t errlen);
void kube_config_free(struct kube_cfg *c);

/* Read token_file again (a projected token is rotated). */
void kube_token_reload(struct kube_cfg *c);

/*
 * A GET of server + path with the credentials, TLS settings and an
 * "Accept: application/json"; hdrs is the header list to free after.
 */
CURL *kube_get(const struct kube_cfg *c, const char *path,
	       struct curl_slist **hdrs);

#endif
