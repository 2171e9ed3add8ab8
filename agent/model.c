/* Names of entity kinds and states, and how states combine. */
#include <errno.h>
#include <string.h>

#include "forewarn/model.h"
#include "forewarn/util.h"

static const char *const kind_names[FW_KIND_COUNT] = {
	[FW_KIND_HOST] = "host",
	[FW_KIND_DISK] = "disk",
	[FW_KIND_ARRAY] = "array",
	[FW_KIND_CONTROLLER] = "controller",
	[FW_KIND_NIC] = "nic",
	[FW_KIND_BOND] = "bond",
	[FW_KIND_SENSOR] = "sensor",
	[FW_KIND_MEMORY] = "memory",
	[FW_KIND_ROUTER] = "router",
	[FW_KIND_ROUTER_LINK] = "router_link",
	[FW_KIND_BGP_PEER] = "bgp_peer",
	[FW_KIND_AGENT] = "agent",
	[FW_KIND_FILESYSTEM] = "filesystem",
};

static const char *const state_names[FW_STATE_COUNT] = {
	[FW_STATE_OK] = "ok",
	[FW_STATE_WARNING] = "warning",
	[FW_STATE_CRITICAL] = "critical",
	[FW_STATE_UNKNOWN] = "unknown",
};

const char *
kind_name(enum fw_kind kind)
{
	return (unsigned)kind < FW_KIND_COUNT ? kind_names[kind] : "invalid";
}

int
kind_from_name(const char *name, enum fw_kind *ret)
{
	unsigned i;

	for (i = 0; i < FW_KIND_COUNT; i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*ret = (enum fw_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
state_name(enum fw_state state)
{
	return (unsigned)state < FW_STATE_COUNT ? state_names[state] : "invalid";
}

int
state_from_name(const char *name, enum fw_state *ret)
{
	unsigned i;

	for (i = 0; i < FW_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*ret = (enum fw_state)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
state_severity(enum fw_state state)
{
	switch (state) {
	case FW_STATE_OK:
		return "info";
	case FW_STATE_CRITICAL:
		return "critical";
	default:
		return "warning";
	}
}

/* critical > warning > unknown > ok, as a monitoring plugin ranks them. */
static int
state_rank(enum fw_state s)
{
	switch (s) {
	case FW_STATE_CRITICAL:
		return 3;
	case FW_STATE_WARNING:
		return 2;
	case FW_STATE_UNKNOWN:
		return 1;
	default:
		return 0;
	}
}

enum fw_state
state_worst(enum fw_state a, enum fw_state b)
{
	return state_rank(a) >= state_rank(b) ? a : b;
}
