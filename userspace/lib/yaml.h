/* SPDX-License-Identifier: GPL-2.0 */
/*
 * YAML in, the json-c tree out (libyaml), so that an intent in YAML meets
 * the same checks as one in JSON. Only the first document is read.
 * Scalars are typed as YAML 1.2's core schema types plain ones: null, ~
 * and nothing are null; true and false are booleans; decimal integers are
 * integers; other numbers are doubles; everything else, and every quoted
 * scalar, is a string. Aliases are refused (a small file could expand).
 */
#ifndef IDMESH_YAML_H
#define IDMESH_YAML_H

#include <stddef.h>
#include <json-c/json.h>

/* The tree, or NULL with "line L, column C: what" in err. */
json_object *idm_yaml_parse(const char *text, size_t len, char *err,
			    size_t errlen);

#endif
