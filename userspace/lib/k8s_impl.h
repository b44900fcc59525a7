/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the parts of "idmesh k8s" share, and no one else: k8s.c (the
 * objects, Nodes, Services, Pods) and k8s_netpol.c (NetworkPolicies).
 */
#ifndef IDMESH_K8S_IMPL_H
#define IDMESH_K8S_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "k8s.h"

/* One object read, and where it came from. */
struct obj {
	json_object *o;
	char item[64];			/* "items[3]", "object 2", "the object" */
	size_t idx;			/* in the order given */
	const char *kind, *ns, *name;
	unsigned int cluster;		/* 0: this one; N: a->remote[N - 1] */
	char where[600];		/* "FILE: Kind ns/name", for messages */
};

struct slice_ref;

struct k8s {
	struct obj *v;
	size_t n;
	json_object **roots;
	size_t nroots;
	char *err;
	size_t errlen;
	struct idm_k8s_args *a;	/* warn, skipped */
	unsigned int loading;		/* the cluster of the objects being read */
	/* EndpointSlices by (namespace, Service), for service_vips(). */
	struct slice_ref *slices;
	size_t nslices;
	/* Namespace name -> its labels (borrowed), for pod_workloads(). */
	json_object *ns_labels;
};

/* "WHERE: PATH: message" into k->err; returns -1. */
int k8s_fail(struct k8s *k, const struct obj *ob, const char *path,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * One object that cannot be used is left out and reported, with what
 * k8s_fail() said of it: it never stops the others. Always 0.
 */
int k8s_skip(struct k8s *k, const char *what);
/* Take back what an object that failed halfway added to arr. */
void k8s_truncate_array(json_object *arr, size_t n);
/* Fields of o by key, typed (absent: NULL, or "missing" when needed). */
int k8s_str_at(struct k8s *k, const struct obj *ob, json_object *o,
	       const char *path, const char *key, bool need, const char **out);
int k8s_arr_at(struct k8s *k, const struct obj *ob, json_object *o,
	       const char *path, const char *key, json_object **out);
int k8s_obj_at(struct k8s *k, const struct obj *ob, json_object *o,
	       const char *path, const char *key, json_object **out);

/* Is key one of the labels that differ per Pod, not in its identity? */
bool k8s_per_pod_label(const char *key);

/* The label keys of a Pod's identity that come from its namespace. */
#define K8S_NS_LABEL	"io.kubernetes.namespace.labels."
#define K8S_POD_NS	"io.kubernetes.pod.namespace"

/*
 * A NetworkPolicy as the intent's policies (appended to pols), or -1
 * with why in k->err (what it appended taken back by the caller).
 */
int k8s_netpol(struct k8s *k, const struct obj *np, json_object *pols);

#endif
