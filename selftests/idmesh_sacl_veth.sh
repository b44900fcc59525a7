#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# idmesh_sacl.sh with veth ports: the same cases through the gateway's
# netfilter path (a namespace with a port that is not an idmesh pair),
# where idmesh_sacl.sh's pairs do the work inside their devices.
PORTS=veth exec "$(dirname "$0")/idmesh_sacl.sh" "$@"
