/*
 * Decoding storcli / storcli64 / perccli JSON (the " J" suffix): the
 * controller summary of "/call show all J" and the drive details of
 * "/call/eall/sall show all J".  Pure functions over a buffer, so the unit
 * tests and the fuzzer feed them captured outputs.
 */
#ifndef HWRAID_STORCLI_H
#define HWRAID_STORCLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HW_CTRL_MAX	16
#define HW_VD_MAX	64
#define HW_PD_MAX	256
#define HW_STR		64

struct hw_vd {
	int		dg, vd;		/* "DG/VD" */
	char		type[16];	/* "RAID1" */
	char		state[16];	/* "Optl", "Dgrd", "Pdgd", "OfLn", "Rec" */
	char		cache[16];	/* "RWBD": the cache policy in force */
	char		name[HW_STR];
};

struct hw_pd {
	int		eid;		/* enclosure, -1 when none ("EID:Slt" " :1") */
	int		slot;
	int		did;
	int		dg;		/* drive group, -1 for none ("-") */
	char		state[16];	/* "Onln", "Rbld", "UBad", "Failed", ... */
	char		intf[8], med[8];
	char		model[HW_STR];
	/* From the drive details, when they were read and matched. */
	bool		detailed;
	char		serial[HW_STR];
	char		wwn[32];
	char		firmware[32];
	uint64_t	media_errors, other_errors, predictive;
	bool		smart_alert;
	double		temp_c;		/* NAN when not said */
};

struct hw_ctrl {
	int		index;		/* /cN */
	bool		ok;		/* its Command Status said Success */
	char		failure[128];	/* what it said otherwise */
	char		model[HW_STR];
	char		serial[HW_STR];
	char		firmware[HW_STR];
	char		status[32];	/* "Optimal", "Needs Attention", ... */
	uint64_t	mem_uncorrectable, mem_correctable;
	bool		has_mem;
	double		roc_temp_c;	/* NAN when not said */
	char		cache_kind[16];	/* "CacheVault", "BBU", "" (none) */
	char		cache_state[32];	/* "Optimal", "Learning", "Failed" */
	struct hw_vd	vds[HW_VD_MAX];
	size_t		n_vds;
	struct hw_pd	pds[HW_PD_MAX];
	size_t		n_pds;
};

struct hw_report {
	struct hw_ctrl	ctrls[HW_CTRL_MAX];
	size_t		n_ctrls;
};

/*
 * "/call show all J" into out (cleared first).  0, or -EINVAL with err
 * naming what and where ("Controllers[0].Response Data.VD LIST[1].State:
 * not a string"); a controller whose own Command Status failed is kept
 * with ok false and its description.
 */
int	storcli_parse_show(const char *json, size_t len, struct hw_report *out,
	    char *err, size_t err_size);
/*
 * "/call/eall/sall show all J": the details of each drive, matched to the
 * drives of out by controller, enclosure and slot.  0 or -EINVAL as above.
 */
int	storcli_parse_drives(const char *json, size_t len,
	    struct hw_report *out, char *err, size_t err_size);

/*
 * The further member failures a virtual drive of this RAID type survives in
 * this state; -1 when it has no redundancy to lose (RAID0, JBOD) or is
 * offline.  Optl: RAID1/10/5/50 1, RAID6/60 2; Pdgd: RAID6/60 1; Dgrd, Rec: 0.
 */
int	storcli_vd_redundancy(const char *type, const char *state);

#endif
