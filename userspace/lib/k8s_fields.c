// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh k8s: typed fields of the objects, with messages that name the
 * object and the field, and one object left out without stopping the
 * rest; the labels that make no identity.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include "k8s_impl.h"
#include "util.h"

int k8s_fail(struct k8s *k, const struct obj *ob, const char *path,
	     const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(k->err, k->errlen, "%s: %s: %s", ob->where, path, msg);
	return -1;
}

int k8s_skip(struct k8s *k, const char *what)
{
	char msg[1200];

	snprintf(msg, sizeof(msg), "%s; %s", k->err, what);
	if (k->a->warn)
		k->a->warn(k->a->warn_arg, msg);
	else
		fprintf(stderr, "Warning: %s\n", msg);
	k->err[0] = '\0';
	k->a->skipped++;
	return 0;
}

void k8s_truncate_array(json_object *arr, size_t n)
{
	size_t len = json_object_array_length(arr);

	if (len > n)
		json_object_array_del_idx(arr, n, len - n);
}

/* A string field (dotted path from the object); NULL if absent. */
int k8s_str_at(struct k8s *k, const struct obj *ob, json_object *o,
	       const char *path, const char *key, bool need, const char **out)
{
	json_object *x = idm_json_at(o, key);

	*out = NULL;
	if (!x)
		return need ? k8s_fail(k, ob, path, "missing") : 0;
	if (!json_object_is_type(x, json_type_string))
		return k8s_fail(k, ob, path, "expected a string");
	*out = json_object_get_string(x);
	return 0;
}

int k8s_arr_at(struct k8s *k, const struct obj *ob, json_object *o,
	       const char *path, const char *key, json_object **out)
{
	*out = idm_json_at(o, key);
	if (*out && !json_object_is_type(*out, json_type_array))
		return k8s_fail(k, ob, path, "expected a list");
	return 0;
}

int k8s_obj_at(struct k8s *k, const struct obj *ob, json_object *o,
	       const char *path, const char *key, json_object **out)
{
	*out = idm_json_at(o, key);
	if (*out && !json_object_is_type(*out, json_type_object))
		return k8s_fail(k, ob, path, "expected an object");
	return 0;
}

/*
 * Labels that differ from Pod to Pod of one workload (a revision's hash,
 * a StatefulSet member's name) would make each Pod a Service of its own:
 * they do not count, as in Cilium's identities.
 */
bool k8s_per_pod_label(const char *key)
{
	static const char *const keys[] = {
		"pod-template-hash",			/* Deployment rollouts */
		"controller-revision-hash",		/* StatefulSet, DaemonSet */
		"pod-template-generation",		/* DaemonSet rollouts */
		"statefulset.kubernetes.io/pod-name",
		"apps.kubernetes.io/pod-index",
		"batch.kubernetes.io/job-completion-index",
		"job-completion-index",
		"batch.kubernetes.io/controller-uid",	/* each run of a Job */
		"controller-uid",
		NULL,
	};
	size_t i;

	for (i = 0; keys[i]; i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}
