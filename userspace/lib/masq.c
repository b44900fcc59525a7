// SPDX-License-Identifier: GPL-2.0
/*
 * Pod egress: the masquerade rules of masq.h, by the nft command (its
 * script on standard input, its JSON on standard output).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <json-c/json.h>

#include "masq.h"

#define MASQ_TABLE "inet idmesh"

bool idm_masq_chain_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

	return n && !s[n] && n <= 128;
}

/* Read fd to its end into a string (NULL: out of memory). */
static char *read_all(int fd)
{
	size_t n = 0, cap = 4096;
	char *b = malloc(cap), *nb;
	ssize_t r;

	while (b) {
		if (n + 1 >= cap) {
			nb = realloc(b, cap *= 2);
			if (!nb)
				break;
			b = nb;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			b[n] = '\0';
			return b;
		}
		n += r;
	}
	free(b);
	return NULL;
}

/*
 * nft ARGS with script on its standard input: its exit status, its
 * standard output in *out (if out), its first line of errors in err.
 * -1 when it cannot be run at all.
 */
static int run_nft(const char *const *args, const char *script, char **out, char *err,
		   size_t errlen)
{
	static const char *const paths[] = { "/usr/sbin/nft", "/sbin/nft", "nft", NULL };
	const char *argv[8] = { NULL };
	int in[2], o[2], e[2], status, i;
	char *text, *eol;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) || pipe2(o, O_CLOEXEC) || pipe2(e, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		for (i = 0; args[i] && i < 6; i++)
			argv[i + 1] = args[i];
		for (i = 0; paths[i]; i++) {
			argv[0] = paths[i];
			if (strchr(paths[i], '/'))
				execv(paths[i], (char *const *)argv);
			else
				execvp(paths[i], (char *const *)argv);
		}
		_exit(127);
	}
	close(in[0]);
	close(o[1]);
	close(e[1]);
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(in[1]);
		close(o[0]);
		close(e[0]);
		return -1;
	}
	/* A short write: nft says what it missed. */
	if (script && write(in[1], script, strlen(script)) < 0)
		script = NULL;
	close(in[1]);
	text = read_all(o[0]);
	close(o[0]);
	if (out)
		*out = text;
	else
		free(text);
	text = read_all(e[0]);
	close(e[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
		snprintf(err, errlen, "%s",
			 "no nft command: pod egress needs nftables (apt-get install nftables)");
		free(text);
		return -1;
	}
	if (text) {
		eol = strchr(text, '\n');
		if (eol)
			*eol = '\0';
		snprintf(err, errlen, "nft: %s", text);
		free(text);
	}
	return WEXITSTATUS(status);
}

int idm_masq_get(const char *chain, struct idm_prefixes *cidrs, char *err, size_t errlen)
{
	const char *args[] = { "-j", "list", "chain", "inet", "idmesh", chain, NULL };
	json_object *root, *list, *r, *c;
	char *out = NULL, why[160];
	struct idm_prefix p;
	size_t i;
	int rc;

	memset(cidrs, 0, sizeof(*cidrs));
	rc = run_nft(args, NULL, &out, err, errlen);
	if (rc) {
		free(out);
		/* No table or no chain: it masquerades nothing. */
		if (rc > 0 && strstr(err, "No such file or directory"))
			return 0;
		return -1;
	}
	root = out ? json_tokener_parse(out) : NULL;
	free(out);
	if (!root || !json_object_object_get_ex(root, "nftables", &list) ||
	    !json_object_is_type(list, json_type_array)) {
		snprintf(err, errlen, "nft -j list chain inet idmesh %s: not the JSON it writes",
			 chain);
		json_object_put(root);
		return -1;
	}
	for (i = 0; i < json_object_array_length(list); i++) {
		if (!json_object_object_get_ex(json_object_array_get_idx(list, i), "rule", &r) ||
		    !json_object_object_get_ex(r, "comment", &c))
			continue;
		if (idm_prefix_parse(json_object_get_string(c), true, &p, why, sizeof(why))) {
			snprintf(err, errlen,
				 "table inet idmesh, chain %s: a rule that is not idmesh's (\"%s\")",
				 chain, json_object_get_string(c));
			json_object_put(root);
			free(cidrs->v);
			memset(cidrs, 0, sizeof(*cidrs));
			return -1;
		}
		idm_prefixes_push(cidrs, &p);
	}
	json_object_put(root);
	return 0;
}

int idm_masq_set(const char *chain, const struct idm_prefixes *cidrs, char *err,
		 size_t errlen)
{
	const char *args[] = { "-f", "-", NULL };
	size_t i, len = 512 + cidrs->n * 256;
	char *s = malloc(len), buf[64];
	int n, rc;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The table and chain declared (made if missing), then replaced. */
	n = snprintf(s, len, "table %s {\n\tchain %s {\n%s\t}\n}\n", MASQ_TABLE, chain,
		     "\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
	if (!cidrs->n) {
		n += snprintf(s + n, len - n, "delete chain %s %s\n", MASQ_TABLE, chain);
	} else {
		n += snprintf(s + n, len - n, "flush chain %s %s\n", MASQ_TABLE, chain);
		for (i = 0; i < cidrs->n; i++) {
			idm_prefix_format(&cidrs->v[i], buf, sizeof(buf));
			n += snprintf(s + n, len - n,
				      "add rule %s %s %s saddr %s meta oifkind != \"idmesh\" counter masquerade comment \"%s\"\n",
				      MASQ_TABLE, chain,
				      cidrs->v[i].a.family == AF_INET6 ? "ip6" : "ip", buf, buf);
		}
	}
	rc = run_nft(args, s, NULL, err, errlen);
	free(s);
	return rc ? -1 : 0;
}
