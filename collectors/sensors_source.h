/*
 * Where the sensors collector's readings come from: the backend seam for
 * hwmon chips (libsensors in production; sysfs, which can be pointed at a
 * fixture root), thermal zones and EDAC memory controllers (sysfs).
 */
#ifndef FOREWARN_SENSORS_SOURCE_H
#define FOREWARN_SENSORS_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensors_parse.h"

/* Caps on what one pass takes in: sysfs is outside data too. */
#define SENS_MAX_CHIPS		128
#define SENS_MAX_FEATURES	256
#define THERMAL_MAX_ZONES	64
#define THERMAL_MAX_TRIPS	12
#define EDAC_MAX_MCS		64
#define EDAC_MAX_DIMMS		128

struct sens_backend {
	const char	*name;		/* "libsensors", "sysfs" */
	/* 0 or -errno; config may be NULL (the default sensors.conf). */
	int	(*open)(const char *config, void **ret);
	/* Every chip and feature now; chips that appeared since included. */
	int	(*scan)(void *b, struct sens_scan *ret);
	/*
	 * Whether the set of chips may have changed since the last scan (a
	 * hwmon directory appeared or went), so the backend must re-read its
	 * list; the sysfs backend reads it every time anyway.
	 */
	void	(*rescan)(void *b);
	void	(*close)(void *b);
};

extern const struct sens_backend sens_sysfs_backend;
#ifdef FW_HAVE_LIBSENSORS
extern const struct sens_backend sens_libsensors_backend;
#endif

/* The number of hwmon directories in /sys/class/hwmon, or -errno. */
int	sens_hwmon_count(void);

struct thermal_trip {
	enum trip_type	type;
	double		temp;		/* Celsius */
	double		hyst;		/* Celsius, NAN when absent */
};

struct thermal_zone {
	char			dir[32];	/* "thermal_zone0" */
	char			type[64];	/* "acpitz", "cpu-thermal" */
	double			temp;		/* Celsius, NAN when unreadable */
	bool			disabled;	/* mode = disabled */
	struct thermal_trip	trips[THERMAL_MAX_TRIPS];
	unsigned		n_trips;
};

/* The zones under /sys/class/thermal: 0 (maybe none) or -errno. */
int	thermal_read(struct thermal_zone **ret, size_t *ret_n);

struct edac_dimm {
	char		location[64];	/* "csrow0-channel1", "channel0-slot0" */
	char		label[64];	/* dimm_label / chN_dimm_label */
	char		mem_type[32];
	uint64_t	size_mb;
	uint64_t	ce, ue;
	bool		has_ue;
};

struct edac_mc {
	unsigned		index;		/* mcN */
	char			name[64];	/* mc_name */
	uint64_t		ce, ue;		/* the totals */
	uint64_t		ce_noinfo, ue_noinfo;
	struct edac_dimm	*dimms;
	size_t			n_dimms;
};

/*
 * The memory controllers EDAC knows: 0, or -ENOENT when there is no EDAC
 * (a VM, a board without a driver), or -errno.
 */
int	edac_read(struct edac_mc **ret, size_t *ret_n);
void	edac_free(struct edac_mc *mcs, size_t n);

/* "csrow 0 channel 1 " → "csrow0-channel1": a location as an id part. */
void	edac_location_id(char *dst, size_t size, const char *location);

#endif
