/* SPDX-License-Identifier: GPL-2.0 */
/* idmesh sim: Acila §7.1's entry counts. No netlink. */
#ifndef IDMESH_SIM_H
#define IDMESH_SIM_H

#include <stddef.h>
#include <stdint.h>

#define IDM_SIM_MAX_ALPHA 16

struct idm_sim_params {
	uint32_t racks, servers, vms, workloads, service_size, peers, connections;
	double alpha[IDM_SIM_MAX_ALPHA];
	int nalpha;
};

struct idm_sim_result {
	double alpha;
	uint64_t workloads_per_vm, workloads, services;
	/* A spine switch. */
	uint64_t el, es;
	double elu_workload, elu_service, elu_priority;
	double esu_workload, esu_service, esu_priority;
	/* The largest gateway. */
	uint64_t esc, escs, ess;
};

int idm_sim_parse(int argc, char **argv, struct idm_sim_params *p, char *err,
		  size_t errlen);
int idm_sim_run(const struct idm_sim_params *p, double alpha,
		struct idm_sim_result *r);

#endif
