// SPDX-License-Identifier: GPL-2.0
/*
 * idmesh-cni: calling another plugin (the IPAM one) as the CNI
 * specification says: found in CNI_PATH, the same environment with
 * CNI_COMMAND (and CNI_CONTAINERID, CNI_IFNAME) set, the network
 * configuration on standard input, its result or error on standard output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <json-c/json.h>

#include "cni.h"

void idm_cni_set_err(struct idm_cni_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* The plugin's file: the first executable "DIR/type" of CNI_PATH. */
static int find_plugin(const char *type, char *out, size_t len)
{
	const char *path = getenv("CNI_PATH"), *p, *end;

	if (!path || strchr(type, '/'))
		return -1;
	for (p = path; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end == p)
			continue;
		snprintf(out, len, "%.*s/%s", (int)(end - p), p, type);
		if (!access(out, X_OK))
			return 0;
	}
	return -1;
}

/* Write all of buf to fd, then close it. */
static void write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf += n;
		len -= n;
	}
	close(fd);
}

json_object *idm_cni_exec(const struct idm_cni_call *call, struct idm_cni_err *e)
{
	char file[4096], *out = NULL;
	int in[2], outp[2], status;
	size_t n = 0, cap = 0;
	json_object *res = NULL;
	pid_t pid;
	ssize_t r;

	if (find_plugin(call->type, file, sizeof(file))) {
		idm_cni_set_err(e, IDM_CNI_ERR_CONFIG, "no plugin \"%s\" in CNI_PATH",
				call->type);
		return NULL;
	}
	if (pipe2(in, O_CLOEXEC) || pipe2(outp, O_CLOEXEC)) {
		idm_cni_set_err(e, IDM_CNI_ERR_IO, "pipe: %s", strerror(errno));
		return NULL;
	}
	/* A plugin that ends early must not end us. */
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid < 0) {
		idm_cni_set_err(e, IDM_CNI_ERR_IO, "fork: %s", strerror(errno));
		close(in[0]);
		close(in[1]);
		close(outp[0]);
		close(outp[1]);
		return NULL;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		setenv("CNI_COMMAND", call->command, 1);
		if (call->container_id)
			setenv("CNI_CONTAINERID", call->container_id, 1);
		if (call->ifname)
			setenv("CNI_IFNAME", call->ifname, 1);
		execl(file, file, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	write_all(in[1], call->conf, strlen(call->conf));
	for (;;) {
		if (n + 4096 > cap) {
			char *b = realloc(out, cap = cap ? 2 * cap : 8192);

			if (!b)
				break;
			out = b;
		}
		r = read(outp[0], out + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	close(outp[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out)
		out[n] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		res = n ? json_tokener_parse(out) : json_object_new_object();
		if (!res)
			idm_cni_set_err(e, IDM_CNI_ERR_DECODE, "%s %s: its output is not JSON",
					call->type, call->command);
	} else {
		json_object *o = out && n ? json_tokener_parse(out) : NULL, *x;

		/* Its own error object, passed on as it is. */
		if (o && json_object_object_get_ex(o, "code", &x)) {
			e->code = json_object_get_int(x);
			snprintf(e->msg, sizeof(e->msg), "%s %s: %s", call->type, call->command,
				 json_object_object_get_ex(o, "msg", &x) ?
				 json_object_get_string(x) : "failed");
			if (json_object_object_get_ex(o, "details", &x))
				snprintf(e->details, sizeof(e->details), "%s",
					 json_object_get_string(x));
		} else {
			idm_cni_set_err(e, IDM_CNI_ERR_IO, "%s %s failed (exit status %d)",
					call->type, call->command,
					WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		json_object_put(o);
	}
	free(out);
	return res;
}
