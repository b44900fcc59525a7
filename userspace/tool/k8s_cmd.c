// SPDX-License-Identifier: GPL-2.0
/* idmesh k8s: the command (the objects are read in k8s.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/idmesh.h>

#include "idmesh.h"
#include "intent.h"
#include "k8s.h"
#include "parse.h"
#include "print.h"

void help_k8s(FILE *f)
{
	fprintf(f,
		"Usage: idmesh k8s node NAME [policy FILE] [table-size N] [masquerade]\n"
		"                       [ipsec-secrets FILE] [remote-cluster NAME FILE]...\n"
		"                       [-o OUT] FILE...\n"
		"       idmesh k8s dev NAMESPACE POD [IFNAME NETWORK]\n"
		"       idmesh k8s conflist node NAME [mtu N] [sacl] [-o OUT] FILE...\n"
		"       idmesh [-j] k8s entries node NAME [policy FILE] FILE...\n"
		"Write node NAME's intent (for \"idmesh apply\") from Kubernetes objects:\n"
		"each FILE is what \"kubectl get -o json\" (or -o yaml) prints, a list or\n"
		"one object (or several: JSON one after another, YAML documents between\n"
		"\"---\"), \"-\" for standard input. Used: Pods, Services, EndpointSlices\n"
		"(discovery.k8s.io/v1), Nodes, Namespaces and ServiceImports (Multi-\n"
		"Cluster Services: a VIP at the clusterset IP); other kinds are skipped.\n"
		"A Service's cluster IPs and ports become VIPs, its endpoints their\n"
		"backends: ready ones (or, with none, serving and terminating ones) take\n"
		"new flows, the others keep theirs at weight 0, as kube-proxy does; the\n"
		"Pods' labels (with their Namespace's name and labels) become Services\n"
		"and SACL IDs, the Pods of NAME its workloads behind their links (\"k8s\n"
		"dev\" names them); one external link per underlay family, with a peer\n"
		"and a route for each pod CIDR of every other Node with an InternalIP. An\n"
		"object that cannot be used is left out with a warning naming it and\n"
		"its field; the others still make the intent.\n"
		"policy FILE adds an intent's default, service-keys, ids, hash-key and\n"
		"policies; masquerade the node's pod CIDRs as its \"masquerade\" (pod\n"
		"egress, leaving with the node's address); ipsec-secrets FILE encrypts\n"
		"the external links with IPsec keys derived from its secrets (64 hex\n"
		"digits a line, the first sends). remote-cluster NAME FILE: the objects\n"
		"of another cluster of the clusterset, whose Nodes become peers of the\n"
		"external links and whose Pods and Namespaces identities (its Pods\n"
		"named NAME:ns/pod); its Services come as ServiceImports of this one.\n"
		"-o OUT is replaced only by a whole intent.\n"
		"\"k8s conflist\" writes node NAME's CNI network configuration for\n"
		"idmesh-cni: pod addresses from host-local in the Node's spec.podCIDRs\n"
		"(a range set each), mtu N and sacl as given. \"k8s entries\" counts the\n"
		"identity tables of node NAME's intent (Services, rules, peers, client\n"
		"and server entries) against the policy entries per pair of addresses\n"
		"an address-based plugin needs for the same rules. See\n"
		"Documentation/intent.rst and Documentation/cni.rst.\n");
}

/* The intent is read back as "apply" reads it, so a bad one is never written. */
static int check_intent(const char *text, char *err, size_t errlen)
{
	struct idm_intent in;
	int ret;

	ret = idm_intent_parse("the intent", text, strlen(text), &in, err, errlen);
	if (!ret)
		ret = idm_intent_derive(&in, err, errlen);
	idm_intent_free(&in);
	return ret;
}

