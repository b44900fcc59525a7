/* SPDX-License-Identifier: GPL-2.0 */
/*
 * idmesh_cov.ko (cov.c): what -finstrument-functions calls on entry to
 * and exit from every function of a module built for coverage. Any
 * context; bounded (one pass over a fixed table at most); no locks.
 */
#ifndef _IDMESH_COV_H
#define _IDMESH_COV_H

/* Never instrumented itself (cov.c is built without the flag, too). */
#define idm_cov_notrace __attribute__((__no_instrument_function__))

/* Records fn's first call: its name, as "%pS" prints it. */
void idm_cov_notrace __cyg_profile_func_enter(void *fn, void *site);
/* Nothing: only entries count. */
void idm_cov_notrace __cyg_profile_func_exit(void *fn, void *site);

#endif /* _IDMESH_COV_H */
