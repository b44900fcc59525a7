// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh sim: the entry counts of Acila §7.1 for a 3-tier CLOS platform,
 * conventional (network identifiers: el, elu) against SACL IDs (es, esu
 * on a spine switch; esc, escs, ess on each node's gateway).
 *
 * The platform is built, not assumed: workloads are numbered rack by
 * rack, server by server, VM by VM; Service k holds workloads
 * k*size .. k*size+size-1 (the last may be smaller); Service k talks with
 * priority to Services k+1 .. k+peers (mod the number of Services), so
 * its client Services are k-1 .. k-peers; every client workload of a
 * peer Service has the given number of connections to each server
 * workload. The sums are then the paper's, term by term.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idmesh.h"
#include "print.h"
#include "sim.h"

void help_sim(FILE *f)
{
	fprintf(f,
		"Usage: idmesh [-j [-p]] sim [racks N] [servers N] [vms N] [workloads N]\n"
		"                            [service-size N] [peers N] [connections N]\n"
		"                            [alpha A[,A...]]\n"
		"The number of entries that priority control needs (Acila §7.1) on a\n"
		"3-tier CLOS platform: N racks of N servers (default 8 x 16), N VMs per\n"
		"server (8), N workloads per VM (16), N workloads per Service (15), N\n"
		"Services each Service talks to with priority (2), N connections per\n"
		"workload pair (1). alpha scales the workloads per VM (default\n"
		"0.1,0.5,1,2,4,8,16,32). Printed per alpha: for a spine switch, el\n"
		"(entries with network identifiers) and elu (entries updated when a\n"
		"workload, a Service or a priority changes), es and esu (with SACL\n"
		"IDs); for each node's gateway (the largest), esc (client entries),\n"
		"escs (server entries) and ess (connections).\n");
}

int idm_sim_parse(int argc, char **argv, struct idm_sim_params *p, char *err,
		  size_t errlen)
{
	static const char *const names[] = { "racks", "servers", "vms", "workloads",
					     "service-size", "peers", "connections" };
	uint32_t *fields[] = { &p->racks, &p->servers, &p->vms, &p->workloads,
			       &p->service_size, &p->peers, &p->connections };
	static const double alphas[] = { 0.1, 0.5, 1, 2, 4, 8, 16, 32 };
	int i, n;

	*p = (struct idm_sim_params){ .racks = 8, .servers = 16, .vms = 8,
		.workloads = 16, .service_size = 15, .peers = 2, .connections = 1 };
	memcpy(p->alpha, alphas, sizeof(alphas));
	p->nalpha = sizeof(alphas) / sizeof(alphas[0]);
	for (i = 0; i < argc; i++) {
		const char *k = argv[i], *v;

		v = idm_kv_value(argc, argv, &i, err, errlen);
		if (!v)
			return -1;
		if (idm_matches(k, "alpha")) {
			const char *s = v;
			char *end;

			p->nalpha = 0;
			for (;;) {
				double a = strtod(s, &end);

				if (end == s || !(a > 0) || a > 1024 ||
				    (*end && *end != ',') ||
				    p->nalpha == IDM_SIM_MAX_ALPHA) {
					snprintf(err, errlen,
						 "alpha \"%s\" is not a list of at most %d numbers in (0, 1024]",
						 v, IDM_SIM_MAX_ALPHA);
					return -1;
				}
				p->alpha[p->nalpha++] = a;
				if (!*end)
					break;
				s = end + 1;
			}
			continue;
		}
		for (n = 0; n < 7; n++)
			if (!strcmp(k, names[n]))
				break;
		if (n == 7) {
			snprintf(err, errlen, "unknown parameter \"%s\"", k);
			return -1;
		}
		if (idm_parse_u32(names[n], v, n == 6 ? 0 : 1, 1u << 20,
				  fields[n], err, errlen))
			return -1;
	}
	return 0;
}

static uint64_t size_of(uint64_t s, uint64_t nw, uint64_t size)
{
	uint64_t first = s * size;

	return nw - first < size ? nw - first : size;
}

int idm_sim_run(const struct idm_sim_params *p, double alpha,
		struct idm_sim_result *r)
{
	uint64_t per_vm = (uint64_t)llround(p->workloads * alpha);
	uint64_t nservers, per_server, nw, ns, k, w, s, g, peers;
	uint64_t ss_sum, cs_sum, sum_elu_w = 0, sum_elu_pair = 0;

	if (!per_vm)
		per_vm = 1;
	memset(r, 0, sizeof(*r));
	nservers = (uint64_t)p->racks * p->servers;
	per_server = (uint64_t)p->vms * per_vm;
	nw = nservers * per_server;
	ns = (nw + p->service_size - 1) / p->service_size;
	/* Peers: other Services, each once. */
	peers = p->peers < ns ? p->peers : ns - 1;
	r->alpha = alpha;
	r->workloads_per_vm = per_vm;
	r->workloads = nw;
	r->services = ns;
	for (s = 0; s < ns; s++) {
		uint64_t ws = size_of(s, nw, p->service_size);

		ss_sum = cs_sum = 0;
		for (k = 1; k <= peers; k++) {
			uint64_t ws_k = size_of((s + k) % ns, nw, p->service_size);

			ss_sum += ws_k;
			cs_sum += size_of((s + ns - k) % ns, nw, p->service_size);
			sum_elu_pair += ws * ws_k;
		}
		/* Every workload of s: its entries and what adding it updates. */
		r->el += ws * ss_sum;
		sum_elu_w += ws * (ss_sum + cs_sum);
		r->es += peers;
	}
	r->elu_workload = (double)sum_elu_w / nw;
	r->elu_service = (double)sum_elu_w / ns;
	r->elu_priority = peers ? (double)sum_elu_pair / (ns * peers) : 0;
	r->esu_workload = 0;
	r->esu_service = 2.0 * peers;
	r->esu_priority = peers ? 1 : 0;
	/* Gateways: the largest of them (they differ only at the last one). */
	for (g = 0; g < nservers; g++) {
		uint64_t esc = 0, escs = 0, ess = 0;

		for (w = g * per_server; w < (g + 1) * per_server; w++) {
			s = w / p->service_size;
			esc++;
			for (k = 1; k <= peers; k++) {
				escs += size_of((s + k) % ns, nw, p->service_size);
				ess += size_of((s + ns - k) % ns, nw, p->service_size) *
				       p->connections;
			}
		}
		if (esc + escs + ess > r->esc + r->escs + r->ess) {
			r->esc = esc;
			r->escs = escs;
			r->ess = ess;
		}
	}
	return 0;
}

/* One alpha: a line of the table, or an object. */
static void print_row(const struct idm_sim_result *r)
{
	char a[32];

	print_text("%6g %9llu %8llu | %17llu %8.0f %9.0f %7.0f | %8llu %4.0f %4.0f %4.0f | %15llu %8llu %8llu\n",
		   r->alpha, (unsigned long long)r->workloads,
		   (unsigned long long)r->services,
		   (unsigned long long)r->el, r->elu_workload, r->elu_service,
		   r->elu_priority, (unsigned long long)r->es, r->esu_workload,
		   r->esu_service, r->esu_priority, (unsigned long long)r->esc,
		   (unsigned long long)r->escs, (unsigned long long)r->ess);
	print_open_obj(NULL);
	snprintf(a, sizeof(a), "%g", r->alpha);
	print_string(PRINT_JSON, "alpha", NULL, a);
	print_u64(PRINT_JSON, "workloads_per_vm", NULL, r->workloads_per_vm);
	print_u64(PRINT_JSON, "workloads", NULL, r->workloads);
	print_u64(PRINT_JSON, "services", NULL, r->services);
	print_open_obj("spine");
	print_u64(PRINT_JSON, "el", NULL, r->el);
	print_u64(PRINT_JSON, "elu_workload", NULL, llround(r->elu_workload));
	print_u64(PRINT_JSON, "elu_service", NULL, llround(r->elu_service));
	print_u64(PRINT_JSON, "elu_priority", NULL, llround(r->elu_priority));
	print_u64(PRINT_JSON, "es", NULL, r->es);
	print_u64(PRINT_JSON, "esu_workload", NULL, llround(r->esu_workload));
	print_u64(PRINT_JSON, "esu_service", NULL, llround(r->esu_service));
	print_u64(PRINT_JSON, "esu_priority", NULL, llround(r->esu_priority));
	print_close_obj();
	print_open_obj("gateway");
	print_u64(PRINT_JSON, "esc", NULL, r->esc);
	print_u64(PRINT_JSON, "escs", NULL, r->escs);
	print_u64(PRINT_JSON, "ess", NULL, r->ess);
	print_close_obj();
	print_close_obj();
}

int cmd_sim(const struct idm_opts *o, int argc, char **argv)
{
	struct idm_sim_params p;
	struct idm_sim_result r;
	char err[256];
	int i;

	if (argc && idm_matches(argv[0], "help")) {
		help_sim(stdout);
		return 0;
	}
	if (idm_sim_parse(argc, argv, &p, err, sizeof(err))) {
		fprintf(stderr, "Error: %s\n", err);
		return EXIT_USAGE;
	}
	print_start(o->json, o->pretty);
	print_text("%u racks x %u servers x %u VMs x %u workloads (x alpha); %u workloads per Service,\n"
		   "%u peer Services with priority, %u connection(s) per workload pair\n",
		   p.racks, p.servers, p.vms, p.workloads, p.service_size, p.peers,
		   p.connections);
	print_text("%6s %9s %8s | spine: %10s %8s %9s %7s | %8s %4s %4s %4s | gateway: %6s %8s %8s\n",
		   "alpha", "workloads", "services", "el", "elu(w)", "elu(s)", "elu(p)",
		   "es", "w", "s", "p", "esc", "escs", "ess");
	print_open_arr(NULL);
	for (i = 0; i < p.nalpha; i++) {
		idm_sim_run(&p, p.alpha[i], &r);
		print_row(&r);
	}
	print_close_arr();
	print_text("(elu, esu: entries updated on a spine when a workload (w), a Service (s)\n"
		   " or a priority between two Services (p) changes; averages)\n");
	print_end();
	return 0;
}
