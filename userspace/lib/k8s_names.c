// SPDX-License-Identifier: GPL-2.0
/*
 * Names every node computes alike from Kubernetes names: a pod's device
 * and its tag, a remote link's ID. The CNI plugin and "idmesh k8s" both
 * use them; no JSON and no netlink in here.
 */
#include <stdio.h>
#include <string.h>
#include <linux/idmesh.h>

#include "k8s.h"
#include "siphash.h"

static const uint8_t name_key[16] = "idmesh k8s names";
static const uint8_t tag_key[16] = "idmesh pod tags!";

/* SipHash of what snprintf wrote into s (n), cut to fit as it was. */
static uint64_t hash_of(const uint8_t *key, const char *s, int n, size_t size)
{
	return idm_siphash(key, s, n < (int)size ? (size_t)n : size - 1);
}

void idm_k8s_pod_dev(const char *ns, const char *name, char *buf, size_t len)
{
	char s[512];
	int n = snprintf(s, sizeof(s), "%s/%s", ns, name);

	snprintf(buf, len, "idm%012llx", (unsigned long long)
		 (hash_of(name_key, s, n, sizeof(s)) >> 16));
}

void idm_k8s_attach_dev(const char *ns, const char *name, const char *ifname,
			const char *network, char *buf, size_t len)
{
	char s[600];
	int n;

	if (!strcmp(ifname, "eth0")) {
		idm_k8s_pod_dev(ns, name, buf, len);
		return;
	}
	n = snprintf(s, sizeof(s), "%s/%s%c%s%c%s", ns, name, 0, ifname, 0, network);
	snprintf(buf, len, "idm%012llx", (unsigned long long)
		 (hash_of(name_key, s, n, sizeof(s)) >> 16));
}

void idm_k8s_pod_tag(const char *ns, const char *name, char *buf, size_t len)
{
	char s[512];
	int n = snprintf(s, sizeof(s), "%s/%s", ns, name);

	snprintf(buf, len, "%016llx", (unsigned long long)
		 hash_of(tag_key, s, n, sizeof(s)));
}