static int write_out(const char *out, const char *text)
{
	char tmp[4096];
	FILE *f;

	if (!out) {
		fputs(text, stdout);
		fputc('\n', stdout);
		return fflush(stdout) ? -1 : 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", out, (int)getpid());
	f = fopen(tmp, "w");
	if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f)) {
		fprintf(stderr, "Error: cannot write \"%s\": %s\n", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, out)) {
		fprintf(stderr, "Error: cannot replace \"%s\": %s\n", out, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/*
 * The words of "k8s node" and "k8s conflist": each of keys with its
 * value into vals[] (by the key's place), the flag word (if any) into
 * *on, every other word a FILE into a->files (allocated: free it). 0, or
 * the status of a usage error already printed.
 */
static int k8s_words(int argc, char **argv, const char *const *keys,
		     const char **vals, const char *flag, int *on,
		     struct idm_k8s_args *a, const char *what)
{
	int i, k;

	a->files = calloc(argc + 1, sizeof(*a->files));
	if (!a->files)
		return 1;
	for (i = 0; i < argc; i++) {
		if (flag && !strcmp(argv[i], flag)) {
			*on = 1;
			continue;
		}
		for (k = 0; keys[k] && strcmp(argv[i], keys[k]); k++)
			;
		if (!keys[k]) {
			a->files[a->nfiles++] = argv[i];
			continue;
		}
		if (++i == argc) {
			free(a->files);
			return idm_usage_error("\"%s\" needs a value", keys[k]);
		}
		vals[k] = argv[i];
	}
	a->node = vals[0];
	if (!a->node || !a->nfiles) {
		free(a->files);
		return idm_usage_error("\"%s\" needs node NAME and at least one FILE; try \"idmesh k8s help\"",
				       what);
	}
	return 0;
}

/* k8s conflist node NAME [mtu N] [sacl] [-o OUT] FILE... */
static int k8s_conflist(int argc, char **argv)
{
	static const char *const keys[] = { "node", "mtu", "-o", NULL };
	const char *vals[3] = { NULL };
	struct idm_k8s_args a = { 0 };
	char err[1024], *text;
	uint32_t mtu = 0;
	int sacl = 0, rc;

	rc = k8s_words(argc, argv, keys, vals, "sacl", &sacl, &a, "k8s conflist");
	if (rc)
		return rc;
	if (vals[1] && idm_parse_u32("mtu", vals[1], 68, 65535, &mtu, err, sizeof(err))) {
		free(a.files);
		return idm_usage_error("%s", err);
	}
	text = idm_k8s_conflist(&a, sacl, mtu, err, sizeof(err));
	free(a.files);
	if (!text) {
		fprintf(stderr, "Error: %s\n", err);
		return 1;
	}
	rc = write_out(vals[2], text) ? 1 : 0;
	free(text);
	return rc;
}

/* The addresses a rule's side stands for: its Services' workloads, or 1. */
static size_t side_addrs(const struct idm_intent *in, const struct idm_rule_side *sd)
{
	size_t i, n = 0;

	if (sd->kind != IDM_SIDE_SERVICES)
		return 1;
	for (i = 0; i < in->nservices; i++)
		if (sd->bits == 64 ? in->services[i].id == sd->id :
		    !((in->services[i].id ^ sd->id) >> (64 - sd->bits)))
			n += in->services[i].nworkloads;
	return n ? n : 1;
}

/* k8s entries node NAME [policy FILE] FILE...: the intent's tables counted. */
static int k8s_entries(const struct idm_opts *o, int argc, char **argv)
{
	static const char *const keys[] = { "node", "policy", NULL };
	const char *vals[2] = { NULL };
	struct idm_k8s_args a = { 0 };
	struct idm_intent in;
	size_t i, egress = 0, clients = 0, servers = 0, addrs = 0;
	char err[1024], *text;
	int rc;

	rc = k8s_words(argc, argv, keys, vals, NULL, NULL, &a, "k8s entries");
	if (rc)
		return rc;
	a.policy = vals[1];
	text = idm_k8s_intent(&a, err, sizeof(err));
	free(a.files);
	if (!text) {
		fprintf(stderr, "Error: %s\n", err);
		return 1;
	}
	rc = idm_intent_parse("the intent", text, strlen(text), &in, err, sizeof(err));
	free(text);
	if (!rc)
		rc = idm_intent_derive(&in, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "Error: %s\n", err);
		idm_intent_free(&in);
		return 1;
	}
	for (i = 0; i < in.nworkloads; i++) {
		clients += !!in.workloads[i].dev;
		servers += in.workloads[i].has_addr;
	}
	/* An address-based plugin: each rule for each pair of addresses and range. */
	for (i = 0; i < in.nrules; i++) {
		const struct idm_rule *r = &in.rules[i];

		egress += r->dir == IDMESH_SACL_EGRESS;
		addrs += side_addrs(&in, &r->c) * side_addrs(&in, &r->s) *
			 (r->nranges ? r->nranges : 1);
	}
	print_start(o->json, o->pretty);
	print_open_obj(NULL);
	print_uint(PRINT_ANY, "workloads", "workloads %u", (unsigned int)in.nworkloads);
	print_uint(PRINT_ANY, "services", " services %u", (unsigned int)in.nservices);
	print_uint(PRINT_ANY, "policies", " policies %u\n", (unsigned int)in.npolicies);
	print_uint(PRINT_ANY, "rules", "idmesh: rules %u", (unsigned int)in.nrules);
	print_uint(PRINT_ANY, "rules_egress", " (egress %u)", (unsigned int)egress);
	print_uint(PRINT_ANY, "peers", " peers %u", (unsigned int)in.npeers);
	print_uint(PRINT_ANY, "servers", " server entries %u", (unsigned int)servers);
	print_uint(PRINT_ANY, "clients", " client entries %u\n", (unsigned int)clients);
	print_u64(PRINT_ANY, "address_entries", "by address: policy entries %llu\n",
		  (unsigned long long)addrs);
	print_close_obj();
	print_end();
	idm_intent_free(&in);
	return 0;
}

int cmd_k8s(const struct idm_opts *o, int argc, char **argv)
{
	static const char *const keys[] = { "node", "policy", "-o", "table-size",
					    "ipsec-secrets", NULL };
	const char *vals[5] = { NULL };
	struct idm_k8s_args a = { 0 };
	char err[1024], *intent, **rest;
	int rc, masq = 0, i, nrest = 0;

	if (argc >= 1 && !strcmp(argv[0], "dev")) {
		char dev[IFNAMSIZ];

		if (argc != 3 && argc != 5)
			return idm_usage_error("\"k8s dev\" needs a NAMESPACE and a POD, and then an IFNAME and a NETWORK or neither");
		idm_k8s_attach_dev(argv[1], argv[2], argc == 5 ? argv[3] : "eth0",
				   argc == 5 ? argv[4] : "", dev, sizeof(dev));
		printf("%s\n", dev);
		return 0;
	}
	if (argc >= 1 && !strcmp(argv[0], "conflist"))
		return k8s_conflist(argc - 1, argv + 1);
	if (argc >= 1 && !strcmp(argv[0], "entries"))
		return k8s_entries(o, argc - 1, argv + 1);
	/* remote-cluster NAME FILE, any number of times: taken out first. */
	rest = calloc(argc + 1, sizeof(*rest));
	a.remote = calloc(argc / 3 + 1, sizeof(*a.remote));
	if (!rest || !a.remote) {
		free(rest);
		free(a.remote);
		return 1;
	}
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "remote-cluster")) {
			rest[nrest++] = argv[i];
			continue;
		}
		if (i + 2 >= argc) {
			free(rest);
			free(a.remote);
			return idm_usage_error("\"remote-cluster\" needs a NAME and a FILE");
		}
		a.remote[a.nremote].name = argv[++i];
		a.remote[a.nremote++].file = argv[++i];
	}
	rc = k8s_words(nrest, rest, keys, vals, "masquerade", &masq, &a, "k8s");
	if (rc) {
		free(rest);
		free(a.remote);
		return rc;
	}
	a.policy = vals[1];
	a.masquerade = masq;
	a.ipsec_secrets = vals[4];
	if (vals[3] && idm_parse_u32("table-size", vals[3], IDMESH_TABLE_SIZE_MIN,
				     IDMESH_TABLE_SIZE_MAX, &a.table_size, err,
				     sizeof(err))) {
		free(a.files);
		free(a.remote);
		free(rest);
		return idm_usage_error("%s", err);
	}
	intent = idm_k8s_intent(&a, err, sizeof(err));
	free(a.files);
	free(a.remote);
	free(rest);
	if (!intent) {
		fprintf(stderr, "Error: %s\n", err);
		return 1;
	}
	if (check_intent(intent, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		rc = 1;
	} else {
		rc = write_out(vals[2], intent) ? 1 : 0;
	}
	free(intent);
	return rc;
}
